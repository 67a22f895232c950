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
 * A published item; {@code id} is its sequence number within the service, which orders a node's
 * items and backs the RSM cursors. It is taken from the database sequence one at a time while the
 * publish holds its Topic's row lock, so a Topic's ids rise in the order its publishes commit, on
 * whichever cluster node they run (blocks of ids cached per node would not). The payload is kept as the XML text that was published.
 */
@Entity
@Table(name = "pubsub_item")
@NamedQuery(name = TopicItemEntity.BY_ITEM_ID, query = "select i from TopicItemEntity i where i.nodeId = :node and i.itemId = :item")
@NamedQuery(name = TopicItemEntity.COUNT, query = "select count(i) from TopicItemEntity i where i.nodeId = :node")
@NamedQuery(name = TopicItemEntity.COUNT_BEFORE,
        query = "select count(i) from TopicItemEntity i where i.nodeId = :node and i.id < :seq")
@NamedQuery(name = TopicItemEntity.ASCENDING_AFTER,
        query = "select i from TopicItemEntity i where i.nodeId = :node and i.id > :after and i.id < :before"
        + " order by i.nodeId, i.id")
@NamedQuery(name = TopicItemEntity.DESCENDING_BEFORE,
        query = "select i from TopicItemEntity i where i.nodeId = :node and i.id < :before and i.id > :after order by i.id desc")
@NamedQuery(name = TopicItemEntity.SIZES_ASCENDING_AFTER,
        query = "select i.id, i.sizeBytes from TopicItemEntity i where i.nodeId = :node and i.id > :after and i.id < :before"
        + " order by i.nodeId, i.id")
@NamedQuery(name = TopicItemEntity.SIZES_DESCENDING_BEFORE,
        query = "select i.id, i.sizeBytes from TopicItemEntity i where i.nodeId = :node and i.id < :before and i.id > :after"
        + " order by i.id desc")
@NamedQuery(name = TopicItemEntity.BY_IDS, query = "select i from TopicItemEntity i where i.id in :ids order by i.id")
@NamedQuery(name = TopicItemEntity.PUBLISHED_ON,
        query = "select i from TopicItemEntity i where i.originNode = :origin and i.publishedAt >= :since order by i.id")
@NamedQuery(name = TopicItemEntity.DELETE_BY_NODE, query = "delete from TopicItemEntity i where i.nodeId = :node")
@NamedQuery(name = TopicItemEntity.IDS_ASCENDING,
        query = "select i.id, i.itemId, i.sizeBytes from TopicItemEntity i where i.nodeId = :node and i.id > :after"
        + " order by i.nodeId, i.id")
public class TopicItemEntity {

    public static final String BY_ITEM_ID = "TopicItemEntity.byItemId";
    public static final String COUNT = "TopicItemEntity.count";
    public static final String COUNT_BEFORE = "TopicItemEntity.countBefore";
    public static final String ASCENDING_AFTER = "TopicItemEntity.ascendingAfter";
    public static final String DESCENDING_BEFORE = "TopicItemEntity.descendingBefore";
    public static final String SIZES_ASCENDING_AFTER = "TopicItemEntity.sizesAscendingAfter";
    public static final String SIZES_DESCENDING_BEFORE = "TopicItemEntity.sizesDescendingBefore";
    public static final String BY_IDS = "TopicItemEntity.byIds";
    public static final String PUBLISHED_ON = "TopicItemEntity.publishedOn";
    public static final String DELETE_BY_NODE = "TopicItemEntity.deleteByNode";
    public static final String IDS_ASCENDING = "TopicItemEntity.idsAscending";

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "pubsub_item_seq")
    @SequenceGenerator(name = "pubsub_item_seq", sequenceName = "pubsub_item_seq", allocationSize = 1)
    public Long id;

    @Column(name = "node_id", nullable = false)
    public Long nodeId;

    @Column(name = "item_id", nullable = false, length = 255)
    public String itemId;

    @Column(nullable = false, length = 3071)
    public String publisher;

    @Column(name = "published_at", nullable = false)
    public Instant publishedAt;

    /** The cluster node whose transaction published it (V16); null before. */
    @Column(name = "origin_node", length = 255)
    public String originNode;

    @Column(name = "size_bytes", nullable = false)
    public int sizeBytes;

    @Column(length = 1000000)
    public String payload;
}
