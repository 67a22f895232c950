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
 * connections, stanzas in and out, notifications delivered, offline queue depth, and every
 * audited event by action and outcome ({@code grid_audit_events_total}: publishes, revocations,
 * limit violations, failed logins, refused administration requests ...).
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
        r.gauge("grid.sessions", Tags.empty(), this, m -> m.stats().sessions());
        r.gauge("grid.connections", Tags.empty(), this, m -> m.stats().connections());
        r.more().counter("grid.stanzas.in", Tags.empty(), this, m -> m.stats().stanzasIn());
        r.more().counter("grid.stanzas.out", Tags.empty(), this, m -> m.stats().stanzasOut());
        r.gauge("grid.offline.depth", Tags.empty(), this, GridMetrics::offlineDepth);
        for (String setting : ServerStatistics.REFUSING_SETTINGS) {
            r.more().counter("grid.connections.refused", Tags.of("limit", setting), this, m -> m.stats().refused(setting));
        }
        deliveries = r.counter("grid.deliveries", Tags.empty());
        registry = r;
        LOG.infof("GRID0802: grid metrics registered (%d meters)", r.getMeters().size());
    }

    /** Meters of this deployment leave with it: the next deployment registers its own. */
    @jakarta.annotation.PreDestroy
    void unregister() {
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
        try {
            Number n = (Number) em.createQuery("select coalesce(sum(q.messageCount), 0) from OfflineQueueEntity q")
                    .getSingleResult();
            return n.doubleValue();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Counts an audited event (called for every audit entry as it is made). */
    public static void event(String action, String outcome) {
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        String o = outcome == null ? "" : outcome;
        EVENTS.computeIfAbsent(action + '\n' + o, k -> r.counter("grid.audit.events", Tags.of("action", action, "outcome", o)))
                .increment();
    }

    /** Counts notifications handed to sessions. */
    public static void delivered() {
        Counter c = deliveries;
        if (c != null) {
            c.increment();
        }
    }
}
