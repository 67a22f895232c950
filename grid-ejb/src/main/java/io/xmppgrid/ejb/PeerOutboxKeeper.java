package io.xmppgrid.ejb;

import io.xmppgrid.ra.api.XmppConnection;
import io.xmppgrid.ra.api.XmppConnectionFactory;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.jboss.logging.Logger;

/**
 * Issue 24: every 15 s the cluster's coordinator takes over the stored stanzas for peer grids of nodes that left the
 * cluster (a node killed and not back), and sends them over its own links; a node that comes back under its name
 * sends its own rows when its listener starts.
 */
@Singleton
@Startup
public class PeerOutboxKeeper {

    private static final Logger LOG = Logger.getLogger(PeerOutboxKeeper.class);

    @PersistenceContext(unitName = "grid")
    private EntityManager em;

    @EJB
    private io.xmppgrid.ejb.cluster.ClusterBus cluster;

    @Resource(lookup = XmppConnectionFactory.JNDI_NAME)
    private XmppConnectionFactory connections;

    @Schedule(second = "*/15", minute = "*", hour = "*", persistent = false)
    void adopt() {
        if (!cluster.coordinator() || !cluster.listening()) {
            return;
        }
        if (PeerOutbox.adopt(em, cluster.memberNames()) == 0) {
            return;
        }
        try (XmppConnection c = connections.getConnection()) {
            LOG.infof("GRID0955: %d stored stanzas for peer grids handed to this node's links", PeerOutbox.handOver(em, c,
                    PeerOutbox.NODE));
        } catch (jakarta.resource.ResourceException | RuntimeException e) {
            LOG.warnf("GRID0955: stored stanzas for peer grids taken over, not handed to the links now (at the next start): %s",
                    e.toString());
        }
    }
}
