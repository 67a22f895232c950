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
 * A stanza a node has to send to a peer grid (issue 24), as the XML text written on the link, kept until the peer
 * acknowledged it. {@code node} is the node whose link sends it.
 */
@Entity
@Table(name = "peer_outbox")
@NamedQuery(name = PeerOutboxEntity.OF_NODE, query = "select o from PeerOutboxEntity o where o.node = :node"
        + " and o.id > :after order by o.node, o.id")
@NamedQuery(name = PeerOutboxEntity.DELETE_IDS, query = "delete from PeerOutboxEntity o where o.id in :ids")
@NamedQuery(name = PeerOutboxEntity.DELETE_PEER, query = "delete from PeerOutboxEntity o where o.peerDomain = :domain")
@NamedQuery(name = PeerOutboxEntity.NODES, query = "select distinct o.node from PeerOutboxEntity o")
@NamedQuery(name = PeerOutboxEntity.MOVE, query = "update PeerOutboxEntity o set o.node = :to where o.node = :from")
public class PeerOutboxEntity {

    public static final String OF_NODE = "PeerOutboxEntity.ofNode";
    public static final String DELETE_IDS = "PeerOutboxEntity.deleteIds";
    public static final String DELETE_PEER = "PeerOutboxEntity.deletePeer";
    public static final String NODES = "PeerOutboxEntity.nodes";
    public static final String MOVE = "PeerOutboxEntity.move";

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "peer_outbox_seq")
    @SequenceGenerator(name = "peer_outbox_seq", sequenceName = "peer_outbox_seq", allocationSize = 50)
    public Long id;

    @Column(name = "peer_domain", nullable = false, length = 1023)
    public String peerDomain;

    @Column(nullable = false, length = 255)
    public String node;

    @Column(name = "stored_at", nullable = false)
    public Instant storedAt;

    @Column(name = "size_bytes", nullable = false)
    public int sizeBytes;

    @Column(nullable = false, length = 1_000_000)
    public String stanza;

    protected PeerOutboxEntity() {
    }

    public PeerOutboxEntity(String peerDomain, String node, String stanza, int sizeBytes, Instant storedAt) {
        this.peerDomain = peerDomain;
        this.node = node;
        this.stanza = stanza;
        this.sizeBytes = sizeBytes;
        this.storedAt = storedAt;
    }
}
