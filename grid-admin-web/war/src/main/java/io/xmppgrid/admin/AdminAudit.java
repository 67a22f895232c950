package io.xmppgrid.admin;

import io.xmppgrid.ejb.AdminException;
import io.xmppgrid.ejb.audit.AuditLog;
import io.xmppgrid.persistence.AuditEntry;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Response;
import java.util.function.Supplier;

/**
 * Records administrative changes made through the API (RFC 8600 §8.3.2: who, what, when, from
 * where, outcome), in a transaction of their own, so refusals are recorded too.
 */
@RequestScoped
public class AdminAudit {

    @EJB
    private AuditLog auditLog;

    @Inject
    private HttpServletRequest request;

    /**
     * Runs a console change and records it with its outcome (the refusal's reason when it is
     * refused, and then rethrows it).
     */
    public <T> T run(String action, String target, String detail, Supplier<T> change) {
        try {
            T result = change.get();
            record(action, target, "ok", detail);
            return result;
        } catch (AdminException e) {
            record(action, target, "refused-" + AdminExceptionMapper.response(e).getStatus(), e.getMessage());
            throw e;
        }
    }

    private void record(String action, String target, String outcome, String detail) {
        auditLog.recordSeparately(AuditEntry.Kind.ADMIN, actor(), action, target, outcome, detail,
                request.getRemoteAddr() + ":" + request.getRemotePort());
    }

    /** Who is acting: the signed-in administrator, or {@code admin-token} for the local token. */
    public String actor() {
        java.security.Principal p = request.getUserPrincipal();
        return p == null ? "(unauthenticated)" : p.getName();
    }

    /** Runs the change and records it with its outcome; {@code detail} is kept for successes. */
    Response audited(String action, String target, String detail, Supplier<Response> change) {
        Response r;
        try {
            r = change.get();
        } catch (AdminException e) {
            r = AdminExceptionMapper.response(e);
        }
        boolean ok = r.getStatus() < 300;
        record(action, target, ok ? "ok" : "refused-" + r.getStatus(), ok ? detail : r.getEntity() instanceof String s ? s.trim() : null);
        return r;
    }
}
