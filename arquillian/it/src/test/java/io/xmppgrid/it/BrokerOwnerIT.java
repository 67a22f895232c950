package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** XEP-0060 owner use cases and the whitelist model over the wire (raw sockets, exact elements). */
@ExtendWith(ArquillianExtension.class)
class BrokerOwnerIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String PS = "http://jabber.org/protocol/pubsub";
    private static final String OWNER = "http://jabber.org/protocol/pubsub#owner";

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    private static String request(RawXmpp x, String id, String type, String body) throws Exception {
        x.send("<iq type='" + type + "' to='broker.grid.local' id='" + id + "'>" + body + "</iq>");
        String reply = x.nextStanza(WAIT);
        assertTrue(reply.contains("id=\"" + id + "\""), reply);
        return reply;
    }

    private static void assertResult(String reply) {
        assertTrue(reply.contains("type=\"result\""), reply);
    }

    @Test // XEP-0060 §8.1.2 instant node; §8.3 default configuration; §8.2 get and set configuration
    void instantNodeAndConfiguration() throws Exception {
        String owner = Grid.platform(Grid.uniqueName("cfg"), "cfg-password-123");
        try (RawXmpp x = RawXmpp.bound(owner, "cfg-password-123")) {
            String r = request(x, "i", "set", "<pubsub xmlns='" + PS + "'><create/></pubsub>");
            Matcher m = Pattern.compile("<create node=\"([^\"]+)\"/>").matcher(r);
            assertTrue(m.find(), "instant node id returned: " + r);
            String node = m.group(1);

            r = request(x, "d", "get", "<pubsub xmlns='" + OWNER + "'><default/></pubsub>");
            assertTrue(r.contains("<value>authorize</value>") && r.contains("pubsub#node_config"), r);

            r = request(x, "s", "set", "<pubsub xmlns='" + OWNER + "'><configure node='" + node + "'>"
                    + "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>"
                    + "http://jabber.org/protocol/pubsub#node_config</value></field>"
                    + "<field var='pubsub#title'><value>Sensor alerts</value></field>"
                    + "<field var='pubsub#max_items'><value>5</value></field></x></configure></pubsub>");
            assertResult(r);
            r = request(x, "g", "get", "<pubsub xmlns='" + OWNER + "'><configure node='" + node + "'/></pubsub>");
            assertTrue(r.contains("<field var=\"pubsub#title\" type=\"text-single\"><value>Sensor alerts</value></field>"), r);
            assertTrue(r.contains("<field var=\"pubsub#max_items\" type=\"text-single\"><value>5</value></field>"), r);
        }
    }

    @Test // XEP-0060 §6.1.3.4 whitelist; §8.9.2 affiliations; §6.1 subscribed at once when affiliated
    void whitelistAndAffiliations() throws Exception {
        String owner = Grid.platform(Grid.uniqueName("wl-owner"), "wl-password-123");
        String member = Grid.platform(Grid.uniqueName("wl-member"), "wl-password-123");
        String stranger = Grid.platform(Grid.uniqueName("wl-stranger"), "wl-password-123");
        String node = "wl-" + UUID.randomUUID().toString().substring(0, 8);
        try (RawXmpp o = RawXmpp.bound(owner, "wl-password-123");
             RawXmpp m = RawXmpp.bound(member, "wl-password-123");
             RawXmpp s = RawXmpp.bound(stranger, "wl-password-123")) {
            assertResult(request(o, "c", "set", "<pubsub xmlns='" + PS + "'><create node='" + node + "'/><configure>"
                    + "<x xmlns='jabber:x:data' type='submit'><field var='pubsub#access_model'><value>whitelist</value></field>"
                    + "</x></configure></pubsub>"));
            assertResult(request(o, "a", "set", "<pubsub xmlns='" + OWNER + "'><affiliations node='" + node + "'>"
                    + "<affiliation jid='" + member + "@grid.local' affiliation='member'/></affiliations></pubsub>"));
            String r = request(o, "ag", "get", "<pubsub xmlns='" + OWNER + "'><affiliations node='" + node + "'/></pubsub>");
            assertTrue(r.contains("jid=\"" + member + "@grid.local\" affiliation=\"member\"")
                    && r.contains("jid=\"" + owner + "@grid.local\" affiliation=\"owner\""), r);

            r = request(s, "s1", "set", "<pubsub xmlns='" + PS + "'><subscribe node='" + node + "' jid='" + stranger + "@grid.local'/></pubsub>");
            assertTrue(r.contains("<not-allowed xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>")
                    && r.contains("<closed-node xmlns=\"http://jabber.org/protocol/pubsub#errors\"/>"), r);

            r = request(m, "s2", "set", "<pubsub xmlns='" + PS + "'><subscribe node='" + node + "' jid='" + member + "@grid.local'/></pubsub>");
            assertTrue(r.contains("subscription=\"subscribed\""), r);

            // XEP-0060 §5.7: a platform lists its own affiliations
            r = request(m, "la", "get", "<pubsub xmlns='" + PS + "'><affiliations/></pubsub>");
            assertTrue(r.contains("<affiliation node=\"" + node + "\" affiliation=\"member\"/>"), r);

            // XEP-0060 §5.6: a subscriber lists its own subscriptions
            r = request(m, "ls", "get", "<pubsub xmlns='" + PS + "'><subscriptions/></pubsub>");
            assertTrue(r.contains("node=\"" + node + "\"") && r.contains("subscription=\"subscribed\""), r);
        }
    }

    private static final String EVENT = "http://jabber.org/protocol/pubsub#event";
    private static final String STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";

    /** The owner's answer to an XEP-0060 §8.6 approval form: allow or deny. */
    private static void answerApprovalForm(RawXmpp owner, String node, String subscriber, boolean allow) throws Exception {
        String form = owner.nextStanza(WAIT);
        assertTrue(form.contains("<value>http://jabber.org/protocol/pubsub#subscribe_authorization</value>")
                && form.contains("<value>" + subscriber + "@grid.local</value>"), form);
        String subid = form.replaceAll("(?s).*var=\"pubsub#subid\" type=\"hidden\"><value>([^<]+)</value>.*", "$1");
        owner.send("<message to='broker.grid.local' id='answer-" + subscriber + "'><x xmlns='jabber:x:data' type='submit'>"
                + "<field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#subscribe_authorization</value></field>"
                + "<field var='pubsub#subid'><value>" + subid + "</value></field>"
                + "<field var='pubsub#node'><value>" + node + "</value></field>"
                + "<field var='pubsub#subscriber_jid'><value>" + subscriber + "@grid.local</value></field>"
                + "<field var='pubsub#allow'><value>" + allow + "</value></field></x></message>");
    }

    /**
     * XEP-0060 §6.1.3.7: "If the requesting entity has a pending subscription, the service MUST return a
     * &lt;not-authorized/&gt; error to the subscriber, specifying a pubsub-specific error condition of
     * &lt;pending-subscription/&gt;." Then §8.6 (example approvalnotify1) and the implementation note
     * "Notification of Subscription State Changes": the approval reaches the subscriber as
     * {@code <event xmlns='...#event'><subscription ... subscription='subscribed'/></event>}, and a denial as
     * the same event with {@code subscription='none'}.
     */
    @Test
    void pendingSubscriptionThenApprovalAndDenialAsEvents() throws Exception {
        String owner = Grid.platform(Grid.uniqueName("ap-owner"), "ap-password-123");
        String yes = Grid.platform(Grid.uniqueName("ap-yes"), "ap-password-123");
        String no = Grid.platform(Grid.uniqueName("ap-no"), "ap-password-123");
        String node = "ap-" + UUID.randomUUID().toString().substring(0, 8);
        try (RawXmpp o = RawXmpp.bound(owner, "ap-password-123");
             RawXmpp y = RawXmpp.bound(yes, "ap-password-123");
             RawXmpp n = RawXmpp.bound(no, "ap-password-123")) {
            assertResult(request(o, "c", "set", "<pubsub xmlns='" + PS + "'><create node='" + node + "'/></pubsub>")); // authorize
            String subscribe = "<pubsub xmlns='" + PS + "'><subscribe node='" + node + "' jid='%s@grid.local'/></pubsub>";

            String r = request(y, "s1", "set", String.format(subscribe, yes));
            assertTrue(r.contains("subscription=\"pending\""), r);
            // §6.1.3.7: again while pending
            r = request(y, "s2", "set", String.format(subscribe, yes));
            assertTrue(r.contains("type=\"error\"") && r.contains("<error type=\"auth\"><not-authorized xmlns=\"" + STANZAS + "\"/>")
                    && r.contains("<pending-subscription xmlns=\"http://jabber.org/protocol/pubsub#errors\"/>"), r);
            answerApprovalForm(o, node, yes, true); // one form only: the second request asked nobody
            String told = y.nextStanza(WAIT);
            assertTrue(told.startsWith("<message") && told.contains("from=\"broker.grid.local\""), told);
            assertTrue(told.contains("<event xmlns=\"" + EVENT + "\"><subscription node=\"" + node + "\" jid=\"" + yes
                    + "@grid.local\" subscription=\"subscribed\""), told);
            assertTrue(!told.contains("<pubsub"), "no <pubsub/> wrapper: " + told);

            assertTrue(request(n, "s3", "set", String.format(subscribe, no)).contains("subscription=\"pending\""));
            answerApprovalForm(o, node, no, false);
            told = n.nextStanza(WAIT);
            assertTrue(told.contains("<event xmlns=\"" + EVENT + "\"><subscription node=\"" + node + "\" jid=\"" + no
                    + "@grid.local\" subscription=\"none\"/></event>"), told);

            // subscribed now: subscribing again returns the subscription; denied: a new request is pending again
            assertTrue(request(y, "s4", "set", String.format(subscribe, yes)).contains("subscription=\"subscribed\""));
            assertTrue(request(n, "s5", "set", String.format(subscribe, no)).contains("subscription=\"pending\""));
        }
    }

    /**
     * XEP-0060 §8.9.2 and §8.2: a change of affiliation or configuration governs the very next publish
     * (the broker keeps Topics in memory between publishes; a change must not leave a stale copy).
     * §7.1.3.1: without the publisher affiliation, publish is forbidden; §7.1.3.5: a payload that is
     * not of the node's pubsub#type is an invalid payload.
     */
    @Test
    void affiliationAndConfigurationChangesGovernTheNextPublish() throws Exception {
        String owner = Grid.platform(Grid.uniqueName("aff-owner"), "aff-password-123");
        String publisher = Grid.platform(Grid.uniqueName("aff-pub"), "aff-password-123");
        String node = "aff-" + UUID.randomUUID().toString().substring(0, 8);
        try (RawXmpp o = RawXmpp.bound(owner, "aff-password-123");
             RawXmpp p = RawXmpp.bound(publisher, "aff-password-123")) {
            assertResult(request(o, "c", "set", "<pubsub xmlns='" + PS + "'><create node='" + node + "'/></pubsub>"));
            String affiliate = "<pubsub xmlns='" + OWNER + "'><affiliations node='" + node + "'><affiliation jid='"
                    + publisher + "@grid.local' affiliation='%s'/></affiliations></pubsub>";
            String publish = "<pubsub xmlns='" + PS + "'><publish node='" + node + "'><item id='%s'>%s</item></publish></pubsub>";

            assertResult(request(o, "a1", "set", String.format(affiliate, "publisher")));
            assertResult(request(p, "p1", "set", String.format(publish, "one", Iodef.example("1"))));

            assertResult(request(o, "a2", "set", String.format(affiliate, "none")));
            String r = request(p, "p2", "set", String.format(publish, "two", Iodef.example("2")));
            assertTrue(r.contains("type=\"error\"") && r.contains("<forbidden xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"), r);

            assertResult(request(o, "a3", "set", String.format(affiliate, "publisher")));
            assertResult(request(p, "p3", "set", String.format(publish, "three", Iodef.example("3"))));

            assertResult(request(o, "t", "set", "<pubsub xmlns='" + OWNER + "'><configure node='" + node + "'>"
                    + "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>"
                    + "http://jabber.org/protocol/pubsub#node_config</value></field>"
                    + "<field var='pubsub#type'><value>urn:example:not-iodef</value></field></x></configure></pubsub>"));
            r = request(p, "p4", "set", String.format(publish, "four", Iodef.example("4")));
            assertTrue(r.contains("type=\"error\"") && r.contains("<invalid-payload xmlns=\"http://jabber.org/protocol/pubsub#errors\"/>"), r);
            assertEquals(java.util.List.of("one", "three"), held(o, node));
        }
    }

    @Test // XEP-0060 §7.2 retract with notify, §8.5 purge, §8.4 delete with notification
    void retractPurgeDeleteNotify() throws Exception {
        String owner = Grid.platform(Grid.uniqueName("del-owner"), "del-password-123");
        String member = Grid.platform(Grid.uniqueName("del-member"), "del-password-123");
        String node = "del-" + UUID.randomUUID().toString().substring(0, 8);
        try (RawXmpp o = RawXmpp.bound(owner, "del-password-123");
             RawXmpp m = RawXmpp.bound(member, "del-password-123")) {
            assertResult(request(o, "c", "set", "<pubsub xmlns='" + PS + "'><create node='" + node + "'/></pubsub>"));
            assertResult(request(o, "a", "set", "<pubsub xmlns='" + OWNER + "'><affiliations node='" + node + "'>"
                    + "<affiliation jid='" + member + "@grid.local' affiliation='member'/></affiliations></pubsub>"));
            assertTrue(request(m, "s", "set", "<pubsub xmlns='" + PS + "'><subscribe node='" + node + "' jid='" + member
                    + "@grid.local'/></pubsub>").contains("subscription=\"subscribed\""));

            assertResult(request(o, "p", "set", "<pubsub xmlns='" + PS + "'><publish node='" + node + "'><item id='one'>"
                    + Iodef.example("1") + "</item></publish></pubsub>"));
            assertTrue(m.nextStanza(WAIT).contains("<item id=\"one\">"));

            // XEP-0030 / XEP-0060 §5.5: the node's items
            String items = request(m, "di", "get", "<query xmlns='http://jabber.org/protocol/disco#items' node='" + node + "'/>");
            assertTrue(items.contains("<item jid=\"broker.grid.local\" name=\"one\"/>"), items);

            assertResult(request(o, "r", "set", "<pubsub xmlns='" + PS + "'><retract node='" + node + "' notify='true'>"
                    + "<item id='one'/></retract></pubsub>"));
            assertTrue(m.nextStanza(WAIT).contains("<retract id=\"one\"/>"));

            assertResult(request(o, "pu", "set", "<pubsub xmlns='" + OWNER + "'><purge node='" + node + "'/></pubsub>"));
            assertTrue(m.nextStanza(WAIT).contains("<purge node=\"" + node + "\"/>"));

            assertResult(request(o, "de", "set", "<pubsub xmlns='" + OWNER + "'><delete node='" + node + "'/></pubsub>"));
            assertTrue(m.nextStanza(WAIT).contains("<delete node=\"" + node + "\"/>"));
            String gone = request(m, "gi", "get", "<pubsub xmlns='" + PS + "'><items node='" + node + "'/></pubsub>");
            assertTrue(gone.contains("<item-not-found xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"), gone);
        }
    }

    /** The items a Topic holds now (XEP-0060 §6.5), oldest first. */
    private static java.util.List<String> held(RawXmpp o, String node) throws Exception {
        o.send("<iq type='get' to='broker.grid.local' id='items'><pubsub xmlns='" + Topics.PS + "'><items node='" + node
                + "'/></pubsub></iq>");
        return Topics.itemIds(o.nextStanza(Topics.WAIT));
    }

    @Test // XEP-0060 §16.4.3 pubsub#max_items: the oldest items go; the count survives retract and purge
    void maxItemsKeepsTheNewest() throws Exception {
        String node = Topics.node("trim");
        try (RawXmpp o = RawXmpp.bound(Topics.account("trimown"), Topics.PASSWORD)) {
            Topics.create(o, node, java.util.List.of(), "<field var='pubsub#max_items'><value>3</value></field>");
            Topics.publish(o, node, "i", 5);
            org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("i2", "i3", "i4"), held(o, node));
            o.send("<iq type='set' to='broker.grid.local' id='r'><pubsub xmlns='" + Topics.PS + "'><retract node='" + node
                    + "'><item id='i3'/></retract></pubsub></iq>");
            assertResult(o.nextStanza(Topics.WAIT));
            org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("i2", "i4"), held(o, node));
            Topics.publish(o, node, "j", 2);
            org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("i4", "j0", "j1"), held(o, node));
            Topics.publish(o, node, "j", 1); // republishing j0 replaces it: nothing more is trimmed
            org.junit.jupiter.api.Assertions.assertEquals(3, held(o, node).size());
            o.send("<iq type='set' to='broker.grid.local' id='p'><pubsub xmlns='http://jabber.org/protocol/pubsub#owner'>"
                    + "<purge node='" + node + "'/></pubsub></iq>");
            assertResult(o.nextStanza(Topics.WAIT));
            Topics.publish(o, node, "k", 4);
            org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of("k1", "k2", "k3"), held(o, node));
        }
    }
}
