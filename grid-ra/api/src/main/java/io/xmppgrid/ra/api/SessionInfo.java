package io.xmppgrid.ra.api;

import io.xmppgrid.xmpp.Jid;
import java.time.Instant;

/**
 * One live session: its full JID, the node that holds it, the connection id used in logs,
 * when it was bound, the peer address, and its presence as last announced (RFC 6121 §4.7:
 * available with a priority, or not yet available).
 */
public record SessionInfo(Jid jid, String node, String connectionId, Instant since, String remoteAddress,
                          boolean available, int priority) {

    public SessionInfo withPresence(boolean nowAvailable, int newPriority) {
        return new SessionInfo(jid, node, connectionId, since, remoteAddress, nowAvailable, newPriority);
    }
}
