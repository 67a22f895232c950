package io.xmppgrid.ejb.cluster;

import java.io.Serializable;
import java.util.ArrayList;
import org.wildfly.clustering.server.dispatcher.Command;

/**
 * Asked of a node by an administrator's request on another (issue 20): its state as one row ({@link ClusterBus#nodes()}),
 * or to drain ({@code drain} true) or serve again (false), answering with its state afterwards.
 */
final class NodeControl implements Command<ArrayList<String>, ClusterBus.Node, RuntimeException>, Serializable {

    private static final long serialVersionUID = 1L;

    /** Null: only its state. */
    private final Boolean drain;

    NodeControl(Boolean drain) {
        this.drain = drain;
    }

    @Override
    public ArrayList<String> execute(ClusterBus.Node node) {
        if (drain != null) {
            node.drain(drain);
        }
        return node.status();
    }
}
