package io.xmppgrid.ra;

import com.fasterxml.aalto.AsyncByteArrayFeeder;
import com.fasterxml.aalto.AsyncXMLInputFactory;
import com.fasterxml.aalto.AsyncXMLStreamReader;
import com.fasterxml.aalto.stax.InputFactoryImpl;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.StreamError;
import io.xmppgrid.xmpp.XmlElement;
import java.util.ArrayDeque;
import java.util.Deque;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;

/**
 * Incremental parser for one XML stream (RFC 6120 §4): bytes in, events out — the stream
 * header, each complete top-level element, and the stream's end. Built on Aalto's
 * non-blocking reader, with the restrictions of RFC 6120 §11.1 enforced here because Aalto
 * reports rather than refuses them: a DOCTYPE, comment, processing instruction or entity
 * reference ends the stream with {@code <restricted-xml/>}; input that is not well-formed
 * or not UTF-8 with {@code <not-well-formed/>}; a top-level element longer than the byte
 * limit or nested deeper than the depth limit with {@code <policy-violation/>}.
 *
 * <p>Aalto leaves an end tag that does not match its start tag unreported until more bytes
 * arrive when the tag is shorter than its fast-path look-ahead (about four bytes more than the
 * expected name). A peer that sends {@code <x><y></x>} and waits would hear nothing, so when the
 * reader needs input this parser looks at the bytes after the last event itself and reports a
 * complete mismatched end tag at once (RFC 6120 §11.3, §4.9.3.13).
 *
 * <p>A new parser is used for every stream (after STARTTLS and SASL success the stream restarts).
 */
final class StreamParser {

    enum Kind { OPEN, ELEMENT, CLOSE }

    /** OPEN carries the stream element (attributes only); ELEMENT a stanza or nonza. */
    record Event(Kind kind, XmlElement element, String defaultNamespace) {
    }

    /** More attributes than this on one element is refused (Aalto's attribute handling is quadratic). */
    static final int MAX_ATTRIBUTES = TagScanner.MAX_ATTRIBUTES;
    /**
     * Distinct qualified element and attribute names per authenticated stream. Aalto keeps every name of a stream in
     * a symbol table that slows down as it grows, so an endless supply of fresh names is refused (by the
     * {@link TagScanner}, before Aalto sees them).
     */
    static final int MAX_DISTINCT_NAMES = 2_000;
    /** The same before authentication: a stream header, STARTTLS and SASL need a few dozen. */
    static final int MAX_DISTINCT_NAMES_UNAUTHENTICATED = 64;
    /** Unparsed bytes looked at for a pending end tag; a longer remainder is left to Aalto. */
    static final int MAX_PENDING_END_TAG = 1024;

    private static final AsyncXMLInputFactory FACTORY = newFactory();

    private final AsyncXMLStreamReader<AsyncByteArrayFeeder> reader;
    private final int maxElementBytes;
    private final int maxDepth;
    private final Deque<XmlElement.Builder> stack = new ArrayDeque<>();
    private final Deque<String> qnames = new ArrayDeque<>(); // prefixed names of the open elements, root first
    private final Deque<Chunk> recent = new ArrayDeque<>();  // the fed arrays that may hold unparsed bytes
    private long lastEventEnd;    // byte offset after the last event Aalto reported
    private boolean lastWasCdata; // the last event was CDATA: what follows may still be inside it
    private final TagScanner scanner;
    private long fed;
    private final StringBuilder prolog = new StringBuilder(); // bytes before the stream header, as Latin-1
    private long boundary; // byte offset where the current top-level element (or gap) began
    private boolean opened;
    private boolean closed;

    /** One fed array (not copied: Aalto reads it in place and it is never changed). */
    private record Chunk(long start, byte[] bytes, int off, int len) {
        long end() {
            return start + len;
        }
    }

    StreamParser(int maxElementBytes, int maxDepth) {
        this(maxElementBytes, maxDepth, MAX_DISTINCT_NAMES);
    }

    StreamParser(int maxElementBytes, int maxDepth, int maxDistinctNames) {
        this.reader = FACTORY.createAsyncForByteArray();
        this.maxElementBytes = maxElementBytes;
        this.maxDepth = maxDepth;
        this.scanner = new TagScanner(maxDistinctNames);
    }

