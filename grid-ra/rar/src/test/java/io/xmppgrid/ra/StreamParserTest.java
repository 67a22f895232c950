package io.xmppgrid.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.StreamError;
import io.xmppgrid.xmpp.XmlElement;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stream parser without a container: events, restrictions (RFC 6120 §11.1) and limits. */
class StreamParserTest {

    private static final String HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            + "xmlns:stream='http://etherx.jabber.org/streams' to='grid.local' version='1.0'>";

    /** Feeds the input in chunks of {@code chunk} bytes and collects every event. */
    private static List<StreamParser.Event> parse(byte[] in, int chunk, int maxBytes, int maxDepth) throws StreamFault {
        StreamParser p = new StreamParser(maxBytes, maxDepth);
        List<StreamParser.Event> events = new ArrayList<>();
        int off = 0;
        while (true) {
            StreamParser.Event e = p.next();
            if (e != null) {
                events.add(e);
                continue;
            }
            if (off >= in.length) {
                return events;
            }
            int n = Math.min(chunk, in.length - off);
            byte[] piece = new byte[n];
            System.arraycopy(in, off, piece, 0, n);
            p.feed(piece, 0, n);
            off += n;
        }
    }

    private static List<StreamParser.Event> parse(String s) throws StreamFault {
        return parse(s.getBytes(StandardCharsets.UTF_8), 7, 1 << 20, 32);
    }

    private static StreamError fault(String s) {
        return assertThrows(StreamFault.class, () -> parse(s)).error();
    }

    @Test
    void headerStanzaAndCloseInArbitraryChunks() throws Exception {
        String doc = HEADER + "<iq type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>"
                + "<message to='a@b'><body>x &amp; &lt;y&gt; &#x41;</body></message></stream:stream>";
        for (int chunk : new int[] {1, 3, 64, 4096}) {
            List<StreamParser.Event> ev = parse(doc.getBytes(StandardCharsets.UTF_8), chunk, 1 << 20, 32);
            assertEquals(4, ev.size(), "chunk " + chunk);
            assertEquals(StreamParser.Kind.OPEN, ev.get(0).kind());
            assertEquals(Ns.CLIENT, ev.get(0).defaultNamespace());
            assertEquals("grid.local", ev.get(0).element().attribute("to"));
            XmlElement iq = ev.get(1).element();
            assertEquals("iq", iq.name());
            assertEquals(Ns.CLIENT, iq.namespace());
            assertEquals(Ns.PING, iq.elements().get(0).namespace());
            assertEquals("x & <y> A", ev.get(2).element().child("body", Ns.CLIENT).text());
            assertEquals(StreamParser.Kind.CLOSE, ev.get(3).kind());
        }
    }

    @Test
    void restrictedXml() {
        assertEquals(StreamError.RESTRICTED_XML, fault("<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]>" + HEADER.substring(21)));
        assertEquals(StreamError.RESTRICTED_XML, fault(HEADER + "<!-- c -->"));
        assertEquals(StreamError.RESTRICTED_XML, fault(HEADER + "<?pi x?>"));
        assertEquals(StreamError.RESTRICTED_XML, fault(HEADER + "<message><body>&ent;</body></message>"));
    }

    @Test
    void notWellFormed() {
        assertEquals(StreamError.NOT_WELL_FORMED, fault(HEADER + "<message><body></message>"));
        assertEquals(StreamError.NOT_WELL_FORMED, fault(HEADER + "<message a='1' a='2'/>"));
        byte[] bad = (HEADER + "<message><body>").getBytes(StandardCharsets.UTF_8);
        byte[] in = new byte[bad.length + 2];
        System.arraycopy(bad, 0, in, 0, bad.length);
        in[bad.length] = (byte) 0xC3;
        in[bad.length + 1] = (byte) 0x28;
        assertEquals(StreamError.NOT_WELL_FORMED, assertThrows(StreamFault.class, () -> parse(in, 5, 1 << 20, 32)).error());
    }

    /** Feeds everything at once, then asks for events without feeding more: what the server does while the peer waits. */
    private static StreamError faultWithoutMoreInput(String s, int chunk) throws StreamFault {
        StreamParser p = new StreamParser(1 << 20, 32);
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        try {
            for (int off = 0; off < in.length; off += chunk) {
                int n = Math.min(chunk, in.length - off);
                byte[] piece = new byte[n];
                System.arraycopy(in, off, piece, 0, n);
                p.feed(piece, 0, n);
                while (p.next() != null) {
                    // drain
                }
            }
        } catch (StreamFault f) {
            return f.error();
        }
        return null;
    }

