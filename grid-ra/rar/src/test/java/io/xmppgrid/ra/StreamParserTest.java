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
