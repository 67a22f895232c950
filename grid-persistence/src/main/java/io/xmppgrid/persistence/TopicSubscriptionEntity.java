package io.xmppgrid.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** A subscription (XEP-0060 §4.2) of a JID to a node. */
@Entity
@Table(name = "pubsub_subscription")
@IdClass(NodeJidKey.class)
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

}
