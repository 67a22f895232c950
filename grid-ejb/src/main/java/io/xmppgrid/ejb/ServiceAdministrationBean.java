package io.xmppgrid.ejb;

import io.xmppgrid.core.admin.ServiceAdministration;
import io.xmppgrid.core.pubsub.ActorPolicy;
import io.xmppgrid.ejb.audit.AuditLog;
import io.xmppgrid.persistence.AuditEntry;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.StanzaError;
import jakarta.ejb.EJB;
import jakarta.ejb.LocalBean;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.List;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * XEP-0133 service administration over the same beans as the console and the API. Each change
 * runs in a transaction of its own (a refusal must not undo the stanza bean's work, and sessions
 * end when the change commits) and is audited as {@code xmpp.admin.<command>} with the
 * administering platform as actor, whatever its outcome. A refusal is returned, not thrown (the
 * transaction is rolled back by its {@link AdminException}); {@link #forCore()} turns it into the
 * core's {@link ServiceAdministration.Refused}.
 */
@Stateless
@LocalBean
public class ServiceAdministrationBean {

    /** What a change did: how many (sessions), or why it was refused. */
    public record Outcome(int count, StanzaError refusal, String reason) {
    }

    private static final Logger LOG = Logger.getLogger(ServiceAdministrationBean.class);

    @PersistenceContext(unitName = "grid")
    private EntityManager em;

    @EJB
    private PlatformAdmin platforms;

    @EJB
    private AuditLog audit;

    public boolean mayAdminister(Jid actor) {
        return new JpaRoles(em).roleOf(actor.bare())
                .map(r -> r.refuses(ActorPolicy.Action.ADMINISTER, "the service", null, true) == null).orElse(false);
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public Outcome addUser(Jid actor, String localpart, String password) {
        return audited(actor, "add-user", localpart, () -> {
            platforms.createPlatform(localpart, password, null);
            return 1;
        });
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public Outcome deleteUser(Jid actor, String localpart) {
        return audited(actor, "delete-user", localpart, () -> platforms.delete(localpart).sessionsEnded());
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public Outcome disableUser(Jid actor, String localpart) {
        return audited(actor, "disable-user", localpart, () -> platforms.disable(localpart).sessionsEnded());
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public Outcome reenableUser(Jid actor, String localpart) {
        return audited(actor, "reenable-user", localpart, () -> platforms.enableAsPlatform(localpart).sessionsEnded());
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public Outcome endSessions(Jid actor, Jid jid) {
        return audited(actor, "end-user-session", jid.toString(), () -> platforms.endSessionsOf(jid));
    }

    public List<Jid> onlineUsers() {
        return platforms.onlinePlatforms().stream().map(Jid::parse).toList();
    }

    private Outcome audited(Jid actor, String command, String target, Supplier<Integer> change) {
        try {
            int n = change.get();
            audit.recordSeparately(AuditEntry.Kind.ADMIN, actor.bare().toString(), "xmpp.admin." + command, target, "ok", null,
                    actor.toString());
            LOG.infof("GRID0241: %s ran %s on %s (XEP-0133)", actor, command, target);
            return new Outcome(n, null, null);
        } catch (AdminException e) {
            // this transaction is rolled back (the exception marked it); the refusal is recorded in one of its own
            audit.recordSeparately(AuditEntry.Kind.ADMIN, actor.bare().toString(), "xmpp.admin." + command, target,
                    "refused", e.getMessage(), actor.toString());
            LOG.infof("GRID0242: %s was refused %s on %s (XEP-0133): %s", actor, command, target, e.getMessage());
            return new Outcome(0, switch (e.reason()) {
                case CONFLICT -> StanzaError.CONFLICT;
                case NOT_FOUND -> StanzaError.ITEM_NOT_FOUND;
                case INVALID -> StanzaError.BAD_REQUEST;
                case UNAVAILABLE -> StanzaError.SERVICE_UNAVAILABLE;
            }, e.getMessage());
        }
    }

    /** This bean as the core's {@link ServiceAdministration}, for the stanza bean's router. */
    public static ServiceAdministration forCore(ServiceAdministrationBean bean) {
        return new ServiceAdministration() {
            @Override
            public boolean mayAdminister(Jid actor) {
                return bean.mayAdminister(actor);
            }

            @Override
            public void addUser(Jid actor, String localpart, String password) {
                check(bean.addUser(actor, localpart, password));
            }

            @Override
            public void deleteUser(Jid actor, String localpart) {
                check(bean.deleteUser(actor, localpart));
            }

            @Override
            public void disableUser(Jid actor, String localpart) {
                check(bean.disableUser(actor, localpart));
            }

            @Override
            public void reenableUser(Jid actor, String localpart) {
                check(bean.reenableUser(actor, localpart));
            }

            @Override
            public int endSessions(Jid actor, Jid jid) {
                return check(bean.endSessions(actor, jid));
            }

            @Override
            public List<Jid> onlineUsers(Jid actor) {
                return bean.onlineUsers();
            }
        };
    }

    private static int check(Outcome o) {
        if (o.refusal() != null) {
            throw new ServiceAdministration.Refused(o.refusal(), o.reason());
        }
        return o.count();
    }
}
