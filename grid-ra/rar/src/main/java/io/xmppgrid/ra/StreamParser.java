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
 * <p>A new parser is used for every stream (after STARTTLS and SASL success the stream restarts).
 */
final class StreamParser {

    enum Kind { OPEN, ELEMENT, CLOSE }

    /** OPEN carries the stream element (attributes only); ELEMENT a stanza or nonza. */
    record Event(Kind kind, XmlElement element, String defaultNamespace) {
    }

    /** More attributes than this on one element is refused (Aalto's attribute handling is quadratic). */
    static final int MAX_ATTRIBUTES = 64;
    /**
     * Distinct element and attribute names per stream. Aalto keeps every name of a stream in a
     * symbol table that slows down as it grows, so an endless supply of fresh names is refused.
     */
    static final int MAX_DISTINCT_NAMES = 10_000;

    private static final AsyncXMLInputFactory FACTORY = newFactory();

    private final AsyncXMLStreamReader<AsyncByteArrayFeeder> reader;
    private final int maxElementBytes;
    private final int maxDepth;
    private final Deque<XmlElement.Builder> stack = new ArrayDeque<>();
    private final java.util.Set<String> names = new java.util.HashSet<>();
    private long fed;
    private final StringBuilder prolog = new StringBuilder(); // bytes before the stream header, as Latin-1
    private long boundary; // byte offset where the current top-level element (or gap) began
    private boolean opened;
    private boolean closed;

    StreamParser(int maxElementBytes, int maxDepth) {
        this.reader = FACTORY.createAsyncForByteArray();
        this.maxElementBytes = maxElementBytes;
        this.maxDepth = maxDepth;
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
        fed += len;
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

    /** The next event, or null when more input is needed. */
    Event next() throws StreamFault {
        if (closed) {
            return null;
        }
        try {
            while (true) {
                int ev = reader.next();
                if (ev != AsyncXMLStreamReader.EVENT_INCOMPLETE) {
                    checkBudget(position());
                }
                switch (ev) {
                    case AsyncXMLStreamReader.EVENT_INCOMPLETE:
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
        if (!opened) {
            opened = true;
            XmlElement header = currentElement().build();
            markBoundary();
            return new Event(Kind.OPEN, header, defaultNamespaceDeclared());
        }
        if (stack.size() + 1 > maxDepth) {
            throw new StreamFault(StreamError.POLICY_VIOLATION, "nesting deeper than " + maxDepth);
        }
        stack.push(currentElement());
        return null;
    }

    private Event endElement() {
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
        noteName(reader.getLocalName());
        String ns = reader.getNamespaceURI();
        XmlElement.Builder b = XmlElement.builder(reader.getLocalName(), ns == null || ns.isEmpty() ? null : ns);
        for (int i = 0; i < n; i++) {
            noteName(reader.getAttributeLocalName(i));
            String ans = reader.getAttributeNamespace(i);
            b.attribute(ans == null || ans.isEmpty() ? null : ans, reader.getAttributeLocalName(i), reader.getAttributeValue(i));
        }
        return b;
    }

    private void noteName(String name) throws StreamFault {
        if (names.add(name) && names.size() > MAX_DISTINCT_NAMES) {
            throw new StreamFault(StreamError.POLICY_VIOLATION, "more than " + MAX_DISTINCT_NAMES + " distinct names in one stream");
        }
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
