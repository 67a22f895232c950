package io.xmppgrid.ra;

import io.xmppgrid.xmpp.StreamError;

/** A condition that ends the stream with a stream error (RFC 6120 §4.9). */
final class StreamFault extends Exception {
    private static final long serialVersionUID = 1L;

    private final StreamError error;

    StreamFault(StreamError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    StreamError error() {
        return error;
    }
}
