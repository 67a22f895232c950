package io.xmppgrid.ejb;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.xmppgrid.ra.api.ServerStatistics;
import io.xmppgrid.ra.api.XmppConnection;
import io.xmppgrid.ra.api.XmppConnectionFactory;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The grid's meters in the server's Micrometer registry (WildFly's micrometer subsystem,
 * Prometheus format at {@code http://<management>:9990/prometheus}): live sessions and open
 * connections, stanzas in and out, notifications delivered, and every audited event by action and
 * outcome ({@code grid_audit_events_total}: publishes, revocations, limit violations, failed logins,
 * refused administration requests ...), each tagged with the node ({@code node}); and the grid's own
 * figures, the same on every node (offline queue depth, platforms by state), exported by one node only (the
 * cluster's coordinator, tagged {@code scope=cluster}), so that a sum over the cluster counts them once.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class GridMetrics {

    private static final Logger LOG = Logger.getLogger(GridMetrics.class);
    private static volatile MeterRegistry registry;
    private static final ConcurrentHashMap<String, Counter> EVENTS = new ConcurrentHashMap<>();
    private static volatile Counter deliveries;

    @Inject
    private Instance<MeterRegistry> registries;

    @PersistenceContext(unitName = "grid")
    private EntityManager em;

    @jakarta.annotation.Resource(lookup = XmppConnectionFactory.JNDI_NAME)
    private XmppConnectionFactory connections;

    private volatile ServerStatistics last = new ServerStatistics(0, 0, 0, 0);

    @PostConstruct
    void register() {
        if (!registries.isResolvable()) {
            LOG.warnf("GRID0801: no Micrometer registry (the micrometer subsystem is not configured): no grid metrics");
            return;
        }
        MeterRegistry r = registries.get();
        removeOurs(r); // meters of an earlier deployment of the application would answer for this one
        // WildFly 39's per-deployment registry forwards its registration methods (not meter builders) to
        // the server's registry, tagged with the deployment
        Tags node = NODE;
        r.gauge("grid.sessions", node, this, m -> m.stats().sessions());
        r.gauge("grid.connections", node, this, m -> m.stats().connections());
        r.more().counter("grid.stanzas.in", node, this, m -> m.stats().stanzasIn());
        r.more().counter("grid.stanzas.out", node, this, m -> m.stats().stanzasOut());
        for (String setting : ServerStatistics.REFUSING_SETTINGS) {
            r.more().counter("grid.connections.refused", node.and("limit", setting), this, m -> m.stats().refused(setting));
        }
        deliveries = r.counter("grid.deliveries", node);
        registry = r;
        clusterFigures();
        if (scheduler != null) {
            // the coordinator can change (a node leaves): the cluster-wide figures follow it
            clusterFiguresTask = scheduler.scheduleWithFixedDelay(this::clusterFigures, 15, 15, java.util.concurrent.TimeUnit.SECONDS);
        }
        LOG.infof("GRID0802: grid metrics registered (%d meters)", r.getMeters().size());
    }

    /** Every node's meters carry its name. */
    private static final Tags NODE = Tags.of("node", System.getProperty("jboss.node.name", "node"));
    private static final Tags CLUSTER = Tags.of("scope", "cluster");

    @jakarta.annotation.Resource
    private jakarta.enterprise.concurrent.ManagedScheduledExecutorService scheduler;

    @jakarta.ejb.EJB
    private io.xmppgrid.ejb.cluster.ClusterBus cluster;

    private volatile java.util.concurrent.ScheduledFuture<?> clusterFiguresTask;
    /** Whether this node exports the cluster-wide figures now. */
    private volatile boolean exportsClusterFigures;

    /** Registers the cluster-wide gauges on the coordinator, removes them elsewhere (issue 20: exported once). */
    private void clusterFigures() {
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        boolean coordinator;
        try {
            coordinator = cluster.coordinator();
        } catch (RuntimeException e) {
            return; // the cluster bean is not there yet, or any more
        }
        if (coordinator && !exportsClusterFigures) {
            exportsClusterFigures = true;
            r.gauge("grid.offline.depth", CLUSTER, this, GridMetrics::offlineDepth);
            for (io.xmppgrid.persistence.Platform.State s : io.xmppgrid.persistence.Platform.State.values()) {
                r.gauge("grid.platforms", CLUSTER.and("state", s.name().toLowerCase(java.util.Locale.ROOT)), this,
                        m -> m.platforms(s));
            }
            LOG.infof("GRID0803: this node exports the grid's cluster-wide figures (offline depth, platforms)");
        } else if (!coordinator && exportsClusterFigures) {
            exportsClusterFigures = false;
            for (io.micrometer.core.instrument.Meter m : r.getMeters()) {
                if ("cluster".equals(m.getId().getTag("scope")) && m.getId().getName().startsWith("grid.")) {
                    r.remove(m);
                }
            }
            LOG.infof("GRID0803: another node exports the grid's cluster-wide figures");
        }
    }

    private double platforms(io.xmppgrid.persistence.Platform.State state) {
        try {
            Number n = (Number) em.createQuery("select count(p) from Platform p where p.state = :s")
                    .setParameter("s", state).getSingleResult();
            return n.doubleValue();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Meters of this deployment leave with it: the next deployment registers its own. */
    @jakarta.annotation.PreDestroy
    void unregister() {
        java.util.concurrent.ScheduledFuture<?> task = clusterFiguresTask;
        if (task != null) {
            task.cancel(false);
        }
        exportsClusterFigures = false;
        MeterRegistry r = registry;
        registry = null;
        deliveries = null;
        EVENTS.clear();
        if (r != null) {
            removeOurs(r);
        }
    }

    private static void removeOurs(MeterRegistry r) {
        for (io.micrometer.core.instrument.Meter m : r.getMeters()) {
            if (m.getId().getName().startsWith("grid.")) {
                r.remove(m);
            }
        }
    }

    /** The listener's counters, as they are now. */
    private ServerStatistics stats() {
        try (XmppConnection c = connections.getConnection()) {
            ServerStatistics now = c.statistics();
            last = now;
            return now;
        } catch (jakarta.resource.ResourceException | RuntimeException e) {
            // the listener is not running: no connections, counters as last seen (they never go back)
            return new ServerStatistics(0, 0, last.stanzasIn(), last.stanzasOut(), last.refusedConnections());
        }
    }

    private double offlineDepth() {
        return offlineDepth(em);
    }

    /** Messages waiting in every platform's offline queue (NaN when the database does not answer). */
    public static double offlineDepth(EntityManager em) {
        try {
            Number n = (Number) em.createQuery("select coalesce(sum(q.messageCount), 0) from OfflineQueueEntity q")
                    .getSingleResult();
            return n.doubleValue();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private static final java.util.concurrent.atomic.LongAdder DELIVERED = new java.util.concurrent.atomic.LongAdder();
    private static final java.util.concurrent.atomic.LongAdder REFUSED_LOGINS = new java.util.concurrent.atomic.LongAdder();
    private static final java.util.concurrent.atomic.LongAdder RATE_LIMITED = new java.util.concurrent.atomic.LongAdder();

    /** Notifications handed to sessions since this node started (the console's charts). */
    public static long deliveries() {
        return DELIVERED.sum();
    }

    /** Refused logins (XMPP authentication and console sign-in) since this node started. */
    public static long refusedLogins() {
        return REFUSED_LOGINS.sum();
    }

    /** Rate-limit events (limits exceeded, platforms disabled for it, connections refused) since this node started. */
    public static long rateLimitEvents() {
        return RATE_LIMITED.sum();
    }

    /** Counts an audited event (called for every audit entry as it is made). */
    public static void event(String action, String outcome) {
        if (("auth".equals(action) || "admin.signin".equals(action)) && !"ok".equals(outcome)) {
            REFUSED_LOGINS.increment();
        } else if ("limit.exceeded".equals(action) || "limit.disable".equals(action) || "connection".equals(action)) {
            RATE_LIMITED.increment();
        }
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        String o = outcome == null ? "" : outcome;
        EVENTS.computeIfAbsent(action + '\n' + o, k -> r.counter("grid.audit.events", NODE.and("action", action, "outcome", o)))
                .increment();
    }

    /** Counts notifications handed to sessions. */
    public static void delivered() {
        DELIVERED.increment();
        Counter c = deliveries;
        if (c != null) {
            c.increment();
        }
    }
}
