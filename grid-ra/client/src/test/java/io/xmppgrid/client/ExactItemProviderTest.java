package io.xmppgrid.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.iodef.IodefSchema;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smackx.pubsub.Item;
import org.jivesoftware.smackx.pubsub.PayloadItem;
import org.junit.jupiter.api.Test;

/** A consumer gets the document that was published (Smack 4.4's item provider loses xml:lang's prefix). */
class ExactItemProviderTest {

    @Test
    void prefixesNamespacesAndEscapesSurvive() throws Exception {
        String iodef = GridClientDocumentsTest.IODEF.replace("xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\">",
                "xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                        + "xsi:schemaLocation=\"urn:x a&amp;b\">")
                .replace("<ContactName>CSIRT</ContactName>", "<ContactName>A &lt;B&gt; &amp; \"C\"</ContactName>");
        assertNull(IodefSchema.INSTANCE.problem(iodef));
        String stanza = "<item xmlns='http://jabber.org/protocol/pubsub#event' id='i1' publisher='s@grid.local'>" + iodef + "</item>";
        XmlPullParser p = PacketParserUtils.getParserFor(stanza);
        Item item = new ExactItemProvider().parse(p, p.getDepth(), null);
        assertEquals("i1", item.getId());
        assertEquals("s@grid.local", ExactItemProvider.publisher(item), "pubsub#itemreply=publisher");
        String payload = ((PayloadItem<?>) item).getPayload().toXML().toString();
        assertTrue(payload.contains("xml:lang=\"en\""), payload);
        assertTrue(payload.contains("xsi:schemaLocation=\"urn:x a&amp;b\"") && payload.contains("xmlns:xsi="), payload);
        assertTrue(payload.contains("A &lt;B&gt; &amp; \"C\""), payload);
        assertEquals(1, payload.split("xmlns=", -1).length - 1, "the default namespace declared once: " + payload);
        assertNull(IodefSchema.INSTANCE.problem(payload), payload);

        String prefixed = "<item xmlns='http://jabber.org/protocol/pubsub' id='i2'><p:x xmlns:p='urn:p' xmlns:q='urn:q' q:a='1'>"
                + "<p:y/><z xmlns=''/></p:x></item>";
        p = PacketParserUtils.getParserFor(prefixed);
        String other = ((PayloadItem<?>) new ExactItemProvider().parse(p, p.getDepth(), null)).getPayload().toXML().toString();
        assertEquals("<p:x xmlns:p=\"urn:p\" xmlns:q=\"urn:q\" q:a=\"1\"><p:y></p:y><z></z></p:x>", other);
        p = PacketParserUtils.getParserFor("<item xmlns='http://jabber.org/protocol/pubsub#event' id='i3'/>");
        Item empty = new ExactItemProvider().parse(p, p.getDepth(), null);
        assertEquals("i3", empty.getId());
        assertEquals(null, ExactItemProvider.publisher(empty));
        assertTrue(!(empty instanceof PayloadItem<?>), "a notification-only item has no payload");
    }
}
