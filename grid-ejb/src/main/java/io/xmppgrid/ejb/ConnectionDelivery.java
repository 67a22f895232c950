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

/** {@link Delivery} over the adapter connection and the platform table. */
final class ConnectionDelivery implements Delivery {
    private final XmppConnection c;
    private final EntityManager em;

    ConnectionDelivery(XmppConnection c, EntityManager em) {
        this.c = c;
        this.em = em;
    }

    @Override
    public Jid domain() {
        return c.domain();
    }

    @Override
    public Optional<SessionInfo> session(Jid fullJid) {
        return c.sessions().find(fullJid);
    }

    @Override
    public List<SessionInfo> sessions(Jid bareJid) {
        return c.sessions().findByBare(bareJid);
    }

    @Override
    public boolean send(Jid fullJid, XmlElement stanza) {
        return c.send(fullJid, stanza);
    }

    @Override
    public boolean send(Jid fullJid, XmlElement stanza, String orderingKey) {
        // ordered sends are the broker's notifications (one ordering key per Topic)
        boolean sent = c.send(fullJid, stanza, orderingKey);
        if (sent) {
            GridMetrics.delivered();
        }
        return sent;
    }

    @Override
    public void presence(Jid fullJid, boolean available, int priority) {
        c.updatePresence(fullJid, available, priority);
    }

    @Override
    public boolean accountExists(String localpart) {
        return !em.createNamedQuery(Platform.BY_LOCALPART, Platform.class)
                .setParameter("localpart", localpart).setMaxResults(1).getResultList().isEmpty();
    }
}
