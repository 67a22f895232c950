package io.xmppgrid.ejb.cluster;

import java.io.Serializable;
import org.wildfly.clustering.server.dispatcher.Command;

/**
 * Sent by a node whose XMPP listener stops (a graceful stop: it hands its own sessions' unacknowledged stanzas over)
 * or starts again: the other nodes stop routing to it, and do not deliver again what they released to it.
 */
final class Serving implements Command<Boolean, ClusterBus.Node, RuntimeException>, Serializable {

    private static final long serialVersionUID = 1L;

    private final String node;
    private final boolean up;

    Serving(String node, boolean up) {
        this.node = node;
        this.up = up;
    }

    @Override
    public Boolean execute(ClusterBus.Node target) {
        target.serving(node, up);
        return Boolean.TRUE;
    }
}
