package io.xmppgrid.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class XmlWriterTest {

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
}
