package io.xmppgrid.ejb.cluster;

import java.io.Serializable;
import java.util.ArrayList;
import org.wildfly.clustering.server.dispatcher.Command;

/** Asked of every other node for the Peer grids page (issue 24): its links of peer grids ({@link ClusterBus.Node#peerLinks}). */
final class ListPeerLinks implements Command<ArrayList<String[]>, ClusterBus.Node, RuntimeException>, Serializable {

    private static final long serialVersionUID = 1L;

    @Override
    public ArrayList<String[]> execute(ClusterBus.Node node) {
        return node.peerLinks();
    }
}
