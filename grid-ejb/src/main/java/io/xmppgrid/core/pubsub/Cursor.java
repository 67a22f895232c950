package io.xmppgrid.core.pubsub;

import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * Opaque RSM cursors: a sequence number encoded as 8 bytes of Base64url. Decoding accepts
 * exactly that shape and returns a number, so nothing a client sends reaches a query as text.
 */
public final class Cursor {

    private Cursor() {
    }

    public static String encode(long sequence) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(ByteBuffer.allocate(8).putLong(sequence).array());
    }

    /** The sequence number, or null when {@code cursor} is not one of ours. */
    public static Long decode(String cursor) {
        if (cursor == null || cursor.length() != 11) {
            return null;
        }
        try {
            byte[] b = Base64.getUrlDecoder().decode(cursor);
            return b.length == 8 ? ByteBuffer.wrap(b).getLong() : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
