package io.xmppgrid.ra.api;

import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;

/**
 * A handle for sending stanzas to sessions held by the adapter. Inside a JTA transaction,
 * sends are queued and written only after the transaction commits (and discarded if it rolls
 * back); outside one they are written at once. Handles are cheap; close them after use.
 */
public interface XmppConnection extends AutoCloseable {

    /** The server's XMPP domain. */
    Jid domain();

    /**
     * Sends a stanza to the session with this full JID. Returns false when no such session is
     * known now (a session may still end before a queued write happens).
     */
    boolean send(Jid fullJid, XmlElement stanza);

    /**
     * Sends like {@link #send(Jid, XmlElement)}; stanzas with the same {@code orderingKey} sent
     * by different transactions leave in the order those transactions commit (e.g. the
     * notifications of one Topic, whose publishes commit in item order).
     */
    boolean send(Jid fullJid, XmlElement stanza, String orderingKey);

    /**
     * Sends a stored stanza whose delivery the application tracks: once the peer has it for
     * certain, the adapter reports {@code trackingId} (positive) in
     * {@link StanzaListener#onDelivered}; if it never gets there, nothing is reported and the
     * application still holds it. Returns false when no such session is known now.
     */
    boolean sendTracked(Jid fullJid, XmlElement stanza, long trackingId);

    /**
     * Sends a tracked stored stanza as text: {@code stanzaXml} is a whole stanza the application
     * serialized with {@code XmlWriter} (when it stored it) and is written to the stream as it is,
     * so a backlog is not parsed and serialized again on its way out. Otherwise like
     * {@link #sendTracked(Jid, XmlElement, long)}.
     */
    boolean sendTracked(Jid fullJid, String stanzaXml, long trackingId);

    /**
     * Records a session's presence (RFC 6121 §4.7) for routing decisions. A session that becomes
     * available gets its stored messages ({@link StanzaListener#onBacklogWanted}).
     */
    void updatePresence(Jid fullJid, boolean available, int priority);

    SessionRegistry sessions();

    /**
     * Hands every change of a local session's routing state to {@code watcher} (one per adapter; a later call
     * replaces it), and asks it at every bind whether the full JID is bound on another node: bound, presence changed
     * (RFC 6121 §4.7), detached waiting for XEP-0198 resumption (reported unavailable), resumed, ended (reported
     * unavailable). Called on the adapter's threads, in the order of the changes of each session: it must not block
     * (a cluster node hands the change to its directory asynchronously). Kept across restarts of the listener.
     */
    void watchSessions(SessionWatcher watcher);

    /**
     * Where the listener hands its sessions' unacknowledged messages when it stops while the stanza bean is
     * deactivated (a graceful shutdown), and whom it tells that it stopped and started (one per adapter; a later call
     * replaces it; kept across restarts of the listener).
     */
    void onStop(StopHandover handover);

    /**
     * Ends the session with this full JID on this node with a {@code <conflict/>} stream error (RFC 6120 §7.7.2.2):
     * the resource was bound again, on another node. False if there is no such session here.
     */
    boolean replaceSession(Jid fullJid);

    /**
     * XEP-0198 §5 across cluster nodes: hands this node's session with resumption id {@code resumeId} of platform
     * {@code bareJid} to another node where the peer resumes it, acknowledging {@code h} first (stored messages it
     * confirms are confirmed before this returns). The session ends here without its unacknowledged stanzas being routed
     * again (they travel in the result) and its connection, if it still has one, is closed. Of two hand-overs of one
     * session, one gets it. {@link MovedSession#notFound()} if no such session is here.
     */
    MovedSession handOff(String resumeId, Jid bareJid, long h);

    /**
     * Drains this node (issue 20): the listener stops as in a graceful shutdown, without the server stopping: it accepts
     * no connection, its sessions end with RFC 6120 {@code <see-other-host/>} naming another node that serves (else
     * {@code <system-shutdown/>}), and what they had not acknowledged goes to the {@link StopHandover}. The node stays
     * drained until {@link #serve()}, across restarts of the stanza bean. False when it was drained already. Blocks until
     * the sessions have ended.
     */
    boolean drain();

    /** Starts the listener again after {@link #drain()}; false when the node was not drained. */
    boolean serve();

