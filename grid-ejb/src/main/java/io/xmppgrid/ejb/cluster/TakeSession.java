package io.xmppgrid.ejb.cluster;

import io.xmppgrid.ra.api.MovedSession;
import java.io.Serializable;
import org.wildfly.clustering.server.dispatcher.Command;

/**
 * Asked of the other nodes by a node where a platform resumes an XEP-0198 session it does not hold (issue 20): the node
 * that holds it hands it over ({@link io.xmppgrid.ra.api.XmppConnection#handOff}); the others answer not found.
 */
final class TakeSession implements Command<MovedSession, ClusterBus.Node, RuntimeException>, Serializable {

    private static final long serialVersionUID = 1L;

    private final String resumeId;
    private final String bareJid;
    private final long h;

    TakeSession(String resumeId, String bareJid, long h) {
        this.resumeId = resumeId;
        this.bareJid = bareJid;
        this.h = h;
    }

    @Override
    public MovedSession execute(ClusterBus.Node node) {
        return node.handOff(resumeId, bareJid, h);
    }
}
