package io.xmppgrid.ra;

import io.xmppgrid.xmpp.StreamError;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Looks at a stream's bytes before the XML parser does, and refuses what would make the parser work or remember
 * more than a normal stream makes it: a start tag with more than {@link #MAX_ATTRIBUTES} attributes and namespace
 * declarations together (Aalto handles them in quadratic time, all at once when the tag is complete), a name longer
 * than {@link #MAX_NAME_BYTES}, a namespace name (the value of an {@code xmlns} declaration) longer than
 * {@link #MAX_NAMESPACE_BYTES}, and more distinct names and namespace names in one stream than its budget (Aalto keeps
 * every name it saw in the stream's symbol table, and every namespace name in a table that all streams share: 716 of
 * them, interned, behind one lock, so long or endless fresh ones would pin memory and contend for every stream). The scan is one pass over each byte, with constant state, so a hostile start tag costs
 * about what reading it costs. Only ASCII bytes are structural in UTF-8, so multi-byte characters need no decoding.
 *
 * <p>What is not well-formed is left to the parser, which reports it; this scanner only counts.
 */
final class TagScanner {

    /** Attributes plus namespace declarations on one start tag. */
    static final int MAX_ATTRIBUTES = 64;
    /** An element's or attribute's qualified name, in UTF-8 bytes. */
    static final int MAX_NAME_BYTES = 256;
    /** A namespace name, in bytes as written (XMPP's longest are under 100). */
    static final int MAX_NAMESPACE_BYTES = 1024;

    private enum State { TEXT, LT, ELEMENT_NAME, IN_TAG, ATTRIBUTE_NAME, AFTER_EQUALS, VALUE, BANG, CDATA, SKIP_TO_GT }

    private static final byte[] CDATA_OPEN = "[CDATA[".getBytes(StandardCharsets.US_ASCII);

    private final int maxDistinctNames;
    private final Set<String> names = new HashSet<>();
    private final byte[] name = new byte[MAX_NAME_BYTES];
    private final byte[] namespace = new byte[MAX_NAMESPACE_BYTES];
    private State state = State.TEXT;
    private int nameLength;
    private boolean declaration; // the attribute whose value follows is a namespace declaration
    private int namespaceLength;
    private int attributes;
    private byte quote;
    private int matched; // bytes of "[CDATA[" after "<!", or of "]]>" inside CDATA

    TagScanner(int maxDistinctNames) {
        this.maxDistinctNames = maxDistinctNames;
    }

    void scan(byte[] bytes, int off, int len) throws StreamFault {
        for (int i = off; i < off + len; i++) {
            byte b = bytes[i];
            switch (state) {
                case TEXT -> {
                    if (b == '<') {
                        state = State.LT;
                    }
                }
                case LT -> {
                    if (b == '/' || b == '?') {
                        state = State.SKIP_TO_GT; // an end tag (its name closes one already counted), or a PI
                    } else if (b == '!') {
                        state = State.BANG;
                        matched = 0;
                    } else {
                        state = State.ELEMENT_NAME;
                        attributes = 0;
                        nameLength = 0;
                        appendName(b);
                    }
                }
                case ELEMENT_NAME -> {
                    if (isSpace(b) || b == '/' || b == '>') {
                        endName();
                        state = b == '>' ? State.TEXT : State.IN_TAG;
                    } else {
                        appendName(b);
                    }
                }
                case IN_TAG -> {
                    if (b == '>') {
                        state = State.TEXT;
                    } else if (b == '=') {
                        attribute(); // a name without space before '=' was counted when it ended
                        state = State.AFTER_EQUALS;
                    } else if (b == '"' || b == '\'') {
                        quote = b;
                        declaration = false; // no '=' before it: not well-formed, the parser says so
                        state = State.VALUE;
                    } else if (!isSpace(b) && b != '/') {
                        state = State.ATTRIBUTE_NAME;
                        nameLength = 0;
                        appendName(b);
                    }
                }
                case ATTRIBUTE_NAME -> {
                    if (b == '=') {
                        endAttributeName();
                        attribute();
                        state = State.AFTER_EQUALS;
                    } else if (isSpace(b)) {
                        endAttributeName();
                        state = State.IN_TAG; // '=' may follow after space: counted there
                    } else if (b == '>') {
                        endAttributeName();
                        state = State.TEXT;
                    } else {
                        appendName(b);
                    }
                }
                case AFTER_EQUALS -> {
                    if (b == '"' || b == '\'') {
                        quote = b;
                        namespaceLength = 0;
                        state = State.VALUE;
                    } else if (b == '>') {
                        state = State.TEXT;
                    } else if (!isSpace(b)) {
                        state = State.IN_TAG; // not well-formed: the parser says so
                    }
                }
                case VALUE -> {
                    if (b == quote) {
                        if (declaration) {
                            endNamespace();
                        }
                        state = State.IN_TAG;
                    } else if (declaration) {
                        if (namespaceLength == MAX_NAMESPACE_BYTES) {
                            throw new StreamFault(StreamError.POLICY_VIOLATION,
                                    "a namespace name longer than " + MAX_NAMESPACE_BYTES + " bytes");
                        }
                        namespace[namespaceLength++] = b;
                    }
                }
                case BANG -> {
                    if (matched < CDATA_OPEN.length && b == CDATA_OPEN[matched]) {
                        if (++matched == CDATA_OPEN.length) {
                            state = State.CDATA;
                            matched = 0;
                        }
                    } else {
                        state = b == '>' ? State.TEXT : State.SKIP_TO_GT; // a comment or DOCTYPE: the parser refuses it
                    }
                }
                case CDATA -> {
                    if (b == '>' && matched >= 2) {
                        state = State.TEXT;
                    } else {
                        matched = b == ']' ? matched + 1 : 0;
                    }
                }
                case SKIP_TO_GT -> {
                    if (b == '>') {
                        state = State.TEXT;
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    private void attribute() throws StreamFault {
        if (++attributes > MAX_ATTRIBUTES) {
            throw new StreamFault(StreamError.POLICY_VIOLATION,
                    "more than " + MAX_ATTRIBUTES + " attributes and namespace declarations on one element");
        }
    }

    private void appendName(byte b) throws StreamFault {
        if (nameLength == MAX_NAME_BYTES) {
            throw new StreamFault(StreamError.POLICY_VIOLATION, "a name longer than " + MAX_NAME_BYTES + " bytes");
        }
        name[nameLength++] = b;
    }

    private void endName() throws StreamFault {
        distinct(new String(name, 0, nameLength, StandardCharsets.ISO_8859_1));
    }

    private void endAttributeName() throws StreamFault {
        endName();
        declaration = nameLength >= 5 && name[0] == 'x' && name[1] == 'm' && name[2] == 'l' && name[3] == 'n'
                && name[4] == 's' && (nameLength == 5 || name[5] == ':');
    }

    /** Namespace names share the budget of names (a name cannot begin with a space: the two never collide). */
    private void endNamespace() throws StreamFault {
        if (namespaceLength > 0) {
            distinct(" " + new String(namespace, 0, namespaceLength, StandardCharsets.ISO_8859_1));
        }
    }

    private void distinct(String s) throws StreamFault {
        if (names.add(s) && names.size() > maxDistinctNames) {
            throw new StreamFault(StreamError.POLICY_VIOLATION,
                    "more than " + maxDistinctNames + " distinct names and namespace names in one stream");
        }
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }
}
