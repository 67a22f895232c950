package io.xmppgrid.ejb;

import io.xmppgrid.core.pubsub.RoleTemplate;
import io.xmppgrid.persistence.Platform;
import io.xmppgrid.persistence.RoleTemplateEntity;
import io.xmppgrid.xmpp.Jid;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * A platform's role template from the database: its own, or the operator's default
 * ({@code grid.roles.default}, none unless set).
 */
public final class JpaRoles {

    private static final Logger LOG = Logger.getLogger(JpaRoles.class);

    private final EntityManager em;

    public JpaRoles(EntityManager em) {
        this.em = em;
    }

    public static String operatorDefault() {
        String d = System.getProperty("grid.roles.default", "");
        return d.isBlank() ? null : d.trim();
    }

    public Optional<RoleTemplate> roleOf(Jid platform) {
        if (platform.local() == null || !platform.domainPart().equals(GridSettings.domain())) {
            return Optional.empty();
        }
        List<Platform> p = em.createNamedQuery(Platform.BY_LOCALPART, Platform.class)
                .setParameter("localpart", platform.local()).getResultList();
        String name = p.isEmpty() || p.get(0).getRole() == null ? operatorDefault() : p.get(0).getRole();
        if (name == null) {
            return Optional.empty();
        }
        RoleTemplateEntity r = em.find(RoleTemplateEntity.class, name);
        if (r == null) {
            LOG.warnf("GRID0701: role template %s of %s does not exist; nothing is allowed", name, platform);
            return Optional.empty();
        }
        try {
            return Optional.of(new RoleTemplate(r.name, r.description, RoleTemplate.parseGrants(r.grants)));
        } catch (IllegalArgumentException e) {
            LOG.errorf("GRID0702: role template %s is unreadable (%s); nothing is allowed", name, e.getMessage());
            return Optional.empty();
        }
    }
}
