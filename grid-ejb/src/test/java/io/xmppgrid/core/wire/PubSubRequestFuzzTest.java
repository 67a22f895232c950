package io.xmppgrid.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.xmppgrid.core.pubsub.ActorPolicy;
import io.xmppgrid.core.pubsub.InMemoryPubSubStore;
import io.xmppgrid.core.pubsub.PayloadValidator;
import io.xmppgrid.core.pubsub.PubSubService;
import io.xmppgrid.core.pubsub.ServiceSettings;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;
import io.xmppgrid.xmpp.XmlReader;
import java.time.Clock;
import java.util.List;

/**
 * Issue 18, fuzzing: XEP-0060 requests as an authenticated platform sends them (pubsub and pubsub#owner operations,
 * XEP-0004 forms in create, configure, publish-options and subscribe options, XEP-0059 sets with any max, index and
 * cursor), built from templates with fuzzed names, values and ids, or from fuzzed XML, several in a row against one
 * broker. Whatever comes, each IQ request gets exactly one answer, a result or an error with the request's id
 * (RFC 6120 §8.2.3); any exception is a finding. {@code mvn verify} fuzzes it for a short fixed time (README, "Fuzzing").
 */
class PubSubRequestFuzzTest {

    private static final String PS = "http://jabber.org/protocol/pubsub";
    private static final String OWNER = PS + "#owner";
    private static final String[] FIELDS = {"pubsub#access_model", "pubsub#max_items", "pubsub#persist_items",
        "pubsub#type", "pubsub#deliver_payloads", "pubsub#deliver_notifications", "pubsub#notify_retract",
        "pubsub#send_last_published_item", "pubsub#title", "pubsub#publish_model", "FORM_TYPE", "pubsub#subscription_type"};
    private static final Jid ALICE = Jid.parse("alice@grid.local/a");

    private final io.xmppgrid.core.RecordingDelivery delivery = new io.xmppgrid.core.RecordingDelivery();
    private final List<XmlElement> sent = delivery.sent;

    @FuzzTest(maxDuration = "10s")
    void everyRequestGetsOneAnswer(FuzzedDataProvider data) {
        PubSubService svc = new PubSubService(new InMemoryPubSubStore(), e -> { }, new ServiceSettings(
                io.xmppgrid.core.pubsub.AccessModel.AUTHORIZE, 10, 100, 4096, 20, 10, 64 * 1024, 16 * 1024),
                PayloadValidator.ACCEPT_ALL, ActorPolicy.ALLOW_ALL, Clock.systemUTC());
        PubSubComponent component = new PubSubComponent(Jid.domain("broker.grid.local"), svc);
        for (int n = 0; n < 6 && data.remainingBytes() > 0; n++) {
            String id = "q" + n;
            String xml = "<iq xmlns='jabber:client' type='" + (data.consumeBoolean() ? "set" : "get") + "' id='" + id
                    + "' to='broker.grid.local'>" + request(data) + "</iq>";
            XmlElement iq;
            try {
                iq = XmlReader.parse(xml);
            } catch (IllegalArgumentException notXml) {
                continue; // the stream parser refuses that before any component sees it
            }
            sent.clear();
            component.handle(ALICE, iq.withAttribute("from", ALICE.toString()), delivery);
            assertEquals(1, sent.size(), "one answer to " + xml);
            XmlElement reply = sent.get(0);
            assertEquals(id, reply.attribute("id"), xml);
            assertTrue("result".equals(reply.attribute("type")) || "error".equals(reply.attribute("type")), reply.toString());
        }
    }

