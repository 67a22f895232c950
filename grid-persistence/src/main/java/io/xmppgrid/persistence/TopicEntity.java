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

/** A pubsub node (RFC 8600 Topic) and its configuration, one column per XEP-0060 field. */
@Entity
@Table(name = "pubsub_node")
@NamedQuery(name = TopicEntity.BY_NAME, query = "select n from TopicEntity n where n.name = :name")
@NamedQuery(name = TopicEntity.ALL, query = "select n from TopicEntity n order by n.id")
@NamedQuery(name = TopicEntity.AFTER, query = "select n from TopicEntity n where n.id > :after order by n.id")
@NamedQuery(name = TopicEntity.COUNT, query = "select count(n) from TopicEntity n")
public class TopicEntity {

    public static final String BY_NAME = "TopicEntity.byName";
    public static final String ALL = "TopicEntity.all";
    public static final String AFTER = "TopicEntity.after";
    public static final String COUNT = "TopicEntity.count";

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "pubsub_node_seq")
    @SequenceGenerator(name = "pubsub_node_seq", sequenceName = "pubsub_node_seq", allocationSize = 50)
    public Long id;

    @Column(nullable = false, unique = true, length = 255)
    public String name;

    @Column(nullable = false, length = 3071)
    public String creator;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(length = 1000)
    public String title;

    @Column(length = 4000)
    public String description;

    @Column(name = "payload_type", length = 1000)
    public String payloadType;

    @Column(name = "access_model", nullable = false, length = 16)
    public String accessModel;

    @Column(name = "persist_items", nullable = false)
    public boolean persistItems;

    @Column(name = "max_items", nullable = false)
    public int maxItems;

    /** Items held now (maintained under the row lock by publish, retract, purge and trim). */
    @Column(name = "item_count", nullable = false)
    public long itemCount;

    /** The bytes of the items held now (V17; maintained with {@link #itemCount}). */
    @Column(name = "item_bytes", nullable = false)
    public long itemBytes;

    @Column(name = "deliver_payloads", nullable = false)
    public boolean deliverPayloads;

    @Column(name = "deliver_notifications", nullable = false)
    public boolean deliverNotifications;

    @Column(name = "notify_retract", nullable = false)
    public boolean notifyRetract;

    @Column(name = "notify_delete", nullable = false)
    public boolean notifyDelete;

    @Column(name = "send_last_published", nullable = false, length = 16)
    public String sendLastPublished;

    @Column(name = "notification_type", nullable = false, length = 16)
    public String notificationType;

    @Column(name = "offline_cache", nullable = false)
    public boolean offlineCache = true;

    /** XEP-0060 pubsub#itemreply: OWNER, or PUBLISHER (items name their publisher). */
    @Column(name = "item_reply", nullable = false, length = 16)
    public String itemReply = "OWNER";

    /** Per-node capability overrides, 'AFFILIATION=CAP,CAP;...', or null for the defaults. */
    @Column(name = "capability_overrides", length = 4000)
    public String capabilityOverrides;
}
