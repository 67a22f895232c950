package io.xmppgrid.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One audit entry: who (a platform, an administrator, the system) did what to what, with which
 * outcome, from where. {@code chainSeq}, {@code prevHash} and {@code hash} are set once, by the
 * chainer; nothing else ever changes an entry.
 */
@Entity
@Table(name = "audit_log")
@NamedQuery(name = AuditEntry.UNCHAINED, query = "select a from AuditEntry a where a.chainSeq is null order by a.id")
@NamedQuery(name = AuditEntry.CHAINED_FROM,
        query = "select a from AuditEntry a where a.chainSeq >= :from and a.chainSeq is not null order by a.chainSeq")
public class AuditEntry {

    public static final String UNCHAINED = "AuditEntry.unchained";
    public static final String CHAINED_FROM = "AuditEntry.chainedFrom";

    /** Who acted. */
    public enum Kind { PLATFORM, ADMIN, SYSTEM }

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "audit_seq")
    @SequenceGenerator(name = "audit_seq", sequenceName = "audit_seq", allocationSize = 50)
    public Long id;

    @Column(nullable = false)
    public Instant at;

    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    @Column(name = "actor_kind", nullable = false, length = 16)
    public Kind actorKind;

    @Column(nullable = false, length = 3071)
    public String actor;

    @Column(nullable = false, length = 64)
    public String action;

    @Column(length = 3071)
    public String target;

    @Column(nullable = false, length = 64)
    public String outcome;

    @Column(length = 4000)
    public String detail;

    @Column(length = 255)
    public String address;

    @Column(name = "chain_seq")
    public Long chainSeq;

    @Column(name = "prev_hash", length = 64)
    public String prevHash;

    @Column(length = 64)
    public String hash;

    protected AuditEntry() {
    }

    public AuditEntry(Instant at, Kind actorKind, String actor, String action, String target, String outcome,
                      String detail, String address) {
        this.at = at;
        this.actorKind = actorKind;
        this.actor = actor;
        this.action = action;
        this.target = target;
        this.outcome = outcome;
        this.detail = detail;
        this.address = address;
    }

    // read-only accessors for the console's pages (Jakarta EL reads properties, not fields)
    public Long getId() { return id; }
    public Instant getAt() { return at; }
    public String getActor() { return actor; }
    public String getAction() { return action; }
    public String getTarget() { return target; }
    public String getOutcome() { return outcome; }
    public String getDetail() { return detail; }
    public String getAddress() { return address; }
    public Long getChainSeq() { return chainSeq; }
}
