package io.xmppgrid.ra.api;

import io.xmppgrid.xmpp.Jid;

/**
 * The application's side of a cluster-wide session registry ({@link XmppConnection#watchSessions}): told of every
 * change of a local session's routing state, and asked, when a stream binds a resource, whether that full JID is
 * bound on another node (RFC 6120 §7.7.2.2 resource conflicts, decided cluster-wide). Both are called on the
 * adapter's threads and must not block.
 */
public interface SessionWatcher {

    /** Bound, presence changed, detached (reported unavailable), resumed, ended (reported unavailable). */
    void changed(SessionInfo session);

    /** Whether another node holds a session with this full JID now. */
    boolean boundElsewhere(Jid fullJid);

    /**
     * How many cluster nodes, this one included, hold sessions of the platform now: its rate limits (RFC 8600 §8.3.2)
     * are shared among them. Asked at most once a second per platform.
     */
    default int nodesWithSessions(Jid bareJid) {
        return 1;
    }

    /**
     * Limits that hold cluster-wide: what the other nodes count for {@code key} as they last published it: connections
     * an address holds ({@code c:ADDRESS}, for the per-address cap) or recent failed sign-ins ({@code a:ADDRESS},
     * {@code u:USERNAME}, for the sign-in throttle). Read on the adapter's threads at every accept and failure: it must
     * answer from memory and not block. 0 on a single node.
     */
    default int countedElsewhere(String key) {
        return 0;
    }

    /** This node's count for {@code key} is now {@code count} (0: none): published to the other nodes asynchronously. */
    default void counted(String key, int count) {
        // a single node keeps its counts to itself
    }

    /**
     * XEP-0198 §5 across cluster nodes: a stream here resumes a session that this node does not hold. {@code node} is the
     * node that issued the resumption id (verified by the adapter); the application asks the node that holds the session
     * now to hand it over ({@link XmppConnection#handOff}) and completes with what it got: {@link MovedSession#notFound()}
     * at once when no live node holds it (its node is gone), so that the peer binds afresh without waiting. Called on
     * the adapter's threads: it must not block. A single node holds every session it issued: not found.
     */
    default java.util.concurrent.CompletionStage<MovedSession> takeOver(String node, String resumeId, Jid bareJid, long h) {
        return java.util.concurrent.CompletableFuture.completedFuture(MovedSession.notFound());
    }

    /**
     * Balancing (issue 20): where a new connection should go instead of this node ({@code host:port} of a less loaded
     * node that serves), or null to serve it here. Asked at a connection's first stream header, before TLS and
     * authentication; answered from memory (it must not block). The adapter sends an address there at most once a
     * minute per client address, so a client that does not follow RFC 6120 {@code <see-other-host/>} is served when
     * it comes back.
     */
    default String redirect() {
        return null;
    }
}
