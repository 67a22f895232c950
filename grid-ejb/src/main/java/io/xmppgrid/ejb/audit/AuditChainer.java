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
            int chained = 0;
            do {
                n = log.chain();
                chained += n;
            } while (n > 0 && n >= 2000);
            if (chained > 0 || !anchoredOnce) {
                anchor();
            }
        } catch (RuntimeException e) {
            LOG.warnf("GRID0601: audit entries not chained this time (next second): %s", e.getMessage());
        }
    }

    private boolean anchoredOnce;
    private long loggedAt;

    /** Moves the anchor outside the database to the committed head; logs the head every ten minutes (a second anchor). */
    private void anchor() {
        AuditAnchor.Point head = log.head();
        anchoredOnce = true;
        if (head == null) {
            return;
        }
        try {
            AuditAnchor.advance(AuditChain.key(), head);
        } catch (java.io.IOException e) {
            LOG.warnf("GRID0604: the audit anchor %s could not be written: %s", AuditAnchor.file(), e.getMessage());
        }
        long now = System.currentTimeMillis();
        if (now - loggedAt > 600_000) {
            loggedAt = now;
            LOG.infof("GRID0603: audit chain at entry %d, hash %s", head.seq(), head.hash());
        }
    }
}
