package io.xmppgrid.admin.console;

import io.xmppgrid.ejb.AdminException;
import io.xmppgrid.ejb.cluster.ClusterBus;
import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;

/**
 * Cluster (issue 20): every node that answers, with its XMPP address, state, sessions, stanza rates and offline depth of
 * the last sample, start and version; drain a node (its platforms go to the others, the server keeps running) or let
 * it serve again. Below, the sessions of every node (at most {@value #SESSIONS_PER_NODE} from each, filtered by JID),
 * each of which can be ended wherever it is. All audited.
 */
@Named
@ViewScoped
public class ClusterView implements Serializable {
    private static final long serialVersionUID = 1L;

    static final int SESSIONS_PER_NODE = 100;

    /** A node as the page shows it; rates and depth from its last traffic sample (null when it sent none). */
    public record NodeRow(String name, String address, String state, int sessions, Instant started, String version,
                          Float stanzasIn, Float stanzasOut, Float offline) {
    }

    @EJB
    private ClusterBus cluster;

    @EJB
    private io.xmppgrid.ejb.PlatformAdmin platforms;

    private String sessionFilter = "";
    private transient List<io.xmppgrid.ejb.PlatformAdmin.SessionView> sessions;

    @Inject
    private Console console;

    public List<NodeRow> getNodes() {
        java.util.Map<String, io.xmppgrid.ejb.history.TrafficHistory.Snapshot> traffic = new java.util.HashMap<>();
        cluster.history(false, null).forEach(h -> traffic.put(h.node(), h));
        return cluster.nodes().stream().map(r -> {
            io.xmppgrid.ejb.history.TrafficHistory.Snapshot h = traffic.get(r.get(0));
            return new NodeRow(r.get(0), r.get(1), r.get(2), Integer.parseInt(r.get(3)),
                    Instant.ofEpochMilli(Long.parseLong(r.get(4))), r.get(5), last(h, "stanzas in/s"), last(h, "stanzas out/s"),
                    last(h, "offline queue"));
        }).toList();
    }

    /** The newest sampled value of a node's series, or null. */
    private static Float last(io.xmppgrid.ejb.history.TrafficHistory.Snapshot h, String series) {
        int i = h == null ? -1 : h.names().indexOf(series);
        if (i < 0) {
            return null;
        }
        float[] v = h.values().get(i);
        for (int k = v.length - 1; k >= 0; k--) {
            if (!Float.isNaN(v[k])) {
                return v[k];
            }
        }
        return null;
    }

    /** The sessions of every node matching the filter (asked once per request). */
    public List<io.xmppgrid.ejb.PlatformAdmin.SessionView> getSessions() {
        if (sessions == null) {
            sessions = platforms.findSessions(sessionFilter, SESSIONS_PER_NODE);
        }
        return sessions;
    }

    public void filterSessions() {
        sessions = null;
    }

    /** Ends one session (a full JID) on whichever node holds it. */
    public void endSession(String jid) {
        io.xmppgrid.xmpp.Jid j = io.xmppgrid.xmpp.Jid.parseOrNull(jid);
        if (j == null || j.local() == null || j.resource() == null) {
            console.error("Not a session: " + jid);
            return;
        }
        console.act("admin.platform.endsessions", j.local(), "resource " + j.resource(),
                () -> platforms.endSessionsOf(j.local(), j.resource()), "Session " + jid + " ended");
        sessions = null;
    }

    public String getSessionFilter() { return sessionFilter; }
    public void setSessionFilter(String v) { sessionFilter = v == null ? "" : v.strip(); }
    public int getSessionsPerNode() { return SESSIONS_PER_NODE; }

    public void drain(String node) {
        change(node, true);
    }

    public void serve(String node) {
        change(node, false);
    }

    private void change(String node, boolean drain) {
        console.act(drain ? "admin.node.drain" : "admin.node.serve", node, null, () -> {
            try {
                return cluster.drain(node, drain).orElseThrow(() -> new AdminException(AdminException.Reason.NOT_FOUND,
                        "no node " + node + " in the cluster"));
            } catch (java.io.IOException e) {
                throw new AdminException(AdminException.Reason.UNAVAILABLE, e.getMessage());
            }
        }, drain ? "Node " + node + " drained: its platforms were sent to the other nodes"
                 : "Node " + node + " serves platforms again");
    }
}
