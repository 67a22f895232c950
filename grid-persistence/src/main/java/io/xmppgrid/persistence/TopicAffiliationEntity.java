package io.xmppgrid.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/** An affiliation (XEP-0060 §4.1) of a bare JID with a node. */
@Entity
@Table(name = "pubsub_affiliation")
@IdClass(NodeJidKey.class)
@NamedQuery(name = TopicAffiliationEntity.BY_NODE, query = "select a from TopicAffiliationEntity a where a.nodeId = :node")
// reads as values (node, jid, affiliation): a node's affiliations are read on every publish, and a thousand managed
// entities would be dirty-checked at every flush of the transaction
@NamedQuery(name = TopicAffiliationEntity.VALUES_BY_NODES,
        query = "select a.nodeId, a.jid, a.affiliation from TopicAffiliationEntity a where a.nodeId in :nodes")
@NamedQuery(name = TopicAffiliationEntity.OWNED_COUNT,
        query = "select count(t) from TopicEntity t where t.creator = :jid or exists (select a from TopicAffiliationEntity a"
        + " where a.nodeId = t.id and a.jid = :jid and a.affiliation = 'OWNER')")
@NamedQuery(name = TopicAffiliationEntity.NODES_OF_JID,
        query = "select n.name, a.affiliation from TopicAffiliationEntity a, TopicEntity n where a.nodeId = n.id and a.jid = :jid")
@NamedQuery(name = TopicAffiliationEntity.DELETE_BY_NODE, query = "delete from TopicAffiliationEntity a where a.nodeId = :node")
public class TopicAffiliationEntity {

    public static final String BY_NODE = "TopicAffiliationEntity.byNode";
    public static final String VALUES_BY_NODES = "TopicAffiliationEntity.valuesByNodes";
    public static final String OWNED_COUNT = "TopicAffiliationEntity.ownedCount";
    public static final String DELETE_BY_NODE = "TopicAffiliationEntity.deleteByNode";
    public static final String NODES_OF_JID = "TopicAffiliationEntity.nodesOfJid";

    @Id
    @Column(name = "node_id")
    public Long nodeId;

    @Id
    @Column(length = 3071)
    public String jid;

    @Column(nullable = false, length = 16)
    public String affiliation;

}
