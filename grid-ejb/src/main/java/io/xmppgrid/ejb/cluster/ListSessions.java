package io.xmppgrid.ejb.cluster;

import java.io.Serializable;
import java.util.ArrayList;
import org.wildfly.clustering.server.dispatcher.Command;

/**
 * Asked of every other node for the administrators' views: the sessions a node holds of one platform (bare JID),
 * one row each ({@link ClusterBus.Node#localSessions}), or with no JID the bare JIDs of every platform with a
 * session there. Rows are string arrays: JDK types only, marshalled without schemas.
 */
final class ListSessions implements Command<ArrayList<String[]>, ClusterBus.Node, RuntimeException>, Serializable {

    private static final long serialVersionUID = 1L;

    private final String bareJid; // null: every platform with a session, one row of one field each

    ListSessions(String bareJid) {
        this.bareJid = bareJid;
    }

    @Override
    public ArrayList<String[]> execute(ClusterBus.Node node) {
        return bareJid == null ? node.localPlatforms() : node.localSessions(bareJid);
    }
}
