package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * RFC 8600 §6, replayed stanza by stanza against the deployed broker over TLS: the Provider
 * creates the Topic, the Consumer discovers it (disco#items, disco#info with pubsub#type),
 * subscribes (authorize model: the owner approves with the XEP-0060 §8.6 form), the Provider
 * publishes the RFC 7970 example, and the Consumer receives the notification. Each reply is
 * compared with the RFC's example, the addresses mapped to this server's, ids ignored.
 */
@ExtendWith(ArquillianExtension.class)
class Rfc8600TranscriptIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String IODEF_EXAMPLE = "<IODEF-Document version=\"2.00\" xml:lang=\"en\" "
            + "xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
            + "xsi:schemaLocation= \"http://www.iana.org/assignments/xml-registry/ schema/iodef-2.0.xsd\"> "
            + "<Incident purpose=\"reporting\" restriction=\"private\"> <IncidentID name=\"csirt.example.com\">492382</IncidentID> "
            + "<GenerationTime>2015-07-18T09:00:00-05:00</GenerationTime> <Contact type=\"organization\" role=\"creator\"> "
            + "<Email> <EmailTo>contact@csirt.example.com</EmailTo> </Email> </Contact> </Incident> </IODEF-Document>";

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    @Test
    void section6() throws Exception {
        String provider = Grid.platform(Grid.uniqueName("datasource"), "provider-password-1");
        String consumer = Grid.platform(Grid.uniqueName("xmpp-grid-client"), "consumer-password-1");
        String topic = "MILEHost-" + UUID.randomUUID().toString().substring(0, 8);
        try (RawXmpp p = RawXmpp.bound(provider, "provider-password-1", "F12C2EFC9BB0");
             RawXmpp c = RawXmpp.bound(consumer, "consumer-password-1", "2EBE702A97D6")) {
            Map<String, String> map = new LinkedHashMap<>();
            map.put("datasource@provider.example", provider + "@grid.local");
            map.put("xmpp-grid-client@mile-host.example", consumer + "@grid.local");
            map.put("broker.security-grid.example", "broker.grid.local");
            map.put("'MILEHost'", "'" + topic + "'");

            // the Provider creates the Topic, with the configuration form of §6 (plus pubsub#type, which §6's discovery shows)
            p.send(("<iq type='set' to='broker.security-grid.example' id='A67507DF-2F22-4937-8D30-88D2F7DBA279'>"
                    + "<pubsub xmlns='http://jabber.org/protocol/pubsub'><create node='MILEHost'/>"
                    + "<configure><x xmlns='jabber:x:data' type='submit'>"
                    + "<field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#node_config</value></field>"
                    + "<field var='pubsub#access_model'><value>authorize</value></field>"
                    + "<field var='pubsub#persist_items'><value>1</value></field>"
                    + "<field var='pubsub#send_last_published_item'><value>never</value></field>"
                    + "<field var='pubsub#type'><value>urn:ietf:params:xml:ns:iodef-2.0</value></field>"
                    + "</x></configure></pubsub></iq>").replace("broker.security-grid.example", "broker.grid.local")
                    .replace("'MILEHost'", "'" + topic + "'"));
            Transcript.assertSame("<iq type='result' from='broker.security-grid.example' "
                    + "to='datasource@provider.example/F12C2EFC9BB0' id='A67507DF-2F22-4937-8D30-88D2F7DBA279'/>",
                    p.nextStanza(WAIT), map);

            // the Consumer finds the Topic among the broker's items
            c.send("<iq type='get' to='broker.grid.local' id='items1'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>");
            String items = c.nextStanza(WAIT);
            assertTrue(items.contains("<item node=\"" + topic + "\" name=\"" + topic + "\" jid=\"broker.grid.local\"/>"), items);

            // ... and learns its payload type from disco#info
            c.send("<iq type='get' to='broker.grid.local' id='D367D4ED-2795-489C-A83E-EAAFA07A0356'>"
                    + "<query xmlns='http://jabber.org/protocol/disco#info' node='" + topic + "'/></iq>");
            Transcript.assertSame("<iq type='result' from='broker.security-grid.example' "
                    + "to='xmpp-grid-client@mile-host.example/2EBE702A97D6' id='D367D4ED-2795-489C-A83E-EAAFA07A0356'> "
                    + "<query xmlns='http://jabber.org/protocol/disco#info' node='MILEHost'> <identity category='pubsub' type='leaf'/> "
                    + "<feature var='http://jabber.org/protocol/pubsub'/> <x xmlns='jabber:x:data' type='result'> "
                    + "<field var='FORM_TYPE' type='hidden'> <value>http://jabber.org/protocol/pubsub#meta-data</value> </field> "
                    + "<field var='pubsub#type' label='Payload type' type='text-single'> <value>urn:ietf:params:xml:ns:iodef-2.0</value> "
                    + "</field> </x> </query> </iq>", c.nextStanza(WAIT), map);

            // the Consumer subscribes: authorize model, so the request is pending ...
            c.send("<iq type='set' to='broker.grid.local' id='9C6EEE9E-F09A-4418-8D68-3BA6AF852522'>"
                    + "<pubsub xmlns='http://jabber.org/protocol/pubsub'><subscribe node='" + topic + "' jid='"
                    + consumer + "@grid.local'/></pubsub></iq>");
            Transcript.assertSame("<iq type='result' from='broker.security-grid.example' "
                    + "to='xmpp-grid-client@mile-host.example/2EBE702A97D6' id='9C6EEE9E-F09A-4418-8D68-3BA6AF852522'> "
                    + "<pubsub xmlns='http://jabber.org/protocol/pubsub'> <subscription node='MILEHost' "
                    + "jid='xmpp-grid-client@mile-host.example' subscription='pending' subid='x'/> </pubsub> </iq>",
                    c.nextStanza(WAIT), map);

            // ... the owner gets the XEP-0060 §8.6.1 approval form and approves (§8.6.2)
            String form = p.nextStanza(WAIT);
            assertTrue(form.contains("<value>http://jabber.org/protocol/pubsub#subscribe_authorization</value>"), form);
            assertTrue(form.contains("<value>" + consumer + "@grid.local</value>"), form);
            String subid = form.replaceAll("(?s).*var=\"pubsub#subid\" type=\"hidden\"><value>([^<]+)</value>.*", "$1");
            p.send("<message to='broker.grid.local' id='approve1'><x xmlns='jabber:x:data' type='submit'>"
                    + "<field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#subscribe_authorization</value></field>"
                    + "<field var='pubsub#subid'><value>" + subid + "</value></field>"
                    + "<field var='pubsub#node'><value>" + topic + "</value></field>"
                    + "<field var='pubsub#subscriber_jid'><value>" + consumer + "@grid.local</value></field>"
                    + "<field var='pubsub#allow'><value>true</value></field></x></message>");
            // ... and the Consumer is told (XEP-0060 §8.6, example approvalnotify1: an event, not a <pubsub/> wrapper)
            Transcript.assertSame("<message from='broker.security-grid.example' to='xmpp-grid-client@mile-host.example/2EBE702A97D6' "
                    + "id='x'><event xmlns='http://jabber.org/protocol/pubsub#event'><subscription node='MILEHost' "
                    + "jid='xmpp-grid-client@mile-host.example' subscription='subscribed' subid='x'/></event></message>",
                    c.nextStanza(WAIT), map);

            // the Provider publishes the RFC 7970 example ...
            p.send("<iq type='set' to='broker.grid.local' id='2A17D283-0DAE-4A6C-85A9-C10B1B40928C'> "
                    + "<pubsub xmlns='http://jabber.org/protocol/pubsub'> <publish node='" + topic + "'> "
                    + "<item id='8bh1g27skbga47fh9wk7'>" + IODEF_EXAMPLE + "</item> </publish> </pubsub> </iq>");
            Transcript.assertSame("<iq type='result' from='broker.security-grid.example' to='datasource@provider.example/F12C2EFC9BB0' "
                    + "id='2A17D283-0DAE-4A6C-85A9-C10B1B40928C'><pubsub xmlns='http://jabber.org/protocol/pubsub'>"
                    + "<publish node='MILEHost'><item id='8bh1g27skbga47fh9wk7'/></publish></pubsub></iq>", p.nextStanza(WAIT), map);

            // ... and the Broker delivers it to the subscribed Consumer (§6, last example; the RFC's item id differs)
            Transcript.assertSame("<message from='broker.security-grid.example' to='xmpp-grid-client@mile-host.example/2EBE702A97D6' "
                    + "id='37B3921D-4F7F-450F-A589-56119A88BC2E'> <event xmlns='http://jabber.org/protocol/pubsub#event'> "
                    + "<items node='MILEHost'> <item id='8bh1g27skbga47fh9wk7'>" + IODEF_EXAMPLE + "</item> </items> </event> </message>",
                    c.nextStanza(WAIT), map);
        }
    }
}
