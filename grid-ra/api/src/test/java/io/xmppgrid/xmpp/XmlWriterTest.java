package io.xmppgrid.xmpp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class XmlWriterTest {

    private static final String EVENT = "http://jabber.org/protocol/pubsub#event";

    @Test
    void escapesTextAndAttributesAndDeclaresNamespacesOnce() {
        XmlElement e = XmlElement.builder("message", Ns.CLIENT).attribute("to", "a@b/<\"'&>")
                .child(XmlElement.builder("body", Ns.CLIENT).text("1 < 2 & 3 > 2").build())
                .child(XmlElement.empty("ping", Ns.PING))
                .build();
        assertEquals("<message to=\"a@b/&lt;&quot;&apos;&amp;&gt;\"><body>1 &lt; 2 &amp; 3 &gt; 2</body>"
                + "<ping xmlns=\"urn:xmpp:ping\"/></message>", XmlWriter.toXml(e, Ns.CLIENT));
    }

    @Test
    void xmlLangUsesThePredefinedPrefix() {
        XmlElement e = XmlElement.builder("text", Ns.STANZA_ERRORS).attribute(XmlWriter.XML_NS, "lang", "en").text("x").build();
        assertEquals("<text xmlns=\"" + Ns.STANZA_ERRORS + "\" xml:lang=\"en\">x</text>", XmlWriter.toXml(e));
    }

    /**
     * A stanza written for a {@code jabber:client} stream (RFC 6120 §4.8.3: it inherits the stream's default namespace)
     * reads back as a {@code jabber:client} stanza when the reader is told the namespace; without it the element would
     * have none and would not count as a message (what a node forwarding stanzas to another node relies on).
     */
    @Test
    void aStanzaWrittenForAClientStreamReadsBackInItsNamespace() {
        XmlElement m = XmlElement.builder("message", Ns.CLIENT).attribute("to", "a@grid.local/r")
                .child(XmlElement.builder("body", Ns.CLIENT).text("x").build())
                .child(XmlElement.empty("event", EVENT))
                .build();
        String text = XmlWriter.toXml(m, Ns.CLIENT);
        assertEquals(m, XmlReader.parse(text, Ns.CLIENT));
        assertTrue(Stanzas.isMessage(XmlReader.parse(text, Ns.CLIENT)));
        assertTrue(!Stanzas.isMessage(XmlReader.parse(text)), "without the inherited namespace it is no jabber:client stanza");
        assertEquals(m, XmlReader.parse(XmlWriter.toXml(m), Ns.CLIENT), "a declared namespace wins");
    }

    @Test
    void roundTripThroughTheReader() {
        XmlElement e = XmlElement.builder("IODEF-Document", "urn:ietf:params:xml:ns:iodef-2.0")
                .attribute("version", "2.00").attribute(XmlWriter.XML_NS, "lang", "en")
                .child(XmlElement.builder("Incident", "urn:ietf:params:xml:ns:iodef-2.0").attribute("purpose", "reporting")
                        .textChild("IncidentID", "492382 & <more>").build())
                .child(XmlElement.empty("x", "urn:other"))
                .build();
        assertEquals(e, XmlReader.parse(XmlWriter.toXml(e)));
    }

    @Test // copies of a notification share its payload: each copy is written whole, the shared child serialized once
    void copiesSharingAChildAreWrittenCorrectlyUnderAnyParentNamespace() {
        XmlElement event = XmlElement.builder("event", EVENT).child(XmlElement.builder("items", EVENT)
                .attribute("node", "n&1").child(XmlElement.builder("body", Ns.CLIENT).text("a < b").build()).build()).build();
        XmlElement message = XmlElement.builder("message", Ns.CLIENT).attribute("from", "broker.grid.local").child(event).build();
        String payload = "<event xmlns=\"" + EVENT + "\"><items node=\"n&amp;1\"><body xmlns=\"" + Ns.CLIENT
                + "\">a &lt; b</body></items></event>";
        for (String to : new String[] {"a@grid.local", "b@grid.local"}) {
            assertEquals("<message from=\"broker.grid.local\" to=\"" + to + "\">" + payload + "</message>",
                    XmlWriter.toXml(message.withAttribute("to", to), Ns.CLIENT));
        }
        // the same child under a parent of its own namespace: no declaration, whatever was kept before
        XmlElement wrapper = XmlElement.builder("wrapper", EVENT).child(event).build();
        assertEquals("<wrapper xmlns=\"" + EVENT + "\"><event><items node=\"n&amp;1\"><body xmlns=\"" + Ns.CLIENT
                + "\">a &lt; b</body></items></event></wrapper>", XmlWriter.toXml(wrapper));
        assertEquals(XmlReader.parse(XmlWriter.toXml(message)), message);
    }

    @Test // what goes on the wire: the UTF-8 of the text, kept children encoded once and shared by the copies
    void utf8IsTheEncodedTextWithSharedChildrenInAnyOrderOfUse() {
        XmlElement event = XmlElement.builder("event", EVENT).child(XmlElement.builder("items", EVENT)
                .attribute("node", "Zürich & co").child(XmlElement.builder("body", Ns.CLIENT)
                        .text("\u00e9t\u00e9 \u20ac \uD83D\uDD12 < ok").build()).build()).build();
        XmlElement message = XmlElement.builder("message", Ns.CLIENT).attribute("from", "broker.grid.local")
                .attribute("id", "\u00fcber").child(event).child(XmlElement.empty("no-store", Ns.HINTS)).build();
        for (String to : new String[] {"a@grid.local", "b@grid.local", "c@grid.local"}) {
            XmlElement copy = message.withAttribute("to", to);
            String expected = XmlWriter.toXml(copy, Ns.CLIENT);
            assertArrayEquals(expected.getBytes(StandardCharsets.UTF_8), XmlWriter.toUtf8(copy, Ns.CLIENT), to);
            assertTrue(expected.contains(" to=\"" + to + "\""), expected);
        }
        // kept bytes first, then text: both forms still agree
        XmlElement fresh = XmlElement.builder("message", Ns.CLIENT).child(XmlElement.builder("body", Ns.CLIENT)
                .text("\u00e9").build()).build();
        byte[] bytes = XmlWriter.toUtf8(fresh, Ns.CLIENT);
        assertEquals("<message><body>\u00e9</body></message>", new String(bytes, StandardCharsets.UTF_8));
        assertEquals("<message><body>\u00e9</body></message>", XmlWriter.toXml(fresh, Ns.CLIENT));
        assertEquals(XmlReader.parse(new String(XmlWriter.toUtf8(message, null), StandardCharsets.UTF_8)), message);
    }
}
