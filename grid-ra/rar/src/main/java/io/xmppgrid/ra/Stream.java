package io.xmppgrid.ra;

import io.xmppgrid.xmpp.StreamError;

/**
 * What a connection runs over its bytes: a client stream ({@link XmppStream}) or a peer grid's
 * server-to-server stream ({@link ServerStream}). The connection calls these on its worker, or,
 * for the {@code FromOtherThread} and timer-driven ones, from anywhere.
 */
interface Stream {

    /** Whether {@link #process()} has something to do. */
    boolean hasWork();

    /** Parses what has arrived and acts on it (the connection's worker). */
    void process();

    /** Ends the stream with a stream error (RFC 6120 §4.9), on the worker. */
    void fail(StreamError error, String text);

    void failFromOtherThread(StreamError error, String text);

    /** Another connection bound the same full JID (client streams only). */
    void replacedBySameResource();

    /** The listener stops; {@code alternate}: another node to go to, or null. */
    void shutdown(String alternate);

    /** Sends a keepalive where the stream has one; false when it has none to send now. */
    boolean keepalive();

    /** The socket is gone. */
    void connectionClosed(String reason);
}
