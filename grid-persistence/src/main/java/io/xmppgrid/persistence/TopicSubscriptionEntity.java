package io.xmppgrid.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/** A subscription (XEP-0060 §4.2) of a JID to a node. */
@Entity
@Table(name = "pubsub_subscription")
@IdClass(TopicSubscriptionEntity.Key.class)
@NamedQuery(name = TopicSubscriptionEntity.BY_NODE, query = "select s from TopicSubscriptionEntity s where s.nodeId = :node")
@NamedQuery(name = TopicSubscriptionEntity.BY_JID, query = "select s from TopicSubscriptionEntity s where s.jid = :jid")
public class TopicSubscriptionEntity {

    public static final String BY_NODE = "TopicSubscriptionEntity.byNode";
    public static final String BY_JID = "TopicSubscriptionEntity.byJid";

    @Id
    @Column(name = "node_id")
    public Long nodeId;

    @Id
    @Column(length = 3071)
    public String jid;

    @Column(nullable = false, length = 16)
    public String state;

    @Column(nullable = false, length = 64)
    public String subid;

    /** Composite key (node_id, jid). */
    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        public Long nodeId;
        public String jid;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key && Objects.equals(((Key) o).nodeId, nodeId) && Objects.equals(((Key) o).jid, jid);
        }

        @Override
        public int hashCode() {
            return Objects.hash(nodeId, jid);
        }
    }
}
