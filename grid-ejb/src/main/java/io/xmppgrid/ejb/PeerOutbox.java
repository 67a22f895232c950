package io.xmppgrid.ejb;

import io.xmppgrid.persistence.PeerEntity;
import io.xmppgrid.persistence.PeerOutboxEntity;
import io.xmppgrid.ra.api.XmppConnection;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The stored copies of what nodes have to send to peer grids (issue 24, table {@code peer_outbox}): written in the
 * routing transaction, forgotten when the peer acknowledged them; a node hands its own rows to its adapter when its
 * listener starts, and the coordinator takes over the rows of nodes that left the cluster.
 */
final class PeerOutbox {

    private static final Logger LOG = Logger.getLogger(PeerOutbox.class);

    /** This node's name, as the adapter and the cluster know it. */
    static final String NODE = System.getProperty("jboss.node.name", "node");

    private static final int PAGE = 500;
    /** What one hand-over gives the adapter at most: the rest follows when its queues run empty. */
    private static final int HAND_OVER_ROWS = 5_000;
    private static final long HAND_OVER_CHARS = 16L * 1024 * 1024;

    private PeerOutbox() {
    }

    /** Forgets the stored copies the peer acknowledged (or that were dropped for good). */
    static int forget(EntityManager em, long[] ids) {
        int n = 0;
        for (int from = 0; from < ids.length; from += PAGE) {
            List<Long> chunk = new ArrayList<>(Math.min(PAGE, ids.length - from));
            for (int i = from; i < Math.min(ids.length, from + PAGE); i++) {
                chunk.add(ids[i]);
            }
            n += em.createNamedQuery(PeerOutboxEntity.DELETE_IDS).setParameter("ids", chunk).executeUpdate();
        }
        return n;
    }

    /** What a hand-over gave: rows handed to the adapter (or queued there already), and whether more remain. */
    record HandOver(int rows, boolean more) {
    }

    /**
     * Hands {@code node}'s stored rows, oldest first, to this node's adapter, up to {@link #HAND_OVER_ROWS} rows and
     * {@link #HAND_OVER_CHARS} characters (rows it queued already are skipped there); rows of peers that are no longer
     * enabled are forgotten.
     */
    static HandOver handOver(EntityManager em, XmppConnection c, String node) {
        Map<String, Boolean> enabled = new HashMap<>();
        List<Long> stale = new ArrayList<>();
        int n = 0;
        long chars = 0;
        long after = 0;
        boolean more = false;
        while (true) {
            List<PeerOutboxEntity> page = em.createNamedQuery(PeerOutboxEntity.OF_NODE, PeerOutboxEntity.class)
                    .setParameter("node", node).setParameter("after", after).setMaxResults(PAGE).getResultList();
            for (PeerOutboxEntity row : page) {
                after = row.id;
                boolean ok = enabled.computeIfAbsent(row.peerDomain, d -> {
                    PeerEntity p = em.find(PeerEntity.class, d);
                    return p != null && p.state == PeerEntity.State.ENABLED;
                });
                if (!ok) {
                    stale.add(row.id);
                } else if (n >= HAND_OVER_ROWS || chars >= HAND_OVER_CHARS) {
                    more = true;
                    break;
                } else if (c.sendToPeer(row.peerDomain, row.stanza, row.id)) {
                    n++;
                    chars += row.stanza.length();
                }
                em.detach(row);
            }
            if (more || page.size() < PAGE) {
                break;
            }
        }
        if (!stale.isEmpty()) {
            forget(em, stale.stream().mapToLong(Long::longValue).toArray());
            LOG.infof("GRID0953: %d stored stanzas for peer grids that are no longer enabled forgotten", stale.size());
        }
        return new HandOver(n, more);
    }

    /** Moves the rows of nodes not among {@code members} to this node; returns how many nodes' rows it took. */
    static int adopt(EntityManager em, Set<String> members) {
        int nodes = 0;
        for (String node : em.createNamedQuery(PeerOutboxEntity.NODES, String.class).getResultList()) {
            if (!members.contains(node) && !node.equals(NODE)) {
                int rows = em.createNamedQuery(PeerOutboxEntity.MOVE).setParameter("to", NODE).setParameter("from", node)
                        .executeUpdate();
                LOG.warnf("GRID0954: %d stored stanzas for peer grids of node %s, which left the cluster, taken over by %s",
                        rows, node, NODE);
                nodes++;
            }
        }
        return nodes;
    }
}
