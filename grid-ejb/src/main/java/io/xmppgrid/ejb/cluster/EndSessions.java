package io.xmppgrid.ejb.cluster;

import java.io.Serializable;
import org.wildfly.clustering.server.dispatcher.Command;

/**
 * Sent to every other node after a revocation, disable, deletion or end-session commits: end the platform's
 * sessions there (a bare JID: all of them, and streams of it that authenticated before now cannot bind or
 * resume on that node; a full JID: that session). Returns how many sessions that node ended. Marshalled by
 * WildFly's JBoss Marshalling (plain {@link Serializable}, strings only).
 */
final class EndSessions implements Command<Integer, ClusterBus.Node, RuntimeException>, Serializable {

    private static final long serialVersionUID = 1L;

    private final String jid;
    private final String reason;

    EndSessions(String jid, String reason) {
        this.jid = jid;
        this.reason = reason;
    }

    @Override
    public Integer execute(ClusterBus.Node node) {
        return node.endLocalSessions(jid, reason);
    }
}