    private static String request(FuzzedDataProvider data) {
        String node = data.consumeBoolean() ? "t" : FuzzXml.attr(data.consumeString(12));
        return switch (data.consumeInt(0, 9)) {
            case 0 -> "<pubsub xmlns='" + PS + "'><create node='" + node + "'/>"
                    + (data.consumeBoolean() ? "<configure>" + form(data, "submit") + "</configure>" : "") + "</pubsub>";
            case 1 -> "<pubsub xmlns='" + PS + "'><publish node='" + node + "'><item id='" + FuzzXml.attr(data.consumeString(8)) + "'>"
                    + "<x xmlns='urn:example'>" + FuzzXml.text(data.consumeString(64)) + "</x></item></publish>"
                    + (data.consumeBoolean() ? "<publish-options>" + form(data, "submit") + "</publish-options>" : "")
                    + "</pubsub>";
            case 2 -> "<pubsub xmlns='" + PS + "'><items node='" + node + "'"
                    + (data.consumeBoolean() ? " max_items='" + FuzzXml.attr(data.consumeString(6)) + "'" : "") + ">"
                    + (data.consumeBoolean() ? "<item id='" + FuzzXml.attr(data.consumeString(8)) + "'/>" : "") + "</items>"
                    + (data.consumeBoolean() ? rsm(data) : "") + "</pubsub>";
            case 3 -> "<pubsub xmlns='" + OWNER + "'><configure node='" + node + "'>"
                    + (data.consumeBoolean() ? form(data, data.consumeBoolean() ? "submit" : FuzzXml.attr(data.consumeString(8))) : "")
                    + "</configure></pubsub>";
            case 4 -> "<pubsub xmlns='" + PS + "'><subscribe node='" + node + "' jid='" + FuzzXml.attr(data.consumeString(24)) + "'/>"
                    + (data.consumeBoolean() ? "<options>" + form(data, "submit") + "</options>" : "") + "</pubsub>";
            case 5 -> {
                String list = data.consumeBoolean() ? "subscriptions" : "affiliations";
                yield "<pubsub xmlns='" + OWNER + "'><" + list + " node='" + node + "'><" + list.substring(0, list.length() - 1)
                        + " jid='" + FuzzXml.attr(data.consumeString(24)) + "' subscription='" + FuzzXml.attr(data.consumeString(10))
                        + "' affiliation='" + FuzzXml.attr(data.consumeString(10)) + "'/></" + list + "></pubsub>";
            }
            case 6 -> {
                String op = data.consumeBoolean() ? "retract" : "unsubscribe";
                yield "<pubsub xmlns='" + PS + "'><" + op + " node='" + node + "' jid='" + FuzzXml.attr(data.consumeString(24))
                        + "' subid='" + FuzzXml.attr(data.consumeString(8)) + "' notify='" + FuzzXml.attr(data.consumeString(5)) + "'><item id='"
                        + FuzzXml.attr(data.consumeString(8)) + "'/></" + op + "></pubsub>";
            }
            case 7 -> "<pubsub xmlns='" + OWNER + "'><" + (data.consumeBoolean() ? "purge" : "delete") + " node='" + node
                    + "'/></pubsub>";
            case 8 -> "<pubsub xmlns='" + (data.consumeBoolean() ? PS : OWNER) + "'>" + data.consumeString(200) + "</pubsub>";
            default -> data.consumeString(300);
        };
    }

    /** A data form (XEP-0004) of known and fuzzed fields, some with several values. */
    private static String form(FuzzedDataProvider data, String type) {
        StringBuilder f = new StringBuilder("<x xmlns='jabber:x:data' type='" + type + "'>");
        int fields = data.consumeInt(0, 5);
        for (int i = 0; i < fields; i++) {
            String var = data.consumeBoolean() ? FIELDS[data.consumeInt(0, FIELDS.length - 1)] : FuzzXml.attr(data.consumeString(20));
            f.append("<field var='").append(var).append("'>");
            int values = data.consumeInt(0, 3);
            for (int v = 0; v < values; v++) {
                f.append("<value>").append(FuzzXml.text(data.consumeString(30))).append("</value>");
            }
            f.append("</field>");
        }
        return f.append("</x>").toString();
    }

    /** A result set (XEP-0059) with any max, index and cursors. */
    private static String rsm(FuzzedDataProvider data) {
        StringBuilder s = new StringBuilder("<set xmlns='http://jabber.org/protocol/rsm'>");
        if (data.consumeBoolean()) {
            s.append("<max>").append(FuzzXml.text(data.consumeString(12))).append("</max>");
        }
        if (data.consumeBoolean()) {
            s.append("<index>").append(FuzzXml.text(data.consumeString(12))).append("</index>");
        }
        if (data.consumeBoolean()) {
            s.append("<after>").append(FuzzXml.text(data.consumeString(40))).append("</after>");
        }
        if (data.consumeBoolean()) {
            s.append(data.consumeBoolean() ? "<before/>" : "<before>" + FuzzXml.text(data.consumeString(40)) + "</before>");
        }
        return s.append("</set>").toString();
    }

}
