package io.xmppgrid.ejb.cluster;

import java.io.Serializable;
import org.wildfly.clustering.server.dispatcher.Command;

/**
 * Asks a node which stored messages of a platform its live sessions hold (handed out, not yet confirmed), as pairs of
 * queue positions, so that a session on the asking node skips them (issue 16 §5: each stored message once).
 */
final class Leased implements Command<long[], ClusterBus.Node, RuntimeException>, Serializable {

    private static final long serialVersionUID = 1L;

    private final String bareJid;

    Leased(String bareJid) {
        this.bareJid = bareJid;
    }

    @Override
    public long[] execute(ClusterBus.Node node) {
        return node.leased(bareJid);
    }
}
