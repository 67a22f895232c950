package io.xmppgrid.ejb;

import io.xmppgrid.core.Delivery;
import io.xmppgrid.persistence.PeerEntity;
import io.xmppgrid.persistence.Platform;
import io.xmppgrid.ra.api.SessionInfo;
import io.xmppgrid.ra.api.XmppConnection;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Optional;

/**
 * {@link Delivery} over the adapter connection and the platform table. While this node's listener is stopped
 * (a graceful shutdown hands its sessions' stanzas over) it holds no sessions: nothing is sent here.
 */
final class ConnectionDelivery implements Delivery {
    private final XmppConnection c;
    private final EntityManager em;
    private final boolean listening;

    ConnectionDelivery(XmppConnection c, EntityManager em) {
        this(c, em, true);
    }

    ConnectionDelivery(XmppConnection c, EntityManager em, boolean listening) {
        this.c = c;
        this.em = em;
        this.listening = listening;
    }

    @Override
    public Jid domain() {
        return listening ? c.domain() : Jid.domain(GridSettings.domain());
    }

    @Override
    public Optional<SessionInfo> session(Jid fullJid) {
        return listening ? c.sessions().find(fullJid) : Optional.empty();
    }

    @Override
    public List<SessionInfo> sessions(Jid bareJid) {
        return listening ? c.sessions().findByBare(bareJid) : List.of();
    }

    @Override
    public boolean send(Jid fullJid, XmlElement stanza) {
        return send(fullJid, stanza, null);
    }

    @Override
    public boolean send(Jid fullJid, XmlElement stanza, String orderingKey) {
        if (!listening) {
            return false;
        }
        if (atPeer(fullJid)) {
            return sendToPeer(fullJid, stanza, orderingKey); // an answer to a remote sender (issue 24)
        }
        if (orderingKey == null) {
            return c.send(fullJid, stanza);
        }
        // ordered sends are the broker's notifications (one ordering key per Topic)
        boolean sent = c.send(fullJid, stanza, orderingKey);
        if (sent) {
            GridMetrics.delivered();
        }
        return sent;
    }

    @Override
    public void presence(Jid fullJid, boolean available, int priority) {
        if (listening) {
            c.updatePresence(fullJid, available, priority);
        }
    }

    /** Peer grids looked up by this unit of work: domain → whether it is an enabled peer's (null: not a peer). */
    private final java.util.Map<String, String> peerOf = new java.util.HashMap<>();
    private String own;

    @Override
    public boolean atPeer(Jid address) {
        return peerDomain(address) != null;
    }

    /** The configured, enabled peer grid whose domain {@code address} is in (itself or a subdomain), or null. */
    private String peerDomain(Jid address) {
        String d = address.domainPart();
        if (own == null) {
            own = domain().domainPart();
        }
        if (d.equals(own) || d.endsWith("." + own)) {
            return null;
        }
        return peerOf.computeIfAbsent(d, k -> {
            PeerEntity p = PeerEntity.covering(em, k);
            return p != null && p.state == PeerEntity.State.ENABLED ? p.domain : null;
        });
    }

    /**
     * Stores a copy in the caller's transaction (issue 24: nothing committed for a peer is lost with this node), then
     * hands the stanza to this node's link; the copy is forgotten when the peer acknowledged it. While this node's
     * listener is stopped the copy waits for it to start (or for another node to take it over).
     */
    @Override
    public boolean sendToPeer(Jid address, XmlElement stanza, String orderingKey) {
        String peer = peerDomain(address);
        if (peer == null) {
            return false;
        }
        String xml = io.xmppgrid.xmpp.XmlWriter.toXml(stanza, io.xmppgrid.xmpp.Ns.CLIENT);
        io.xmppgrid.persistence.PeerOutboxEntity row = new io.xmppgrid.persistence.PeerOutboxEntity(peer, PeerOutbox.NODE,
                xml, xml.length(), java.time.Instant.now());
        em.persist(row);
        try {
            if (!listening || c.sendToPeer(peer, stanza, orderingKey, row.id)) {
                return true;
            }
        } catch (IllegalStateException e) {
            return true; // the listener is not running (a drain, a start): the copy goes when it runs, or from another node
        }
        em.remove(row); // the peer's queue on this node is full: refused to the sender, not stored
        return false;
    }

    @Override
    public boolean accountExists(String localpart) {
        return !em.createNamedQuery(Platform.BY_LOCALPART, Platform.class)
                .setParameter("localpart", localpart).setMaxResults(1).getResultList().isEmpty();
    }
}
