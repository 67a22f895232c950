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
        if (platform.local() == null && platform.domainPart().equals(GridSettings.domain())) {
            return Optional.empty(); // this grid's own domain: no template (a peer grid's addresses have its peer's)
        }
        return rolesOf(List.of(platform)).get(platform);
    }

    /**
     * The templates of many platforms (bare JIDs): a notification's subscribers, a thousand of them per publish. Read
     * from this node's cache while the role generation (one row, raised by every change of roles or templates in the
     * changing transaction: {@link #changed}) is the one the cache was filled under; what is missing is read with one
     * query per 500 platforms, tagged with the generation read before it (so a value read across a change is never
     * kept as current). Coherent across nodes: they share the row.
     */
    public Map<Jid, Optional<RoleTemplate>> rolesOf(Collection<Jid> platforms) {
        long generation = generation();
        Cache cache = CACHE.get();
        if (cache.generation != generation) {
            Cache fresh = new Cache(generation);
            cache = CACHE.compareAndSet(cache, fresh) ? fresh : CACHE.get();
        }
        Map<String, String> known = new HashMap<>(); // localpart → role name, NO_ROLE for none
        List<String> missing = new ArrayList<>();
        for (Jid j : platforms) {
            if (j.local() != null && j.domainPart().equals(GridSettings.domain()) && !known.containsKey(j.local())) {
                String role = cache.roles.get(j.local());
                known.put(j.local(), role);
                if (role == null) {
                    missing.add(j.local());
                }
            }
        }
        if (!missing.isEmpty()) {
            for (String l : missing) {
                known.put(l, NO_ROLE); // not in the platform table: no role of its own
            }
            for (int from = 0; from < missing.size(); from += 500) {
                for (Object[] row : em.createNamedQuery(Platform.ROLES_OF, Object[].class)
                        .setParameter("localparts", missing.subList(from, Math.min(missing.size(), from + 500))).getResultList()) {
                    known.put((String) row[0], row[1] == null ? NO_ROLE : (String) row[1]);
                }
            }
            if (cache.roles.size() + missing.size() > MAX_CACHED) {
                cache.roles.clear(); // bounded: beyond this many platforms, roles are read again rather than kept
            }
            for (String l : missing) {
                cache.roles.put(l, known.get(l));
            }
        }
        Map<Jid, Optional<RoleTemplate>> out = new HashMap<>();
        for (Jid j : platforms) {
            if (!j.domainPart().equals(GridSettings.domain())) {
                // issue 24: the platforms and services of a peer grid have the template an administrator gave the peer
                String peerRole = peerRole(j.domainPart(), cache);
                out.put(j, NO_ROLE.equals(peerRole) ? Optional.empty() : template(peerRole, j, cache));
                continue;
            }
            String role = j.local() == null ? null : known.get(j.local());
            if (role == null) {
                out.put(j, Optional.empty()); // a service address of this grid: no template
                continue;
            }
            out.put(j, template(NO_ROLE.equals(role) ? operatorDefault() : role, j, cache));
        }
        return out;
    }

    /**
     * The role of the enabled peer grid whose domain {@code domain} is in (itself or a subdomain: its broker), or
     * {@link #NO_ROLE}: a revoked peer, a peer without a role and a domain that is no peer get nothing.
     */
    private String peerRole(String domain, Cache cache) {
        String known = cache.peers.get(domain);
        if (known != null) {
            return known;
        }
        io.xmppgrid.persistence.PeerEntity p = io.xmppgrid.persistence.PeerEntity.covering(em, domain);
        String role = p != null && p.state == io.xmppgrid.persistence.PeerEntity.State.ENABLED && p.role != null
                ? p.role : NO_ROLE;
        if (cache.peers.size() < MAX_CACHED_PEERS) {
            cache.peers.put(domain, role);
        }
        return role;
    }

    /** Raises the role generation in the caller's transaction: every node reads roles and templates afresh. */
    public static void changed(EntityManager em) {
        em.createNativeQuery("UPDATE role_generation SET generation = generation + 1 WHERE id = 1").executeUpdate();
    }

    private long generation() {
        Object g = em.createNativeQuery("SELECT generation FROM role_generation WHERE id = 1").getSingleResult();
        return ((Number) g).longValue();
    }

    private Optional<RoleTemplate> template(String name, Jid platform, Cache cache) {
        if (name == null) {
            return Optional.empty();
        }
        Optional<RoleTemplate> known = cache.templates.get(name);
        if (known != null) {
            return known;
        }
        Optional<RoleTemplate> t = load(name, platform);
        if (cache.templates.size() < MAX_CACHED) {
            cache.templates.put(name, t);
        }
        return t;
    }

    /** Roles (by localpart; {@link #NO_ROLE} for none) and templates read under one role generation. */
    private record Cache(long generation, java.util.concurrent.ConcurrentHashMap<String, String> roles,
                         java.util.concurrent.ConcurrentHashMap<String, Optional<RoleTemplate>> templates,
                         java.util.concurrent.ConcurrentHashMap<String, String> peers) {
        Cache(long generation) {
            this(generation, new java.util.concurrent.ConcurrentHashMap<>(), new java.util.concurrent.ConcurrentHashMap<>(),
                    new java.util.concurrent.ConcurrentHashMap<>());
        }
    }

    /** Remote domains remembered per role generation (peer-supplied addresses: bounded). */
    private static final int MAX_CACHED_PEERS = 1000;

    private static final String NO_ROLE = "";
    private static final int MAX_CACHED = 200_000;
    private static final java.util.concurrent.atomic.AtomicReference<Cache> CACHE =
            new java.util.concurrent.atomic.AtomicReference<>(new Cache(-1));

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
