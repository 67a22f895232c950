package io.xmppgrid.ra.api;

import io.xmppgrid.xmpp.Jid;
import java.util.List;
import java.util.Optional;

/**
 * Full JID → live session. The adapter keeps a local implementation; a clustered one
 * (Infinispan) replaces it without changing callers.
 */
public interface SessionRegistry {

    Optional<SessionInfo> find(Jid fullJid);

    /** Every session of this bare JID, in binding order. */
    List<SessionInfo> findByBare(Jid bareJid);

    /** The full JIDs of every live session (bound or awaiting resumption), in no order. */
    List<Jid> jids();

    /** Number of live sessions. */
    int size();
}
