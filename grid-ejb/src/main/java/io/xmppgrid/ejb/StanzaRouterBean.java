package io.xmppgrid.ejb;

import io.xmppgrid.core.Component;
import io.xmppgrid.core.Delivery;
import io.xmppgrid.core.pubsub.ActorPolicy;
import io.xmppgrid.ejb.pubsub.IodefValidator;
import io.xmppgrid.core.pubsub.PubSubService;
import io.xmppgrid.core.pubsub.ServiceSettings;
import io.xmppgrid.core.wire.Notifier;
import io.xmppgrid.core.wire.PubSubComponent;
import io.xmppgrid.ejb.pubsub.BrokerSettings;
import io.xmppgrid.ejb.pubsub.JpaPubSubStore;
import io.xmppgrid.ejb.pubsub.SubscriberCache;
import io.xmppgrid.core.Router;
import io.xmppgrid.core.ServerIqHandlers;
import io.xmppgrid.persistence.Platform;
import io.xmppgrid.ra.api.InboundStanza;
import io.xmppgrid.ra.api.SessionInfo;
import io.xmppgrid.ra.api.StanzaListener;
import io.xmppgrid.ra.api.XmppConnection;
import io.xmppgrid.ra.api.XmppConnectionFactory;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;
import jakarta.annotation.Resource;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.EJBException;
import jakarta.ejb.MessageDriven;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.resource.ResourceException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jboss.ejb3.annotation.Pool;
import org.jboss.ejb3.annotation.ResourceAdapter;
import org.jboss.logging.Logger;

/**
 * Receives every stanza of every bound session and routes it with the plain-Java
 * {@link Router}. Replies go out through the adapter's connection factory and leave only
 * after this bean's transaction commits.
 */
@MessageDriven(messageListenerInterface = StanzaListener.class, activationConfig = {
        @ActivationConfigProperty(propertyName = "maxEndpoints", propertyValue = "32")})
@ResourceAdapter("grid-ear.ear#grid-ra.rar")
@Pool("grid-stanza-pool")
public class StanzaRouterBean implements StanzaListener {

    private static final Logger LOG = Logger.getLogger(StanzaRouterBean.class);
    private static final Jid BROKER = BrokerSettings.serviceAddress();
    private static final ServiceSettings BROKER_SETTINGS = BrokerSettings.settings();

    @Resource(lookup = XmppConnectionFactory.JNDI_NAME)
    private XmppConnectionFactory connections;

    @PersistenceContext(unitName = "grid")
    private EntityManager em;

    @EJB
    private SubscriberCache subscriberCache;

    @Override
    public void onStanza(InboundStanza in) {
        try (XmppConnection c = connections.getConnection()) {
            Delivery d = new ConnectionDelivery(c);
            PubSubService service = new PubSubService(new JpaPubSubStore(em, subscriberCache),
                    new Notifier(BROKER, d, this::offline), BROKER_SETTINGS, IodefValidator.INSTANCE,
                    ActorPolicy.ALLOW_ALL, Clock.systemUTC());
            List<Component> components = List.of(new PubSubComponent(BROKER, service));
            new Router(ServerIqHandlers.all(components), components).route(in.sender(), in.stanza(), d);
        } catch (ResourceException e) {
            throw new EJBException("GRID0101: no XMPP connection for " + in.connectionId(), e);
        }
    }

    /** The seam for offline storage (its own issue): until then the message is dropped, with a log line. */
    private void offline(Jid bare, XmlElement message) {
        LOG.debugf("GRID0401: no session for %s; message %s not stored (offline storage not built yet)", bare,
                message.attribute("id"));
    }

    @Override
    public void onSessionEnded(SessionInfo session, String reason) {
        LOG.debugf("GRID0102: %s session %s ended: %s", session.connectionId(), session.jid(), reason);
    }

    /** {@link Delivery} over the adapter connection and the platform table. */
    private final class ConnectionDelivery implements Delivery {
        private final XmppConnection c;

        ConnectionDelivery(XmppConnection c) {
            this.c = c;
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
            return c.send(fullJid, stanza, orderingKey);
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
}
