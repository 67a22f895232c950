package io.xmppgrid.ejb.audit;

import io.xmppgrid.console.tls.RefusedHandshakes;
import io.xmppgrid.persistence.AuditEntry;
import jakarta.ejb.EJB;
import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Puts the client certificates this node's console listener refused in the audit log every two seconds
 * (issue 19 §8): action {@code admin.tls}, outcome {@code refused}, the certificate's subject as the target, its
 * issuer and the reason as the detail, the peer's address. The refusals wait in the server module
 * io.xmppgrid.console-tls ({@link RefusedHandshakes}), bounded there (one per address per ten seconds, the next
 * one saying how many were not recorded); at most {@value #PER_RUN} are written per run.
 */
@Singleton
public class RefusedHandshakeAudit {

    static final int PER_RUN = 200;
    private static final Logger LOG = Logger.getLogger(RefusedHandshakeAudit.class);

    @EJB
    private AuditLog audit;

    @Schedule(hour = "*", minute = "*", second = "*/2", persistent = false, info = "console-tls-refusals")
    public void record() {
        List<RefusedHandshakes.Refusal> refused = RefusedHandshakes.SHARED.take(PER_RUN);
        for (RefusedHandshakes.Refusal r : refused) {
            StringBuilder detail = new StringBuilder("client certificate refused in the TLS handshake: ").append(r.reason())
                    .append("; issuer ").append(r.issuer());
            if (r.notRecordedBefore() > 0) {
                detail.append("; ").append(r.notRecordedBefore()).append(" more from this address before, not recorded");
            }
            if (r.droppedBefore() > 0) {
                detail.append("; ").append(r.droppedBefore()).append(" refusals from other addresses dropped (too many waiting)");
            }
            audit.record(AuditEntry.Kind.ADMIN, "(unauthenticated)", "admin.tls", r.subject(), "refused", detail.toString(),
                    r.address());
        }
        if (!refused.isEmpty()) {
            LOG.debugf("GRID0932: %d refused console handshakes recorded", refused.size());
        }
    }
}
