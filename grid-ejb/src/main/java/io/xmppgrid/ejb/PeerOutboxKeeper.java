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

    @Resource
    private jakarta.transaction.TransactionSynchronizationRegistry transactions;

    @Schedule(second = "*/15", minute = "*", hour = "*", persistent = false)
    void adopt() {
        if (!cluster.coordinator() || !cluster.listening()) {
            return;
        }
        if (PeerOutbox.adopt(em, cluster.memberNames()) == 0) {
            return;
        }
        // the adapter asks for them once this transaction committed the move (StanzaRouterBean.onPeerOutboxWanted)
        jakarta.transaction.TransactionSynchronizationRegistry tsr = transactions;
        tsr.registerInterposedSynchronization(new jakarta.transaction.Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status != jakarta.transaction.Status.STATUS_COMMITTED) {
                    return;
                }
                try (XmppConnection c = connections.getConnection()) {
                    c.peerOutboxChanged();
                    LOG.infof("GRID0955: this node's links send the stored stanzas for peer grids it took over");
                } catch (jakarta.resource.ResourceException | RuntimeException e) {
                    LOG.warnf("GRID0955: stored stanzas for peer grids taken over, sent at this node's next start: %s",
                            e.toString());
                }
            }
        });
    }
}