    @Test // RFC 6120 §11.3 (well-formed) / §4.9.3.13: a mismatched end tag is reported as soon as it is complete
    void mismatchedEndTagIsReportedWithoutMoreInput() throws Exception {
        for (int chunk : new int[] {1, 2, 5, 4096}) {
            assertEquals(StreamError.NOT_WELL_FORMED, faultWithoutMoreInput(HEADER + "<x xmlns='urn:x'><y></x>", chunk), "chunk " + chunk);
            assertEquals(StreamError.NOT_WELL_FORMED, faultWithoutMoreInput(HEADER + "<x xmlns='urn:x'><y></x >", chunk), "chunk " + chunk);
            assertEquals(StreamError.NOT_WELL_FORMED, faultWithoutMoreInput(HEADER + "<x xmlns='urn:x'><y>text</x>", chunk), "chunk " + chunk);
            assertEquals(StreamError.NOT_WELL_FORMED, faultWithoutMoreInput(HEADER + "<x xmlns='urn:x'><y></y></z>", chunk), "chunk " + chunk);
            assertEquals(StreamError.NOT_WELL_FORMED, faultWithoutMoreInput(HEADER + "</z>", chunk), "chunk " + chunk);
            assertEquals(StreamError.NOT_WELL_FORMED, faultWithoutMoreInput(HEADER + "<p:x xmlns:p='urn:x'></x>", chunk), "chunk " + chunk);
            // matching tags, an incomplete tag and an end tag inside CDATA are no error
            assertNull(faultWithoutMoreInput(HEADER + "<x xmlns='urn:x'><y></y></x>", chunk), "chunk " + chunk);
            assertNull(faultWithoutMoreInput(HEADER + "<p:x xmlns:p='urn:x'><y></y></p:x>", chunk), "chunk " + chunk);
            assertNull(faultWithoutMoreInput(HEADER + "<x xmlns='urn:x'><y></x", chunk), "chunk " + chunk);
            assertNull(faultWithoutMoreInput(HEADER + "<x xmlns='urn:x'><y><![CDATA[ </x>", chunk), "chunk " + chunk);
            assertNull(faultWithoutMoreInput(HEADER + "<x xmlns='urn:x'><y><![CDATA[ </x> ]]></y></x>", chunk), "chunk " + chunk);
        }
    }

    @Test
    void limits() {
        String big = HEADER + "<message><body>" + "x".repeat(5000) + "</body></message>";
        assertEquals(StreamError.POLICY_VIOLATION, assertThrows(StreamFault.class,
                () -> parse(big.getBytes(StandardCharsets.UTF_8), 512, 4096, 32)).error());
        String deep = HEADER + "<message>" + "<a>".repeat(10);
        assertEquals(StreamError.POLICY_VIOLATION, assertThrows(StreamFault.class,
                () -> parse(deep.getBytes(StandardCharsets.UTF_8), 64, 1 << 20, 8)).error());
    }

    @Test
    void attributeAndNameLimits() {
        StringBuilder attrs = new StringBuilder(HEADER + "<message");
        for (int i = 0; i <= StreamParser.MAX_ATTRIBUTES; i++) {
            attrs.append(" a").append(i).append("='x'");
        }
        attrs.append("/>");
        assertEquals(StreamError.POLICY_VIOLATION, fault(attrs.toString()));
        StringBuilder names = new StringBuilder(HEADER);
        for (int i = 0; i <= StreamParser.MAX_DISTINCT_NAMES; i++) {
            names.append("<n").append(i).append("/>");
        }
        assertEquals(StreamError.POLICY_VIOLATION, assertThrows(StreamFault.class,
                () -> parse(names.toString().getBytes(StandardCharsets.UTF_8), 4096, 1 << 20, 32)).error());
    }

    /** Feeds the whole input at once and returns the fault feed() itself raised (before Aalto parsed anything). */
    private static StreamFault refusedWhileFed(String in, int maxDistinctNames) {
        StreamParser p = new StreamParser(1 << 20, 32, maxDistinctNames);
        byte[] b = in.getBytes(StandardCharsets.UTF_8);
        return assertThrows(StreamFault.class, () -> p.feed(b, 0, b.length), "refused by the scan, before parsing");
    }

