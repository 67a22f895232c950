package io.xmppgrid.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StanzasTest {

    @Test // RFC 6120 §4.8.3: a jabber:server stanza is handled as the same jabber:client stanza
    void aServerStreamsStanzaMovesToTheClientNamespaceWithItsPayloadUntouched() {
        XmlElement parsed = XmlReader.parse("<message from='a@peer.example' to='b@grid.local' id='m'><body>hi</body>"
                + "<event xmlns='http://jabber.org/protocol/pubsub#event'><items node='n'/></event>"
                + "<error type='cancel'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>",
                Ns.SERVER);
        XmlElement moved = Stanzas.inNamespace(parsed, Ns.SERVER, Ns.CLIENT);
        assertTrue(Stanzas.isMessage(moved));
        assertEquals("hi", moved.child("body", Ns.CLIENT).text());
        assertEquals("forbidden", Stanzas.errorCondition(moved));
        assertSame(parsed.elements().get(1), moved.elements().get(1), "other namespaces are kept as they are");
        assertEquals(XmlWriter.toXml(parsed, Ns.SERVER), XmlWriter.toXml(moved, Ns.CLIENT), "the same text on each stream");
        XmlElement payloadOnly = XmlElement.builder("x", "urn:example").text("t").build();
        assertSame(payloadOnly, Stanzas.inNamespace(payloadOnly, Ns.SERVER, Ns.CLIENT));
    }
}
