package io.xmppgrid.ejb.history;

import io.xmppgrid.ejb.GridMetrics;
import io.xmppgrid.ra.api.ServerStatistics;
import io.xmppgrid.ra.api.SessionTraffic;
import io.xmppgrid.ra.api.XmppConnection;
import io.xmppgrid.ra.api.XmppConnectionFactory;
import io.xmppgrid.xmpp.Jid;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Samples this node's traffic every {@value TrafficHistory#STEP_SECONDS} s into its {@link TrafficHistory} (the console's
 * charts; other nodes ask for it through the cluster bus). The adapter's counters, the deliveries and audited events
 * counted by {@link GridMetrics}, the offline queues' depth (one sum over the queue table), and each live platform's
 * stanzas in and out.
 */
@Singleton
@Startup
@jakarta.ejb.DependsOn("GridStartup") // the schema is migrated before the first sample asks for the offline depth
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class TrafficSampler {

    private static final Logger LOG = Logger.getLogger(TrafficSampler.class);
    private static final TrafficHistory HISTORY = new TrafficHistory(System.getProperty("jboss.node.name", "node"));

    @jakarta.annotation.Resource(lookup = XmppConnectionFactory.JNDI_NAME)
    private XmppConnectionFactory connections;

    @PersistenceContext(unitName = "grid")
    private EntityManager em;

    private long lastStanzasIn;
    private long lastStanzasOut;
    private boolean warned;

    /** This node's history. */
    public static TrafficHistory history() {
        return HISTORY;
    }

    @Schedule(hour = "*", minute = "*", second = "*/5", persistent = false, info = "traffic-history")
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public void sample() {
        try {
            int sessions = 0;
            Map<String, long[]> platforms = new HashMap<>();
            try (XmppConnection c = connections.getConnection()) {
                ServerStatistics stats = c.statistics();
                sessions = stats.sessions();
                lastStanzasIn = stats.stanzasIn();
                lastStanzasOut = stats.stanzasOut();
                for (Jid jid : c.sessions().jids()) {
                    SessionTraffic t = c.traffic(jid);
                    platforms.merge(jid.bare().toString(), new long[] {t.stanzasIn(), t.stanzasOut()},
                            (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
                }
            } catch (jakarta.resource.ResourceException | RuntimeException e) {
                // the listener is not running: no sessions; its counters as last seen
                LOG.debugf("GRID0933: traffic sampled without the XMPP listener: %s", e.toString());
            }
            HISTORY.record(new TrafficHistory.Sample(System.currentTimeMillis(), sessions, lastStanzasIn, lastStanzasOut,
                    GridMetrics.deliveries(), GridMetrics.offlineDepth(em), GridMetrics.refusedLogins(), GridMetrics.rateLimitEvents(),
                    platforms));
            warned = false;
        } catch (RuntimeException e) {
            if (!warned) {
                warned = true;
                LOG.warnf("GRID0933: traffic not sampled this time (the console's charts have a gap): %s", e.toString());
            }
        }
    }
}
