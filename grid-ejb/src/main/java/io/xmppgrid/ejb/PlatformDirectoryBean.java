package io.xmppgrid.ejb;

import io.xmppgrid.persistence.Platform;
import io.xmppgrid.persistence.PlatformCertificate;
import io.xmppgrid.persistence.RoleTemplateEntity;
import io.xmppgrid.persistence.ScramCredential;
import io.xmppgrid.ra.api.PlatformCredentials;
import io.xmppgrid.ra.api.PlatformDirectory;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import org.jboss.ejb3.annotation.Pool;
import org.jboss.ejb3.annotation.ResourceAdapter;

/**
 * Answers the adapter's credential look-ups from the platform tables.
 *
 * <p>Its deactivation stops the listener too: it stops before the beans the listener's handover uses (see
 * {@link StanzaRouterBean}).
 */
@MessageDriven(messageListenerInterface = PlatformDirectory.class, activationConfig = {
        @ActivationConfigProperty(propertyName = "maxEndpoints", propertyValue = "16")})
@ResourceAdapter("grid-ear.ear#grid-ra.rar")
@Pool("grid-directory-pool")
@jakarta.ejb.DependsOn({"ClusterBus", "ClusterReroute", "TopicCache", "AuditLog", "AuditChainer", "PlatformAdmin",
        "ServiceAdministrationBean"})
@TransactionAttribute(TransactionAttributeType.SUPPORTS)
public class PlatformDirectoryBean implements PlatformDirectory {

    @PersistenceContext(unitName = "grid")
    private EntityManager em;

    @Override
    public PlatformCredentials lookup(String localpart) {
        List<Platform> found = em.createNamedQuery(Platform.BY_LOCALPART, Platform.class)
                .setParameter("localpart", localpart).getResultList();
        if (found.isEmpty()) {
            return null;
        }
        Platform p = found.get(0);
        List<PlatformCredentials.ScramKeys> keys = new ArrayList<>();
        Base64.Decoder b64 = Base64.getDecoder();
        for (ScramCredential c : em.createNamedQuery(ScramCredential.BY_PLATFORM, ScramCredential.class)
                .setParameter("platform", p).getResultList()) {
            keys.add(new PlatformCredentials.ScramKeys(c.getHash(), b64.decode(c.getSalt()), c.getIterations(),
                    b64.decode(c.getStoredKey()), b64.decode(c.getServerKey())));
        }
        List<String> revoked = em.createNamedQuery(PlatformCertificate.REVOKED_SERIALS, String.class)
                .setParameter("platform", p).getResultList();
        String roleName = p.getRole() != null ? p.getRole() : JpaRoles.operatorDefault();
        RoleTemplateEntity role = roleName == null ? null : em.find(RoleTemplateEntity.class, roleName);
        return new PlatformCredentials(p.getLocalpart(), p.getState() == Platform.State.ENABLED, keys, new HashSet<>(revoked),
                rate(role == null ? null : role.stanzaRate, "grid.limits.stanzaRate"),
                rate(role == null ? null : role.byteRate, "grid.limits.byteRate"));
    }

    @Override
    public java.util.Map<Integer, Long> scramIterations(String hash) {
        java.util.Map<Integer, Long> out = new java.util.HashMap<>();
        for (Object[] row : em.createNamedQuery(ScramCredential.ITERATIONS_IN_USE, Object[].class)
                .setParameter("hash", hash).getResultList()) {
            out.put(((Number) row[0]).intValue(), ((Number) row[1]).longValue());
        }
        return out;
    }

    @Override
    public io.xmppgrid.ra.api.PeerCredentials peer(String domain) {
        io.xmppgrid.persistence.PeerEntity p = domain == null ? null
                : em.find(io.xmppgrid.persistence.PeerEntity.class, domain.toLowerCase(java.util.Locale.ROOT));
        if (p == null) {
            return null;
        }
        // its links are throttled at its role template's rates, as a platform's sessions are (issue 24)
        RoleTemplateEntity role = p.role == null ? null : em.find(RoleTemplateEntity.class, p.role);
        return new io.xmppgrid.ra.api.PeerCredentials(p.domain, p.state == io.xmppgrid.persistence.PeerEntity.State.ENABLED,
                p.trustAnchors, p.pin, p.address, rate(role == null ? null : role.stanzaRate, "grid.limits.stanzaRate"),
                rate(role == null ? null : role.byteRate, "grid.limits.byteRate"));
    }

    /** The template's rate, else the operator's default (system property), else unlimited (0). */
    private static int rate(Integer own, String property) {
        if (own != null) {
            return Math.max(0, own);
        }
        try {
            return Math.max(0, Integer.parseInt(System.getProperty(property, "0").trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @jakarta.ejb.EJB
    private PlatformAdmin admin;

    @jakarta.ejb.EJB
    private io.xmppgrid.ejb.audit.AuditLog audit;

    @Override
    public Registration register(String localpart, String password, String address) {
        Registration r;
        String why = null;
        try {
            admin.registerPending(localpart, password);
            r = Registration.PENDING;
        } catch (AdminException e) {
            why = e.getMessage();
            r = switch (e.reason()) {
                case CONFLICT -> why.contains("await approval") ? Registration.TOO_MANY : Registration.CONFLICT;
                default -> Registration.NOT_ACCEPTABLE;
            };
        }
        audit.recordSeparately(io.xmppgrid.persistence.AuditEntry.Kind.PLATFORM,
                io.xmppgrid.xmpp.Jid.of(localpart, GridSettings.domain(), null).toString(), "platform.register", null,
                r == Registration.PENDING ? "pending" : "refused", why, address);
        return r;
    }
}
