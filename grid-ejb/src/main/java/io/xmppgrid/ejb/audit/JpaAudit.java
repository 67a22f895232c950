package io.xmppgrid.ejb.audit;

import io.xmppgrid.core.Audit;
import io.xmppgrid.persistence.AuditEntry;
import io.xmppgrid.xmpp.Jid;
import jakarta.persistence.EntityManager;

/** {@link Audit} for the broker: entries persisted in the caller's transaction. */
public final class JpaAudit implements Audit {

    private final EntityManager em;

    public JpaAudit(EntityManager em) {
        this.em = em;
    }

    @Override
    public void platform(Jid actor, String action, String target, String outcome, String detail) {
        em.persist(AuditLog.entry(AuditEntry.Kind.PLATFORM, actor.bare().toString(), action, target, outcome, detail, null));
    }

    /** What the server itself did to a platform (e.g. a refused offline message). */
    public void system(String action, String target, String outcome, String detail) {
        em.persist(AuditLog.entry(AuditEntry.Kind.SYSTEM, "server", action, target, outcome, detail, null));
    }
}
