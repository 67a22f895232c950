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
}