    private static AsyncXMLInputFactory newFactory() {
        InputFactoryImpl f = new InputFactoryImpl();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, Boolean.TRUE);
        f.setProperty(XMLInputFactory.IS_COALESCING, Boolean.FALSE);
        return f;
    }

    /** The stream's end was parsed: no more events will come. */
    boolean finished() {
        return closed;
    }

    boolean needsInput() {
        return reader.getInputFeeder().needMoreInput();
    }

    /** Feeds bytes; the array must not be changed afterwards (Aalto reads it in place). */
    void feed(byte[] bytes, int off, int len) throws StreamFault {
        // the bytes of the current element already parsed, plus at most one chunk (a TLS record or a read)
        checkBudget(fed);
        if (len > 0) {
            recent.addLast(new Chunk(fed, bytes, off, len));
        }
        fed += len;
        while (!recent.isEmpty() && recent.peekFirst().end() <= Math.max(lastEventEnd, fed - MAX_PENDING_END_TAG)) {
            recent.removeFirst();
        }
        scanner.scan(bytes, off, len); // start tags Aalto would labour over are refused before it sees them
        if (!opened && prolog.length() < 4096) {
            prolog.append(new String(bytes, off, Math.min(len, 4096), java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        try {
            reader.getInputFeeder().feedInput(bytes, off, len);
        } catch (XMLStreamException e) {
            throw new StreamFault(StreamError.NOT_WELL_FORMED, "XML error: " + e.getMessage());
        }
    }

    private void checkBudget(long position) throws StreamFault {
        // header and gaps between stanzas count too: nothing may grow without bound
        if (position - boundary > maxElementBytes) {
            throw new StreamFault(StreamError.POLICY_VIOLATION,
                    "element exceeds " + maxElementBytes + " bytes");
        }
    }

    /**
     * The next event, fed from {@code source} (the connection's received chunks) as it needs input;
     * null when the source has nothing more now, or the stream has finished. {@code fed} is told the
     * size of each chunk fed.
     */
    Event next(java.util.function.Supplier<byte[]> source, java.util.function.IntConsumer fed) throws StreamFault {
        while (true) {
            Event ev = next();
            if (ev != null) {
                return ev;
            }
            if (!needsInput()) {
                if (finished()) {
                    return null;
                }
                continue;
            }
            byte[] chunk = source.get();
            if (chunk == null) {
                return null;
            }
            fed.accept(chunk.length);
            feed(chunk, 0, chunk.length);
        }
    }

    /** The next event, or null when more input is needed. */
    Event next() throws StreamFault {
        if (closed) {
            return null;
        }
        try {
            while (true) {
                int ev = reader.next();
                if (ev != AsyncXMLStreamReader.EVENT_INCOMPLETE) {
                    lastEventEnd = position();
                    lastWasCdata = ev == XMLStreamConstants.CDATA;
                    checkBudget(lastEventEnd);
                }
                switch (ev) {
                    case AsyncXMLStreamReader.EVENT_INCOMPLETE:
                        checkPendingEndTag();
                        return null;
                    case XMLStreamConstants.START_DOCUMENT:
                        String enc = reader.getCharacterEncodingScheme();
                        if (enc != null && !enc.equalsIgnoreCase("UTF-8")) {
                            throw new StreamFault(StreamError.UNSUPPORTED_ENCODING, "encoding " + enc);
                        }
                        break;
                    case XMLStreamConstants.START_ELEMENT: {
                        Event e = startElement();
                        if (e != null) {
                            return e;
                        }
                        break;
                    }
                    case XMLStreamConstants.END_ELEMENT: {
                        Event e = endElement();
                        if (e != null) {
                            return e;
                        }
                        break;
                    }
                    case XMLStreamConstants.CHARACTERS:
                    case XMLStreamConstants.CDATA:
                    case XMLStreamConstants.SPACE:
                        if (!stack.isEmpty()) {
                            stack.peek().text(reader.getText());
                        } else if (!reader.isWhiteSpace()) {
                            throw new StreamFault(StreamError.NOT_WELL_FORMED, "text at stream level");
                        } else {
                            markBoundary(); // whitespace keepalive between stanzas
                        }
                        break;
                    case XMLStreamConstants.DTD:
                        throw new StreamFault(StreamError.RESTRICTED_XML, "DOCTYPE");
                    case XMLStreamConstants.COMMENT:
                        throw new StreamFault(StreamError.RESTRICTED_XML, "comment");
                    case XMLStreamConstants.PROCESSING_INSTRUCTION:
                        throw new StreamFault(StreamError.RESTRICTED_XML, "processing instruction");
                    case XMLStreamConstants.ENTITY_REFERENCE:
                        throw new StreamFault(StreamError.RESTRICTED_XML, "entity reference");
                    case XMLStreamConstants.END_DOCUMENT:
                        closed = true;
                        return null;
                    default:
                        throw new StreamFault(StreamError.RESTRICTED_XML, "XML event " + ev);
                }
            }
        } catch (XMLStreamException e) {
            String msg = String.valueOf(e.getMessage());
            if (!opened && prolog.indexOf("<!DOCTYPE") >= 0) {
                // Aalto refuses an internal subset with a syntax error; it is a DTD all the same (RFC 6120 §11.1)
                throw new StreamFault(StreamError.RESTRICTED_XML, "DOCTYPE");
            }
            if (msg.contains("ntity")) {
                throw new StreamFault(StreamError.RESTRICTED_XML, "entity: " + firstLine(msg));
            }
            throw new StreamFault(StreamError.NOT_WELL_FORMED, firstLine(msg));
        } catch (RuntimeException e) {
            // Aalto signals some malformed input (e.g. bad UTF-8) with unchecked exceptions
            throw new StreamFault(StreamError.NOT_WELL_FORMED, firstLine(String.valueOf(e.getMessage())));
        }
    }

    private Event startElement() throws StreamFault {
        String prefix = reader.getPrefix();
        String qname = prefix == null || prefix.isEmpty() ? reader.getLocalName() : prefix + ':' + reader.getLocalName();
        if (!opened) {
            opened = true;
            qnames.push(qname);
            XmlElement header = currentElement().build();
            markBoundary();
            return new Event(Kind.OPEN, header, defaultNamespaceDeclared());
        }
        if (stack.size() + 1 > maxDepth) {
            throw new StreamFault(StreamError.POLICY_VIOLATION, "nesting deeper than " + maxDepth);
        }
        stack.push(currentElement());
        qnames.push(qname);
        return null;
    }

    private Event endElement() {
        qnames.poll();
        if (stack.isEmpty()) {
            closed = true; // </stream:stream>
            return new Event(Kind.CLOSE, null, null);
        }
        XmlElement done = stack.pop().build();
        if (stack.isEmpty()) {
            markBoundary();
            return new Event(Kind.ELEMENT, done, null);
        }
        stack.peek().child(done);
        return null;
    }

    /**
     * RFC 6120 §11.3: the stream must be well-formed, and §4.9.3.13 ends it with
     * {@code <not-well-formed/>} as soon as it is not. Called when Aalto needs more input: if the
     * bytes after its last event start with a complete end tag ({@code </name>}, optional white
     * space, {@code >}) that does not close the open element, that is reported now instead of
     * after the peer's next bytes. Text before the tag cannot contain {@code <}; after a CDATA event
     * the bytes may still be inside the section and are left to Aalto.
     */
    private void checkPendingEndTag() throws StreamFault {
        long from = lastEventEnd;
        if (!opened || lastWasCdata || fed - from < 4 || fed - from > MAX_PENDING_END_TAG || qnames.isEmpty()) {
            return;
        }
        byte[] rest = unparsed(from);
        if (rest == null) {
            return;
        }
        int lt = 0;
        while (lt < rest.length && rest[lt] != '<') {
            lt++;
        }
        if (lt + 1 >= rest.length || rest[lt + 1] != '/') {
            return;
        }
        int i = lt + 2;
        while (i < rest.length && rest[i] != '>' && !isSpace(rest[i])) {
            i++;
        }
        int nameEnd = i;
        while (i < rest.length && isSpace(rest[i])) {
            i++;
        }
        if (i >= rest.length || rest[i] != '>') {
            return; // the tag is not complete yet
        }
        String name = new String(rest, lt + 2, nameEnd - lt - 2, java.nio.charset.StandardCharsets.UTF_8);
        String expected = qnames.peek();
        if (!name.equals(expected)) {
            throw new StreamFault(StreamError.NOT_WELL_FORMED, "end tag </" + name + "> does not close <" + expected + ">");
        }
    }

    /** The bytes fed after offset {@code from}, or null when they are no longer all held. */
    private byte[] unparsed(long from) {
        if (recent.isEmpty() || recent.peekFirst().start() > from) {
            return null;
        }
        byte[] out = new byte[(int) (fed - from)];
        int n = 0;
        for (Chunk c : recent) {
            if (c.end() <= from) {
                continue;
            }
            int skip = (int) Math.max(0, from - c.start());
            System.arraycopy(c.bytes(), c.off() + skip, out, n, c.len() - skip);
            n += c.len() - skip;
        }
        return out;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private long position() {
        try {
            long end = reader.getLocationInfo().getEndingByteOffset();
            return end >= 0 ? end : fed;
        } catch (XMLStreamException e) {
            return fed;
        }
    }

    private void markBoundary() {
        long end;
        try {
            end = reader.getLocationInfo().getEndingByteOffset();
        } catch (XMLStreamException e) {
            end = -1;
        }
        boundary = end >= 0 ? end : fed;
    }

    private XmlElement.Builder currentElement() throws StreamFault {
        int n = reader.getAttributeCount();
        if (n > MAX_ATTRIBUTES) {
            throw new StreamFault(StreamError.POLICY_VIOLATION, "more than " + MAX_ATTRIBUTES + " attributes");
        }
        String ns = reader.getNamespaceURI();
        XmlElement.Builder b = XmlElement.builder(reader.getLocalName(), ns == null || ns.isEmpty() ? null : ns);
        for (int i = 0; i < n; i++) {
            String ans = reader.getAttributeNamespace(i);
            b.attribute(ans == null || ans.isEmpty() ? null : ans, reader.getAttributeLocalName(i), reader.getAttributeValue(i));
        }
        return b;
    }

    private String defaultNamespaceDeclared() {
        for (int i = 0; i < reader.getNamespaceCount(); i++) {
            String p = reader.getNamespacePrefix(i);
            if (p == null || p.isEmpty()) {
                return reader.getNamespaceURI(i);
            }
        }
        return null;
    }

    boolean isStreamNamespace(XmlElement header) {
        return header.is("stream", Ns.STREAM);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
