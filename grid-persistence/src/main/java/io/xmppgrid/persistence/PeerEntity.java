package io.xmppgrid.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A peer grid (issue 24): a domain this grid may federate with, its trust anchors as PEM, an
 * optional pin of its server key, and the role template its JIDs get here.
 */
@Entity
@Table(name = "peer_domain")
@NamedQuery(name = PeerEntity.ALL, query = "select p from PeerEntity p order by p.domain")
@NamedQuery(name = PeerEntity.WITH_ROLE, query = "select count(p) from PeerEntity p where p.role = :name")
public class PeerEntity {

    public static final String ALL = "PeerEntity.all";
    public static final String WITH_ROLE = "PeerEntity.withRole";

    /** ENABLED: links are accepted and made; REVOKED: refused, kept for the record until removed. */
    public enum State { ENABLED, REVOKED }

    @Id
    @Column(length = 1023)
    public String domain;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public State state;

    @Column(name = "trust_anchors", nullable = false, length = 16384)
    public String trustAnchors;

    @Column(name = "pin_sha256", length = 64)
    public String pin;

    @Column(length = 64)
    public String role;

    @Column(length = 1000)
    public String description;

    /** Where its server is reached, {@code host:port}; null: its domain on 5269. */
    @Column(length = 300)
    public String address;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    protected PeerEntity() {
    }

    public PeerEntity(String domain, Instant now) {
        this.domain = domain;
        this.state = State.ENABLED;
        this.createdAt = now;
        this.updatedAt = now;
    }

    /**
     * The configured peer whose domain {@code domain} is in: the domain itself, else the nearest parent domain that is
     * one (a peer grid's services, such as {@code broker.<its domain>}, belong to it); null when none is.
     */
    public static PeerEntity covering(jakarta.persistence.EntityManager em, String domain) {
        String candidate = domain;
        while (true) {
            PeerEntity p = em.find(PeerEntity.class, candidate);
            if (p != null) {
                return p;
            }
            int dot = candidate.indexOf('.');
            if (dot < 0) {
                return null;
            }
            candidate = candidate.substring(dot + 1);
        }
    }
}
