package io.xmppgrid.ra.api;

/**
 * The message-listener interface of the grid resource adapter: a message-driven bean that
 * implements it receives every stanza of every bound session, after authentication and
 * resource binding, with {@code from} stamped with the session's full JID (RFC 6120 §8.1.2.1).
 *
 * <p>Stanzas of one stream arrive in order, one at a time; streams are delivered in parallel.
 */
public interface StanzaListener {

    /** A stanza from a bound session. */
    void onStanza(InboundStanza stanza);

    /** The session ended (stream closed, dropped, replaced or revoked); after its last stanza. */
    void onSessionEnded(SessionInfo session, String reason);
}