    /** Whether the node is drained ({@link #drain()}). */
    boolean drained();

    /**
     * Inside a transaction: {@code completion} is called when it completes (true when it committed), before any
     * stanza this transaction sent through the adapter is written, on the completing thread. The application
     * hands stanzas to other cluster nodes there, so that the replies it sent here (a publisher's result) leave
     * only once those are in the other nodes' hands. Outside a transaction it is called at once with true.
     */
    void onCompletion(java.util.function.Consumer<Boolean> completion);

    /** A live session's traffic on this node ({@link SessionTraffic#NONE} when there is no such session). */
    SessionTraffic traffic(Jid fullJid);

    /** Counters of this node's listener (for the metrics endpoint). */
    ServerStatistics statistics();

    /**
     * Ends every session of a platform (bare JID) on this node at once (revocation, disabling): connected
     * ones with a {@code <not-authorized/>} stream error, ones waiting for XEP-0198 resumption
     * without it; a stream that authenticated before this call cannot bind or resume afterwards.
     * A full JID ends that one session only (XEP-0133 end-user-session).
     * Inside a transaction this happens when it commits. Returns the number of sessions known
     * now.
     */
    int endSessions(Jid jid, String reason);

    /**
     * The platform's available sessions on this node fetch its stored messages again (something was stored for it
     * while they were on: a message routed while a session of it moved between nodes). Returns how many were asked.
     */
    default int fetchStored(Jid bareJid) {
        return 0;
    }

    @Override
    void close();

    /**
     * Opens a link from this node to the peer grid at {@code host:port} (issue 24: STARTTLS, the peer server's
     * certificate checked against {@code peer}'s own anchors and pin, SASL EXTERNAL with this server's certificate),
     * reports how far it got, and closes it. Blocks up to {@code timeoutMillis} per step. A null {@code host}: where
     * DNS SRV ({@code _xmpp-server._tcp}) says the peer's server is, else its domain on {@code port}.
     */
    default PeerProbe probePeer(PeerCredentials peer, String host, int port, int timeoutMillis) {
        return new PeerProbe(false, "connect", "not supported", host + ":" + port, null, null, 0);
    }

    /**
     * Sends a stanza to an address at the peer grid {@code peerDomain} (issue 24) over this node's link to it, opened
     * when needed. Inside a transaction it is queued when the transaction commits (room is reserved now); the link
     * keeps it until the peer acknowledged it (XEP-0198 on the server-to-server stream), across reconnections. False
     * when the peer's queue on this node is full (a bound in stanzas and bytes) or the listener does not run.
     */
    default boolean sendToPeer(String peerDomain, XmlElement stanza) {
        return sendToPeer(peerDomain, stanza, null);
    }

    /** The same; with an {@code orderingKey}, in commit order with other transactions' stanzas of that key. */
    default boolean sendToPeer(String peerDomain, XmlElement stanza, String orderingKey) {
        return sendToPeer(peerDomain, stanza, orderingKey, 0);
    }

    /**
     * The same for a stanza whose copy the application stored: once the peer acknowledged it (or it is dropped for good)
     * the adapter reports {@code trackingId} (positive) in {@link StanzaListener#onPeerDelivered}.
     */
    default boolean sendToPeer(String peerDomain, XmlElement stanza, String orderingKey, long trackingId) {
        return false;
    }

    /**
     * Queues a stored stanza for a peer grid as its text (serialized for a stream, {@code jabber:client} elements
     * unprefixed), tracked as above; not bounded by the peer's queue (it is the application's stored backlog).
     * Outside a transaction only.
     */
    default boolean sendToPeer(String peerDomain, String stanzaXml, long trackingId) {
        return false;
    }

    /**
     * The application stored more for this node to send to peer grids than it handed over (it took over another
     * node's rows): the adapter asks for it ({@link StanzaListener#onPeerOutboxWanted}) now and whenever its queues
     * run empty until nothing more remains.
     */
    default void peerOutboxChanged() {
    }

    /** This node's server-to-server links (issue 24), open or negotiating, by peer domain. */
    default java.util.List<PeerLink> peerLinks() {
        return java.util.List.of();
    }
}
