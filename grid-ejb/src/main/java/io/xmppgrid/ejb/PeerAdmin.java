package io.xmppgrid.ejb;

import io.xmppgrid.persistence.PeerEntity;
import io.xmppgrid.persistence.RoleTemplateEntity;
import io.xmppgrid.security.PeerTrust;
import jakarta.ejb.Stateless;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The peer grids this grid may federate with (issue 24): configured by administrators, never
 * discovered. A peer is a domain with its own trust anchors (the peer grid's CA, imported here),
 * an optional pin of its server key, and the role template that governs its JIDs (none: they may
 * do nothing). Revoking keeps the peer on record, refused; removing forgets it.
 */
@Stateless
public class PeerAdmin {

    private static final Logger LOG = Logger.getLogger(PeerAdmin.class);

    @PersistenceContext(unitName = "grid")
    private EntityManager em;

    @jakarta.ejb.EJB
    private io.xmppgrid.ejb.cluster.ClusterBus cluster;

    /** One trust anchor as an administrator checks it: subject, expiry, SHA-256 fingerprint. */
    public record Anchor(String subject, Instant notAfter, String fingerprint) {
    }

    /** A peer as the API and the console show it. */
    public record PeerView(String domain, String state, List<Anchor> anchors, String pin, String role, String description,
                           String address, Instant createdAt, Instant updatedAt) {
    }

    /** Port of a peer's server when its address names none (RFC 6120 §3.2.3, the IANA port of server-to-server). */

    public List<PeerView> peers() {
        return em.createNamedQuery(PeerEntity.ALL, PeerEntity.class).getResultList().stream().map(PeerAdmin::view).toList();
    }

    public PeerView peer(String domain) {
        return view(existing(domain));
    }

    /**
     * Adds a peer or replaces what is configured for it (its state is kept: a revoked peer stays
     * revoked until enabled). {@code caPem}: the peer grid's CA certificates; {@code pin}: optional,
     * hex SHA-256 of its server's SubjectPublicKeyInfo; {@code role}: a role template, or none.
     */
    public PeerView save(String domain, String caPem, String pin, String role, String description) {
        return save(domain, caPem, pin, role, description, null);
    }

    /** As above, with where its server is reached ({@code host[:port]}; empty: its domain on 5269). */
    public PeerView save(String domain, String caPem, String pin, String role, String description, String address) {
        PeerTrust trust;
        try {
            trust = PeerTrust.of(domain, caPem, pin);
        } catch (IllegalArgumentException e) {
            throw new AdminException(AdminException.Reason.INVALID, e.getMessage());
        }
        if (trust.domain().equals(GridSettings.domain()) || trust.domain().endsWith("." + GridSettings.domain())) {
            throw new AdminException(AdminException.Reason.INVALID, trust.domain() + " is this grid's own domain");
        }
        String r = role == null || role.isBlank() ? null : role.strip();
        if (r != null && em.find(RoleTemplateEntity.class, r) == null) {
            throw new AdminException(AdminException.Reason.NOT_FOUND, "no role " + r);
        }
        if (description != null && description.length() > 1000) {
            throw new AdminException(AdminException.Reason.INVALID, "the description is over 1,000 characters");
        }
        String where = address == null || address.isBlank() ? null : address.strip();
        if (where != null) {
            try {
                io.xmppgrid.ra.api.PeerCredentials.endpoint(where);
            } catch (IllegalArgumentException e) {
                throw new AdminException(AdminException.Reason.INVALID, e.getMessage());
            }
        }
        Instant now = Instant.now();
        PeerEntity p = em.find(PeerEntity.class, trust.domain());
        boolean created = p == null;
        if (created) {
            p = new PeerEntity(trust.domain(), now);
        }
        p.trustAnchors = caPem.strip() + "\n";
        p.pin = trust.pin();
        p.role = r;
        p.description = description == null || description.isBlank() ? null : description.strip();
        p.address = where;
        p.updatedAt = now;
        if (created) {
            em.persist(p);
        }
        JpaRoles.changed(em); // the peer's addresses are governed by its role: every node reads it again
        LOG.infof("GRID0950: peer %s %s: %d trust anchors (%s), pin %s, role %s", p.domain, created ? "added" : "changed",
                trust.anchors().size(), trust.anchors().stream().map(PeerTrust::fingerprint).toList(),
                p.pin == null ? "none" : p.pin, r == null ? "none" : r);
        return view(p);
    }

    @jakarta.annotation.Resource(lookup = io.xmppgrid.ra.api.XmppConnectionFactory.JNDI_NAME)
    private io.xmppgrid.ra.api.XmppConnectionFactory connections;

    /**
     * Opens a link from this node to the peer (its address, else its domain on 5269), as federation will: STARTTLS,
     * its server's certificate checked against its own CA, name and pin, SASL EXTERNAL with this grid's certificate;
     * reports how far it got and closes it (an administrator's check that both sides are configured).
     */
    @jakarta.ejb.TransactionAttribute(jakarta.ejb.TransactionAttributeType.NOT_SUPPORTED)
    public io.xmppgrid.ra.api.PeerProbe probe(String domain) {
        PeerEntity p = existing(domain);
        if (p.state != PeerEntity.State.ENABLED) {
            throw new AdminException(AdminException.Reason.CONFLICT, "peer " + p.domain + " is revoked");
        }
        io.xmppgrid.ra.api.PeerCredentials peer = credentials(p);
        try (io.xmppgrid.ra.api.XmppConnection c = connections.getConnection()) {
            // no host: the adapter goes where its links go (the address, else DNS SRV, else the domain on 5269)
            return c.probePeer(peer, null, io.xmppgrid.ra.api.PeerCredentials.S2S_PORT, 10_000);
        } catch (jakarta.resource.ResourceException e) {
            throw new AdminException(AdminException.Reason.UNAVAILABLE, "the XMPP listener is not available: " + e.getMessage());
        }
    }

    /** What the adapter is told of a peer. */
    static io.xmppgrid.ra.api.PeerCredentials credentials(PeerEntity p) {
        return new io.xmppgrid.ra.api.PeerCredentials(p.domain, p.state == PeerEntity.State.ENABLED, p.trustAnchors, p.pin,
                p.address);
    }

    /** Refuses the peer from now on (kept on record); its links close (issue 24). */
    public PeerView revoke(String domain) {
        return state(domain, PeerEntity.State.REVOKED);
    }

    /** Accepts a revoked peer again. */
    public PeerView enable(String domain) {
        return state(domain, PeerEntity.State.ENABLED);
    }

    public void remove(String domain) {
        PeerEntity p = existing(domain);
        em.remove(p);
        JpaRoles.changed(em); // the peer's addresses are governed by its role: every node reads it again
        int links = endLinks(p.domain, "peer removed by an administrator");
        LOG.infof("GRID0952: peer %s removed, %d links on this node ending", p.domain, links);
    }

    /**
     * Its links end on every node once this commits (as a revoked platform's sessions do), and what waited for it is
     * forgotten: nothing more goes to it.
     */
    private int endLinks(String domain, String reason) {
        int waiting = em.createNamedQuery(io.xmppgrid.persistence.PeerOutboxEntity.DELETE_PEER).setParameter("domain", domain)
                .executeUpdate();
        if (waiting > 0) {
            LOG.infof("GRID0958: %d stored stanzas for peer %s forgotten (%s)", waiting, domain, reason);
        }
        return cluster.endSessions(io.xmppgrid.xmpp.Jid.domain(domain), reason);
    }

    private PeerView state(String domain, PeerEntity.State state) {
        PeerEntity p = existing(domain);
        if (p.state != state) {
            p.state = state;
            JpaRoles.changed(em); // the peer's addresses are governed by its role: every node reads it again
            p.updatedAt = Instant.now();
            int links = state == PeerEntity.State.REVOKED ? endLinks(p.domain, "peer revoked by an administrator") : 0;
            LOG.infof("GRID0951: peer %s is now %s%s", p.domain, state,
                    state == PeerEntity.State.REVOKED ? ", " + links + " links on this node ending" : "");
        }
        return view(p);
    }

    private PeerEntity existing(String domain) {
        String d = domain == null ? "" : domain.strip().toLowerCase(java.util.Locale.ROOT);
        PeerEntity p = d.isEmpty() ? null : em.find(PeerEntity.class, d);
        if (p == null) {
            throw new AdminException(AdminException.Reason.NOT_FOUND, "no peer " + domain);
        }
        return p;
    }

    private static PeerView view(PeerEntity p) {
        List<Anchor> anchors;
        try {
            anchors = PeerTrust.parseAnchors(p.trustAnchors).stream().map(PeerAdmin::anchor).toList();
        } catch (IllegalArgumentException e) {
            // stored when valid; what no longer is (an expired CA) shows as such instead of failing the list
            anchors = List.of(new Anchor("(unusable: " + e.getMessage() + ")", null, null));
        }
        return new PeerView(p.domain, p.state.name().toLowerCase(java.util.Locale.ROOT), anchors, p.pin, p.role,
                p.description, p.address, p.createdAt, p.updatedAt);
    }

    private static Anchor anchor(X509Certificate c) {
        return new Anchor(c.getSubjectX500Principal().getName(), c.getNotAfter().toInstant(), PeerTrust.fingerprint(c));
    }
}
