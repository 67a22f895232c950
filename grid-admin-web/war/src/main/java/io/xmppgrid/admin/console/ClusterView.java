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
 * Cluster (issue 20): every node that answers, with its XMPP address, state, sessions, start and version; drain a node
 * (its platforms go to the others, the server keeps running) or let it serve again. Both audited.
 */
@Named
@ViewScoped
public class ClusterView implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A node as the page shows it. */
    public record NodeRow(String name, String address, String state, int sessions, Instant started, String version) {
    }

    @EJB
    private ClusterBus cluster;

    @Inject
    private Console console;

    public List<NodeRow> getNodes() {
        return cluster.nodes().stream().map(r -> new NodeRow(r.get(0), r.get(1), r.get(2), Integer.parseInt(r.get(3)),
                Instant.ofEpochMilli(Long.parseLong(r.get(4))), r.get(5))).toList();
    }

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
