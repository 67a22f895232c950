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
 * A message stored for a platform, as the XML text of the stanza; {@code seq} is its place in the queue. With
 * {@code delayIncluded} the text is the stanza as written to a client stream, its XEP-0203 delay included.
 */
@Entity
@Table(name = "offline_message")
// Orderings name the leading equality columns too (owner, ...): H2 reads rows in index order, and stops
// at the limit, only when the ORDER BY is a prefix of the index; otherwise it sorts every matching row.
@NamedQuery(name = OfflineMessageEntity.NEXT, query = "select m from OfflineMessageEntity m where m.owner = :owner"
        + " and m.seq > :after order by m.owner, m.seq")
@NamedQuery(name = OfflineMessageEntity.SIZE_OF_IDS, query = "select count(m), coalesce(sum(m.sizeBytes), 0)"
        + " from OfflineMessageEntity m where m.owner = :owner and m.id in :ids")
@NamedQuery(name = OfflineMessageEntity.SIZE_FROM_SENDER, query = "select count(m), coalesce(sum(m.sizeBytes), 0)"
        + " from OfflineMessageEntity m where m.owner = :owner and m.sender = :sender")
@NamedQuery(name = OfflineMessageEntity.DELETE_IDS,
        query = "delete from OfflineMessageEntity m where m.owner = :owner and m.id in :ids")
@NamedQuery(name = OfflineMessageEntity.EXPIRED_OWNERS,
        query = "select distinct m.owner from OfflineMessageEntity m where m.expiresAt < :now")
@NamedQuery(name = OfflineMessageEntity.EXPIRED,
        query = "select m from OfflineMessageEntity m where m.owner = :owner and m.expiresAt < :now")
public class OfflineMessageEntity {

    public static final String NEXT = "OfflineMessageEntity.next";
    public static final String SIZE_OF_IDS = "OfflineMessageEntity.sizeOfIds";
    public static final String SIZE_FROM_SENDER = "OfflineMessageEntity.sizeFromSender";
    public static final String DELETE_IDS = "OfflineMessageEntity.deleteIds";
    public static final String EXPIRED_OWNERS = "OfflineMessageEntity.expiredOwners";
    public static final String EXPIRED = "OfflineMessageEntity.expired";

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "offline_message_seq")
    @SequenceGenerator(name = "offline_message_seq", sequenceName = "offline_message_seq", allocationSize = 50)
    public Long id;

    @Column(nullable = false, length = 1023)
    public String owner;

    @Column(nullable = false)
    public long seq;

    @Column(name = "stored_at", nullable = false)
    public Instant storedAt;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "size_bytes", nullable = false)
    public int sizeBytes;

    @Column(nullable = false, length = 1000000)
    public String stanza;

    @Column(name = "delay_included", nullable = false)
    public boolean delayIncluded;

    /** The platform that sent it (bare JID, V17); null for the broker's notifications and rows stored before. */
    @Column(length = 1023)
    public String sender;

    protected OfflineMessageEntity() {
    }

    public OfflineMessageEntity(String owner, long seq, Instant storedAt, Instant expiresAt, String stanza, int sizeBytes,
            boolean delayIncluded) {
        this(owner, seq, storedAt, expiresAt, stanza, sizeBytes, delayIncluded, null);
    }

    public OfflineMessageEntity(String owner, long seq, Instant storedAt, Instant expiresAt, String stanza, int sizeBytes,
            boolean delayIncluded, String sender) {
        this.sender = sender;
        this.delayIncluded = delayIncluded;
        this.owner = owner;
        this.seq = seq;
        this.storedAt = storedAt;
        this.expiresAt = expiresAt;
        this.stanza = stanza;
        this.sizeBytes = sizeBytes;
    }
}
