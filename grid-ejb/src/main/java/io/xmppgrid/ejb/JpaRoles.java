package io.xmppgrid.ejb;

import io.xmppgrid.core.pubsub.RoleTemplate;
import io.xmppgrid.core.pubsub.TemplatePolicy;
import io.xmppgrid.persistence.Platform;
import io.xmppgrid.persistence.RoleTemplateEntity;
import io.xmppgrid.xmpp.Jid;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /** The policy of role templates over this persistence context, with bulk look-ups for deliveries. */
    public TemplatePolicy policy() {
        return new TemplatePolicy(this::roleOf, this::rolesOf);
    }

    public Optional<RoleTemplate> roleOf(Jid platform) {
        if (platform.local() == null || !platform.domainPart().equals(GridSettings.domain())) {
            return Optional.empty();
        }
        List<Platform> p = em.createNamedQuery(Platform.BY_LOCALPART, Platform.class)
                .setParameter("localpart", platform.local()).getResultList();
        return template(p.isEmpty() || p.get(0).getRole() == null ? operatorDefault() : p.get(0).getRole(), platform,
                new HashMap<>());
    }

    /**
     * The templates of many platforms (bare JIDs) with one query per 500 of them and one read per distinct template
     * (a notification's subscribers: a thousand would otherwise be a thousand queries per publish).
     */
    public Map<Jid, Optional<RoleTemplate>> rolesOf(Collection<Jid> platforms) {
        Map<String, Jid> local = new HashMap<>();
        for (Jid j : platforms) {
            if (j.local() != null && j.domainPart().equals(GridSettings.domain())) {
                local.put(j.local(), j);
            }
        }
        Map<String, String> roleByLocal = new HashMap<>();
        List<String> all = new ArrayList<>(local.keySet());
        for (int from = 0; from < all.size(); from += 500) {
            for (Object[] row : em.createNamedQuery(Platform.ROLES_OF, Object[].class)
                    .setParameter("localparts", all.subList(from, Math.min(all.size(), from + 500))).getResultList()) {
                roleByLocal.put((String) row[0], (String) row[1]);
            }
        }
        Map<String, Optional<RoleTemplate>> templates = new HashMap<>();
        Map<Jid, Optional<RoleTemplate>> out = new HashMap<>();
        for (Jid j : platforms) {
            String l = j.local();
            if (l == null || !local.containsKey(l)) {
                out.put(j, Optional.empty());
                continue;
            }
            String name = roleByLocal.get(l) == null ? operatorDefault() : roleByLocal.get(l);
            out.put(j, template(name, j, templates));
        }
        return out;
    }

    private Optional<RoleTemplate> template(String name, Jid platform, Map<String, Optional<RoleTemplate>> seen) {
        if (name == null) {
            return Optional.empty();
        }
        Optional<RoleTemplate> known = seen.get(name);
        if (known != null) {
            return known;
        }
        Optional<RoleTemplate> t = load(name, platform);
        seen.put(name, t);
        return t;
    }

    private Optional<RoleTemplate> load(String name, Jid platform) {
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
