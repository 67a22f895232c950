package io.xmppgrid.xmpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 7622 address rules. */
class JidTest {

    @Test // §3.1: the three parts
    void partsAreSplit() {
        Jid j = Jid.parse("juliet@example.com/balcony");
        assertEquals("juliet", j.local());
        assertEquals("example.com", j.domainPart());
        assertEquals("balcony", j.resource());
        assertEquals(Jid.parse("juliet@example.com"), j.bare());
        assertTrue(Jid.parse("example.com").isDomain());
    }

    @Test // §3.5 examples: a resourcepart may contain '@' and '/'
    void resourceMayContainAtAndSlash() {
        Jid j = Jid.parse("juliet@example.com/foo@bar/baz");
        assertEquals("foo@bar/baz", j.resource());
        assertEquals("example.com", Jid.parse("example.com/foobar@baz").domainPart());
    }

    @Test // §3.3.2: localpart case mapping; §3.2.2: domain lower case, trailing dot removed
    void normalization() {
        assertEquals(Jid.parse("juliet@example.com"), Jid.parse("JULIET@Example.COM."));
        assertEquals("Balcony", Jid.parse("a@b/Balcony").resource()); // resources keep case
    }

    @ParameterizedTest // §3.3.1: forbidden localpart characters, §3.1: empty parts
    @ValueSource(strings = {"\"juliet\"@example.com", "foo bar@example.com", "juliet@", "@example.com",
            "juliet@example.com/", "jul:iet@example.com", "a<b@example.com", ""})
    void invalidAddresses(String s) {
        assertThrows(Jid.JidFormatException.class, () -> Jid.parse(s));
        assertNull(Jid.parseOrNull(s));
    }

    @Test // §3.1: each part at most 1023 octets
    void partLength() {
        assertThrows(Jid.JidFormatException.class, () -> Jid.parse("a".repeat(1024) + "@example.com"));
        assertEquals(1023, Jid.parse("a".repeat(1023) + "@example.com").local().length());
    }

    @Test // §3.2: plain ASCII domains (the fast path) and IDNs (the IDNA path) normalize alike
    void domainsAsIdnaWouldHaveThem() {
        for (String d : new String[] {"grid.local", "Grid.LOCAL", "broker.grid.local.", "a-b.example", "x1.example",
                "b\u00fccher.example", "XN--BCHER-KVA.example", "xn--bcher-kva.example"}) {
            String viaIdna = java.text.Normalizer.normalize(java.net.IDN.toUnicode(java.net.IDN.toASCII(
                    d.endsWith(".") ? d.substring(0, d.length() - 1) : d, java.net.IDN.USE_STD3_ASCII_RULES),
                    java.net.IDN.USE_STD3_ASCII_RULES).toLowerCase(java.util.Locale.ROOT), java.text.Normalizer.Form.NFC);
            assertEquals(viaIdna, Jid.normalizeDomain(d), d);
        }
        assertEquals("b\u00fccher.example", Jid.normalizeDomain("xn--bcher-kva.example"), "A-labels become U-labels");
        for (String bad : new String[] {"-a.example", "a-.example", "a..example", "a_b.example", "a".repeat(64) + ".example"}) {
            assertThrows(Jid.JidFormatException.class, () -> Jid.normalizeDomain(bad), bad);
        }
    }
}
