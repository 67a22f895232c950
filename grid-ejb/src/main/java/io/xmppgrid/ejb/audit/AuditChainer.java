package io.xmppgrid.ejb.audit;

import jakarta.ejb.EJB;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import org.jboss.logging.Logger;

/** Chains new audit entries every second (each node; the chain head's lock makes them take turns). */
@Singleton
public class AuditChainer {

    private static final Logger LOG = Logger.getLogger(AuditChainer.class);

    @EJB
    private AuditLog log;

    @Schedule(hour = "*", minute = "*", second = "*", persistent = false, info = "audit-chain")
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public void run() {
        try {
            int n;
            do {
                n = log.chain();
            } while (n > 0 && n >= 2000);
        } catch (RuntimeException e) {
            LOG.warnf("GRID0601: audit entries not chained this time (next second): %s", e.getMessage());
        }
    }
}