    /**
     * Issue 18 §1: a stream header with 12,000 namespace declarations (242 KB) or 15,000 attributes is refused while
     * its bytes are fed, before the parser handles any of them (Aalto's handling is quadratic): RFC 6120 §4.9.3.14
     * {@code <policy-violation/>}. Declarations count with attributes.
     */
    @Test
    void startTagsWithThousandsOfDeclarationsOrAttributesAreRefusedBeforeParsing() {
        StringBuilder ns = new StringBuilder("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'");
        for (int i = 0; i < 12_000; i++) {
            ns.append(" xmlns:p").append(i).append("='urn:x:").append(i).append('\'');
        }
        ns.append('>');
        StreamFault f = refusedWhileFed(ns.toString(), StreamParser.MAX_DISTINCT_NAMES_UNAUTHENTICATED);
        assertEquals(StreamError.POLICY_VIOLATION, f.error());
        StringBuilder attrs = new StringBuilder(HEADER + "<message");
        for (int i = 0; i < 15_000; i++) {
            attrs.append(" a").append(i % 50).append(" = \"v\"");
        }
        assertEquals(StreamError.POLICY_VIOLATION, refusedWhileFed(attrs + "/>", StreamParser.MAX_DISTINCT_NAMES).error());
        // 62 of them together (31 declarations, 31 attributes in those namespaces) are fine
        StringBuilder ok = new StringBuilder(HEADER + "<message");
        for (int i = 0; i < 31; i++) {
            ok.append(" xmlns:q").append(i).append("='urn:q").append(i).append("' q").append(i).append(":x='1'");
        }
        ok.append("/>");
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> parse(ok.toString()));
    }

    /**
     * Issue 18 §2: names are bounded in length (256 bytes) and in number per stream, counted with their prefixes (so
     * fresh prefixes are fresh names), with a small budget before authentication.
     */
    @Test
    void namesAreBoundedInLengthAndNumberWithTheirPrefixes() throws Exception {
        String longName = "n".repeat(TagScanner.MAX_NAME_BYTES + 1);
        assertEquals(StreamError.POLICY_VIOLATION, refusedWhileFed(HEADER + "<" + longName + "/>", 2000).error());
        assertEquals(StreamError.POLICY_VIOLATION, refusedWhileFed(HEADER + "<x " + longName + "='1'/>", 2000).error());
        StringBuilder prefixes = new StringBuilder(HEADER);
        for (int i = 0; i < 100; i++) {
            prefixes.append("<p").append(i).append(":auth xmlns:p").append(i).append("='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        }
        assertEquals(StreamError.POLICY_VIOLATION,
                refusedWhileFed(prefixes.toString(), StreamParser.MAX_DISTINCT_NAMES_UNAUTHENTICATED).error());
        // an ordinary unauthenticated exchange stays far below the budget
        String sasl = HEADER + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
                + "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256'>biwsbj1h</auth>"
                + "<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>Yz1i</response><abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>";
        StreamParser p = new StreamParser(1 << 20, 32, StreamParser.MAX_DISTINCT_NAMES_UNAUTHENTICATED);
        byte[] b = sasl.getBytes(StandardCharsets.UTF_8);
        p.feed(b, 0, b.length);
        int events = 0;
        while (p.next() != null) {
            events++;
        }
        assertEquals(5, events);
    }

    /**
     * Issue 18 §2: namespace names are bounded too. Aalto keeps every namespace name it meets in one table that all
     * streams share (716 entries, interned, behind one lock): a declaration longer than 1 KiB is refused, and distinct
     * namespace names count against the stream's budget of names, before and after authentication
     * (RFC 6120 §4.9.3.14 {@code <policy-violation/>}).
     */
    @Test
    void namespaceNamesAreBoundedInLengthAndNumber() throws Exception {
        String longUri = "urn:x:" + "u".repeat(TagScanner.MAX_NAMESPACE_BYTES);
        assertEquals(StreamError.POLICY_VIOLATION,
                refusedWhileFed(HEADER + "<message xmlns='" + longUri + "'/>", 2000).error());
        assertEquals(StreamError.POLICY_VIOLATION,
                refusedWhileFed(HEADER + "<message xmlns:p=\"" + longUri + "\"/>", 2000).error());
        // fresh namespaces under one prefix: one name, many namespace names
        StringBuilder fresh = new StringBuilder(HEADER);
        for (int i = 0; i < 100; i++) {
            fresh.append("<auth xmlns='urn:fresh:").append(i).append("'/>");
        }
        assertEquals(StreamError.POLICY_VIOLATION,
                refusedWhileFed(fresh.toString(), StreamParser.MAX_DISTINCT_NAMES_UNAUTHENTICATED).error());
        // a long value of an ordinary attribute is not a namespace name; the same namespace again costs nothing
        StringBuilder same = new StringBuilder(HEADER + "<message id='" + longUri + "'/>");
        for (int i = 0; i < 100; i++) {
            same.append("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
        }
        assertEquals(102, parse(same.toString()).size());
    }

    /** What looks like markup inside attribute values and CDATA sections is text: it counts for nothing. */
    @Test
    void markupInValuesAndCdataIsNotCounted() throws Exception {
        StringBuilder s = new StringBuilder(HEADER + "<message id='a=b&gt;c' type=\"x'=y\"><body><![CDATA[");
        for (int i = 0; i < 2000; i++) {
            s.append("<e").append(i).append(" a=1 b=2 c=3]]x>");
        }
        s.append("]]></body></message>");
        List<StreamParser.Event> ev = parse(s.toString().getBytes(StandardCharsets.UTF_8), 5, 1 << 20, 32);
        assertEquals(2, ev.size());
        assertEquals("a=b>c", ev.get(1).element().attribute("id"));
    }

    @Test
    void manySmallStanzasDoNotAddUpToTheLimit() throws Exception {
        StringBuilder s = new StringBuilder(HEADER);
        for (int i = 0; i < 200; i++) {
            s.append("<message><body>0123456789</body></message> ");
        }
        assertEquals(201, parse(s.toString().getBytes(StandardCharsets.UTF_8), 1000, 1024, 32).size());
    }

    @Test
    void incompleteInputWaits() throws Exception {
        StreamParser p = new StreamParser(1 << 20, 32);
        byte[] b = (HEADER + "<iq type='get'><pi").getBytes(StandardCharsets.UTF_8);
        p.feed(b, 0, b.length);
        assertEquals(StreamParser.Kind.OPEN, p.next().kind());
        assertNull(p.next());
    }
}
