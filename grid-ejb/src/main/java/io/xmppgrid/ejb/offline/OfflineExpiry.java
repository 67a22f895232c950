package io.xmppgrid.ejb.offline;

import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * Removes stored messages older than {@code grid.offline.maxAgeSeconds} once a minute, counting
 * them per platform (visible in the admin API) and logging GRID0404. Off when no maximum age is
 * set. Every node sweeps; the queue locks keep concurrent sweeps exact.
 */
@Singleton
public class OfflineExpiry {

    private static final Logger LOG = Logger.getLogger(OfflineExpiry.class);

    @PersistenceContext(unitName = "grid")
    private EntityManager em;

    @Schedule(hour = "*", minute = "*", persistent = false, info = "offline-expiry")
    public void sweep() {
        OfflineSettings settings = OfflineSettings.fromSystem();
        if (settings.maxAge().isZero()) {
            return;
        }
        int n = new JpaOfflineQueue(em, settings, Clock.systemUTC(), new io.xmppgrid.ejb.audit.JpaAudit(em)).expire();
        if (n > 0) {
            LOG.debugf("GRID0409: offline sweep removed %d expired messages", n);
        }
    }
}
