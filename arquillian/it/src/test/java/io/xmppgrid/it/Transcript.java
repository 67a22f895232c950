package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xmppgrid.xmpp.XmlElement;
import io.xmppgrid.xmpp.XmlReader;
import java.util.Map;

/**
 * Compares stanzas as XML, ignoring only what a transcript cannot fix in advance: {@code id} and
 * {@code subid} values, and whitespace between elements (the RFC prints its examples indented).
 */
final class Transcript {

    private Transcript() {
    }

    static XmlElement canonical(String xml, Map<String, String> substitutions) {
        String s = xml;
        for (Map.Entry<String, String> e : substitutions.entrySet()) {
            s = s.replace(e.getKey(), e.getValue());
        }
        s = s.replaceAll("\\s(sub)?id=(['\"])[^'\"]*\\2", " $1id=\"ID\"");
        return strip(XmlReader.parse(s));
    }

    private static XmlElement strip(XmlElement e) {
        XmlElement.Builder b = XmlElement.builder(e.name(), e.namespace());
        e.attributes().stream() // attribute order carries no meaning in XML
                .sorted(java.util.Comparator.comparing((XmlElement.Attribute a) -> String.valueOf(a.namespace()))
                        .thenComparing(XmlElement.Attribute::name))
                .forEach(a -> b.attribute(a.namespace(), a.name(), a.value()));
        boolean hasElements = !e.elements().isEmpty();
        for (Object c : e.content()) {
            if (c instanceof XmlElement) {
                b.child(strip((XmlElement) c));
            } else if (!hasElements || !((String) c).isBlank()) {
                b.text((String) c);
            }
        }
        return b.build();
    }

    /** Asserts that the server's stanza has exactly the shape of the expected (RFC) one. */
    static void assertSame(String expected, String actual, Map<String, String> substitutions) {
        assertEquals(canonical(expected, substitutions).toString(), canonical(actual, Map.of()).toString(),
                "stanza differs from the transcript");
    }
}
