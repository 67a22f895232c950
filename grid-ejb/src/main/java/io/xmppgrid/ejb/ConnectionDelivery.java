package io.xmppgrid.ejb;

import io.xmppgrid.core.Delivery;
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
        return listening && c.send(fullJid, stanza);
    }

    @Override
    public boolean send(Jid fullJid, XmlElement stanza, String orderingKey) {
        if (!listening) {
            return false;
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

    @Override
    public boolean accountExists(String localpart) {
        return !em.createNamedQuery(Platform.BY_LOCALPART, Platform.class)
                .setParameter("localpart", localpart).setMaxResults(1).getResultList().isEmpty();
    }
}
