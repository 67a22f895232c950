package io.xmppgrid.ra;

import io.xmppgrid.xmpp.StreamError;

/** A condition that ends the stream with a stream error (RFC 6120 §4.9). */
final class StreamFault extends Exception {
    private static final long serialVersionUID = 1L;

    private final StreamError error;
    private final String applicationCondition;

    StreamFault(StreamError error, String message) {
        this(error, message, null);
    }

    /** With an application-specific condition element (RFC 6120 §4.9.4), as XML. */
    StreamFault(StreamError error, String message, String applicationCondition) {
        super(message, null, false, false);
        this.error = error;
        this.applicationCondition = applicationCondition;
    }

    String applicationCondition() {
        return applicationCondition;
    }

    StreamError error() {
        return error;
    }
}
