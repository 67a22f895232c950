package io.xmppgrid.ejb.cluster;

import java.io.Serializable;
import java.util.ArrayList;
import org.wildfly.clustering.server.dispatcher.Command;

/**
 * Asked of every other node for the console's Cluster page (issue 20): up to {@code limit} of the sessions a node holds
 * whose full JID contains {@code filter}, one row each ({@link ClusterBus.Node#localSessions}).
 */
final class FindSessions implements Command<ArrayList<String[]>, ClusterBus.Node, RuntimeException>, Serializable {

    private static final long serialVersionUID = 1L;

    private final String filter;
    private final int limit;

    FindSessions(String filter, int limit) {
        this.filter = filter;
        this.limit = limit;
    }

    @Override
    public ArrayList<String[]> execute(ClusterBus.Node node) {
        return node.findSessions(filter, Math.max(0, Math.min(limit, 1000)));
    }
}
