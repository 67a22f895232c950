package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Requests the broker must refuse, each with its XEP-0060 error, leaving what is stored unchanged
 * (checked by counting the Topic's items after every refusal).
 */
@ExtendWith(ArquillianExtension.class)
class BrokerBadInputIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String ERR = "xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>";
    private static final String PUBSUB_ERR = "xmlns=\"http://jabber.org/protocol/pubsub#errors\"";
    private String owner;
    private String topic;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    private static String iq(String id, String type, String body) {
        return "<iq type='" + type + "' to='broker.grid.local' id='" + id + "'>" + body + "</iq>";
    }

    private static String request(RawXmpp x, String id, String type, String body) throws Exception {
        x.send(iq(id, type, body));
        String reply = x.nextStanza(WAIT);
        assertTrue(reply.contains("id=\"" + id + "\""), reply);
        return reply;
    }

    @BeforeEach
    void topicWithOneItem() throws Exception {
        owner = Grid.platform(Grid.uniqueName("bad-owner"), "bad-owner-password");
        topic = "bad-" + UUID.randomUUID().toString().substring(0, 8);
        try (RawXmpp x = RawXmpp.bound(owner, "bad-owner-password")) {
            String r = request(x, "c", "set", "<pubsub xmlns='http://jabber.org/protocol/pubsub'><create node='" + topic + "'/>"
                    + "<configure><x xmlns='jabber:x:data' type='submit'><field var='pubsub#type'><value>" + Iodef.NS
                    + "</value></field></x></configure></pubsub>");
            assertTrue(r.contains("type=\"result\""), r);
            r = request(x, "p", "set", publish("first", Iodef.example("1")));
            assertTrue(r.contains("type=\"result\""), r);
        }
    }

    private String publish(String id, String payload) {
        return "<pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='" + topic + "'><item id='" + id + "'>"
                + payload + "</item></publish></pubsub>";
    }

    private void assertOneItemStored(RawXmpp x) throws Exception {
        String r = request(x, "count", "get", "<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='" + topic + "'/></pubsub>");
        assertTrue(r.contains("<count>1</count>") && r.contains("id=\"first\""), "stored items changed: " + r);
    }

    private void assertError(String reply, String condition, String pubsubCondition) {
        assertTrue(reply.contains("type=\"error\"") && reply.contains("<" + condition + " " + ERR), reply);
        if (pubsubCondition != null) {
            assertTrue(reply.contains("<" + pubsubCondition + " " + PUBSUB_ERR), reply);
        }
    }

    @Test // XEP-0060 §7.1.3.3: unknown node
    void publishToUnknownNode() throws Exception {
        try (RawXmpp x = RawXmpp.bound(owner, "bad-owner-password")) {
            String r = request(x, "u", "set", "<pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='no-such-topic'>"
                    + "<item>" + Iodef.example("2") + "</item></publish></pubsub>");
            assertError(r, "item-not-found", null);
            assertOneItemStored(x);
        }
    }

    @Test // RFC 8600 §6 pubsub#type / XEP-0060 §7.1.3.5: a payload of another namespace
    void wrongPayloadNamespace() throws Exception {
        try (RawXmpp x = RawXmpp.bound(owner, "bad-owner-password")) {
            String r = request(x, "w", "set", publish("atom", "<entry xmlns='http://www.w3.org/2005/Atom'/>"));
            assertError(r, "bad-request", "invalid-payload");
            assertOneItemStored(x);
        }
    }

    @Test // RFC 7970 schema: an IODEF document without GenerationTime
    void invalidIodef() throws Exception {
        try (RawXmpp x = RawXmpp.bound(owner, "bad-owner-password")) {
            String r = request(x, "i", "set", publish("broken",
                    Iodef.example("3").replace("<GenerationTime>2015-07-18T09:00:00-05:00</GenerationTime>", "")));
            assertError(r, "bad-request", "invalid-payload");
            assertOneItemStored(x);
        }
    }

    @Test // XEP-0060 §7.1.3.4: payload over the configured item size
    void oversizedItem() throws Exception {
        try (RawXmpp x = RawXmpp.bound(owner, "bad-owner-password")) {
            String big = Iodef.example("x".repeat(259_000));
            String r = request(x, "b", "set", publish("big", big));
            assertError(r, "not-acceptable", "payload-too-big");
            assertOneItemStored(x);
        }
    }

    @Test // RFC 8600 §8.3.3: only authorize and whitelist
    void openAccessModelRefused() throws Exception {
        try (RawXmpp x = RawXmpp.bound(owner, "bad-owner-password")) {
            String r = request(x, "o", "set", "<pubsub xmlns='http://jabber.org/protocol/pubsub'><create node='open-" + topic + "'/>"
                    + "<configure><x xmlns='jabber:x:data' type='submit'><field var='pubsub#access_model'><value>open</value></field>"
                    + "</x></configure></pubsub>");
            assertError(r, "not-acceptable", "unsupported-access-model");
        }
    }

    @Test // XEP-0060 §8.2.5.3: unknown fields and malformed forms
    void badConfigurationForms() throws Exception {
        try (RawXmpp x = RawXmpp.bound(owner, "bad-owner-password")) {
            String r = request(x, "f1", "set", "<pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><configure node='" + topic + "'>"
                    + "<x xmlns='jabber:x:data' type='submit'><field var='pubsub#no_such_option'><value>1</value></field></x>"
                    + "</configure></pubsub>");
            assertError(r, "not-acceptable", null);
            r = request(x, "f2", "set", "<pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><configure node='" + topic + "'>"
                    + "<x xmlns='jabber:x:data' type='submit'><field><value>1</value></field></x></configure></pubsub>");
            assertError(r, "not-acceptable", null);
            r = request(x, "f3", "set", "<pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><configure node='" + topic + "'>"
                    + "<x xmlns='jabber:x:data' type='submit'><field var='pubsub#max_items'><value>lots</value></field></x>"
                    + "</configure></pubsub>");
            assertError(r, "not-acceptable", null);
            assertOneItemStored(x);
        }
    }

    /**
     * Issue 18 §10, XEP-0060 §6.5.7 and XEP-0059 §2.2: one small request cannot make the node build a huge reply.
     * Ten items of about 200 KB: {@code max_items='10'} returns the newest that fit one megabyte (at least one, at most
     * five), and RSM pages of up to 10 end early with a {@code <last/>} from which the next page goes on, so every
     * item is still retrieved, once.
     */
    @Test
    void largeItemsComeInPagesOfAboutAMegabyte() throws Exception {
        String big = Topics.node("big-items");
        try (RawXmpp x = RawXmpp.bound(owner, "bad-owner-password")) {
            Topics.create(x, big, java.util.List.of(), "<field var='pubsub#max_items'><value>20</value></field>");
            java.util.List<String> published = new java.util.ArrayList<>();
            for (int i = 0; i < 10; i++) {
                String id = "big-" + i;
                String r = request(x, "p" + i, "set", "<pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='" + big
                        + "'><item id='" + id + "'>" + Iodef.large(id, 200_000) + "</item></publish></pubsub>");
                org.junit.jupiter.api.Assertions.assertTrue(r.contains("type=\"result\""), r.length() > 300 ? r.substring(0, 300) : r);
                published.add(id);
            }
            String last10 = request(x, "m", "get", "<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='" + big
                    + "' max_items='10'/></pubsub>");
            java.util.List<String> newest = Topics.itemIds(last10);
            org.junit.jupiter.api.Assertions.assertTrue(!newest.isEmpty() && newest.size() <= 5, "newest that fit: " + newest);
            org.junit.jupiter.api.Assertions.assertEquals(published.subList(10 - newest.size(), 10), newest, "the newest, in order");
            java.util.List<String> all = new java.util.ArrayList<>();
            String after = null;
            for (int page = 0; page < 10 && all.size() < 10; page++) {
                String r = request(x, "pg" + page, "get", "<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='" + big
                        + "'/><set xmlns='http://jabber.org/protocol/rsm'><max>10</max>"
                        + (after == null ? "" : "<after>" + after + "</after>") + "</set></pubsub>");
                java.util.List<String> ids = Topics.itemIds(r);
                org.junit.jupiter.api.Assertions.assertTrue(!ids.isEmpty() && ids.size() <= 5, "a page of about a megabyte: " + ids);
                all.addAll(ids);
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("<last>([^<]+)</last>").matcher(r);
                org.junit.jupiter.api.Assertions.assertTrue(m.find(), "the page says where it ended");
                after = m.group(1);
            }
            org.junit.jupiter.api.Assertions.assertEquals(published, all, "every item once, in order, over the pages");
            // XEP-0060 §6.5.8 (items by id): ten ids of 200 KB items get about a megabyte, the first ones asked for
            StringBuilder byId = new StringBuilder();
            for (String id : published) {
                byId.append("<item id='").append(id).append("'/>");
            }
            String r = request(x, "ids", "get", "<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='" + big + "'>"
                    + byId + "</items></pubsub>");
            java.util.List<String> got = Topics.itemIds(r);
            org.junit.jupiter.api.Assertions.assertTrue(!got.isEmpty() && got.size() <= 5, "about a megabyte by id: " + got);
            org.junit.jupiter.api.Assertions.assertEquals(published.subList(0, got.size()), got, "in the order asked");
        }
    }

    @Test // XEP-0059 §2.5: a cursor the server never issued; cursors never reach SQL as text
    void rsmCursorGarbage() throws Exception {
        try (RawXmpp x = RawXmpp.bound(owner, "bad-owner-password")) {
            String r = request(x, "r1", "get", "<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='" + topic + "'/>"
                    + "<set xmlns='http://jabber.org/protocol/rsm'><after>1' OR '1'='1</after></set></pubsub>");
            assertError(r, "item-not-found", null);
            r = request(x, "r2", "get", "<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='" + topic + "'/>"
                    + "<set xmlns='http://jabber.org/protocol/rsm'><max>-5</max></set></pubsub>");
            assertError(r, "bad-request", null);
            r = request(x, "r3", "get", "<query xmlns='http://jabber.org/protocol/disco#items'>"
                    + "<set xmlns='http://jabber.org/protocol/rsm'><before>%%%</before></set></query>");
            assertError(r, "item-not-found", null);
            assertOneItemStored(x);
        }
    }
}
