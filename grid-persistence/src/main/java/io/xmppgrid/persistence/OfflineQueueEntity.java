package io.xmppgrid.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * A platform's offline queue: its counters, its own limits (null: the operator's), and what was
 * refused or expired. Its row is the lock that orders stores and deliveries for the platform.
 */
@Entity
@Table(name = "offline_queue")
public class OfflineQueueEntity {

    @Id
    @Column(length = 1023)
    public String owner;

    @Column(name = "next_seq", nullable = false)
    public long nextSeq;

    @Column(name = "message_count", nullable = false)
    public int messageCount;

    @Column(name = "total_bytes", nullable = false)
    public long totalBytes;

    @Column(name = "max_messages")
    public Integer maxMessages;

    @Column(name = "max_bytes")
    public Long maxBytes;

    @Column(name = "refused_total", nullable = false)
    public long refusedTotal;

    @Column(name = "expired_total", nullable = false)
    public long expiredTotal;

    @Column(name = "last_refused_at")
    public Instant lastRefusedAt;

    protected OfflineQueueEntity() {
    }

    public OfflineQueueEntity(String owner) {
        this.owner = owner;
        this.nextSeq = 1;
    }
}
