package io.xmppgrid.bench;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Cuts the bytes a server sends into the stream header and its top-level elements (stanzas and
 * stream-level elements), as text. Servers' output is well-formed XML without comments or CDATA,
 * so tracking tags, quotes and depth is enough; it costs a scan of each byte once.
 */
final class StanzaSplitter {

    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final StringBuilder buf = new StringBuilder(512);
    private volatile Consumer<String> sink;
    private int scan;
    private int depth;
    private int start = -1;
    private boolean closed;

    StanzaSplitter(Consumer<String> sink) {
        this.sink = sink;
    }

    /** Where elements go from now on. */
    void sink(Consumer<String> s) {
        sink = s;
    }

    /** Whether the server closed the stream ({@code </stream:stream>}). */
    boolean closed() {
        return closed;
    }

    /** A new stream after STARTTLS or SASL: forget the old one. */
    void reset() {
        carry = new byte[0];
        buf.setLength(0);
        scan = 0;
        depth = 0;
        start = -1;
    }

    /** Bytes of a character cut by a read boundary, kept for the next read. */
    private byte[] carry = new byte[0];

    void feed(byte[] data, int off, int len) {
        ByteBuffer in;
        if (carry.length == 0) {
            in = ByteBuffer.wrap(data, off, len);
        } else {
            in = ByteBuffer.allocate(carry.length + len).put(carry).put(data, off, len).flip();
        }
        CharBuffer out = CharBuffer.allocate(in.remaining() + 4);
        utf8.decode(in, out, false);
        carry = new byte[in.remaining()];
        in.get(carry);
        out.flip();
        buf.append(out);
        split();
    }

    private void split() {
        int i = scan;
        while (i < buf.length()) {
            if (buf.charAt(i) != '<') {
                i++;
                continue;
            }
            int end = tagEnd(i);
            if (end < 0) {
                break; // the rest of this tag has not arrived
            }
            char next = buf.charAt(i + 1);
            if (next == '?') {
                i = end + 1;
                continue;
            }
            if (next == '/') {
                depth--;
                if (depth == 0) {
                    closed = true;
                } else if (depth == 1) {
                    emit(end);
                    i = 0;
                    continue;
                }
            } else if (buf.charAt(end - 1) == '/') {
                if (depth == 1) {
                    start = i;
                    emit(end);
                    i = 0;
                    continue;
                }
            } else {
                if (depth == 0) {
                    sink.accept(buf.substring(i, end + 1)); // the stream header
                } else if (depth == 1) {
                    start = i;
                }
                depth++;
            }
            i = end + 1;
        }
        scan = i;
        if (depth <= 1 && start < 0 && scan == buf.length()) {
            buf.setLength(0);
            scan = 0;
        }
    }

    private void emit(int end) {
        sink.accept(buf.substring(start, end + 1));
        buf.delete(0, end + 1);
        start = -1;
        scan = 0;
    }

    private int tagEnd(int from) {
        char quote = 0;
        for (int j = from + 1; j < buf.length(); j++) {
            char c = buf.charAt(j);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                return j;
            }
        }
        return -1;
    }
}
