package io.xmppgrid.ra.api;

import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;
import java.util.List;

/**
 * The message-listener interface of the grid resource adapter: a message-driven bean that
 * implements it receives every stanza of every bound session, after authentication and
 * resource binding, with {@code from} stamped with the session's full JID (RFC 6120 §8.1.2.1),
 * and the events the offline queue needs.
 *
 * <p>Stanzas of one stream arrive in order, one at a time; streams are delivered in parallel.
 * Every call runs in its own transaction; stanzas the application sends during a call are
 * written when that transaction commits, before the call returns to the adapter.
 */
public interface StanzaListener {

    /** A stanza from a bound session. */
    void onStanza(InboundStanza stanza);

    /**
     * The session is available and may have stored messages waiting: the application sends the
     * next batch of them with {@link XmppConnection#sendTracked}. Returns true when more remain
     * after this batch. While the adapter calls this, live traffic to the session is held back,
     * so stored messages reach it before newer ones.
     */
    boolean onBacklogWanted(SessionInfo session);

    /**
     * Stanzas sent with {@link XmppConnection#sendTracked} are confirmed delivered: the peer
     * acknowledged them (XEP-0198), or, without stream management, the session they were written
     * to closed its stream cleanly.
     */
    void onDelivered(SessionInfo session, long[] trackingIds);

    /**
     * Untracked stanzas that reached no peer: their session ended before acknowledging them
     * (XEP-0198 §4), or it was gone when they were written. The application routes them again
     * (RFC 6121 §8.5: to another resource, or to offline storage).
     */
    void onUndelivered(Jid fullJid, List<XmlElement> stanzas);

    /**
     * Something the adapter saw that belongs in the audit log (RFC 8600 §8.3.2): authentication
     * success ({@code auth}, outcome {@code ok}, detail the mechanism) and failure (outcome the
     * SASL condition), session start and end. {@code actor} is the platform's bare JID, or the
     * name a failed attempt gave (null if none); {@code address} the peer's IP address and port.
     */
    void onAudit(String actor, String action, String outcome, String detail, String address);

    /**
     * A platform kept exceeding its rate limits: {@code violations} seconds of throttling within
     * the last minute reached the operator's limit ({@code grid.limits.disableAfter}). The
     * application disables the platform (and so ends its sessions).
     */
    void onLimitsBreached(String platform, int violations);

    /** The session ended (stream closed, dropped, replaced or revoked); after its last stanza. */
    void onSessionEnded(SessionInfo session, String reason);

    /**
     * A peer grid acknowledged stanzas this node sent it with these tracking ids (issue 24, XEP-0198 on the
     * server-to-server link), or they were dropped for good (the peer revoked, a stanza it refused again and again):
     * the application forgets its stored copies.
     */
    default void onPeerDelivered(String peerDomain, long[] trackingIds) {
    }

    /**
     * The listener started (or started again after a drain), or this node's queues for peer grids ran empty while
     * more was stored: the application hands it the next part of what its stored copies say this node still has to
     * send to peer grids ({@link XmppConnection#sendToPeer(String, String, long)}), bounded; true when more remains.
     */
    default boolean onPeerOutboxWanted() {
        return false;
    }
}
