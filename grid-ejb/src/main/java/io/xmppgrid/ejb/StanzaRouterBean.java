package io.xmppgrid.ejb;

import io.xmppgrid.core.Component;
import io.xmppgrid.core.Delivery;
import io.xmppgrid.ejb.pubsub.IodefValidator;
import io.xmppgrid.core.pubsub.PubSubService;
import io.xmppgrid.core.pubsub.ServiceSettings;
import io.xmppgrid.core.wire.Notifier;
import io.xmppgrid.core.wire.PubSubComponent;
import io.xmppgrid.ejb.pubsub.BrokerSettings;
import io.xmppgrid.ejb.pubsub.JpaPubSubStore;
import io.xmppgrid.ejb.pubsub.TopicCache;
import io.xmppgrid.core.BareJidDelivery;
import io.xmppgrid.core.Router;
import io.xmppgrid.ejb.audit.AuditLog;
import io.xmppgrid.ejb.audit.JpaAudit;
import io.xmppgrid.ejb.offline.JpaOfflineQueue;
import io.xmppgrid.ejb.offline.OfflineLeases;
import io.xmppgrid.persistence.AuditEntry;
import io.xmppgrid.ejb.offline.OfflineSettings;
import io.xmppgrid.persistence.OfflineMessageEntity;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.XmlReader;
import java.util.HashSet;
import java.util.Set;
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
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
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
 *
 * <p>Its deactivation stops the adapter's listener, which then hands what its sessions had not acknowledged to
 * {@code ClusterBus} and {@code ClusterReroute} (issue 20). WildFly orders components by {@code @DependsOn} for
 * message-driven beans too (it adds a dependency on each named component's start), so on an undeploy or redeploy the
 * beans that handover and the stanzas still being routed use stop after this one, not before it ("Component is
 * stopped": the unacknowledged stanzas were lost).
 */
@MessageDriven(messageListenerInterface = StanzaListener.class, activationConfig = {
        @ActivationConfigProperty(propertyName = "maxEndpoints", propertyValue = "32")})
@ResourceAdapter("grid-ear.ear#grid-ra.rar")
@Pool("grid-stanza-pool")
@jakarta.ejb.DependsOn({"ClusterBus", "ClusterReroute", "TopicCache", "AuditLog", "AuditChainer", "PlatformAdmin",
        "ServiceAdministrationBean"})
public class StanzaRouterBean implements StanzaListener {

    private static final Logger LOG = Logger.getLogger(StanzaRouterBean.class);
    private static final Jid BROKER = BrokerSettings.serviceAddress();
    private static final ServiceSettings BROKER_SETTINGS = BrokerSettings.settings();
    private static final OfflineSettings OFFLINE = OfflineSettings.fromSystem();

    @Resource(lookup = XmppConnectionFactory.JNDI_NAME)
    private XmppConnectionFactory connections;

    @Resource
    private TransactionSynchronizationRegistry transactions;

    @PersistenceContext(unitName = "grid")
    private EntityManager em;

    @EJB
    private TopicCache topicCache;

    @EJB
    private AuditLog auditLog;

    @EJB
    private PlatformAdmin platformAdmin;

    @EJB
    private ServiceAdministrationBean serviceAdministration;

    @EJB
    private io.xmppgrid.ejb.cluster.ClusterBus cluster;

    @Override
    public void onStanza(InboundStanza in) {
        try (XmppConnection c = connections.getConnection()) {
            JpaOfflineQueue offline = offlineQueue();
            Delivery d = cluster.delivery(c, new ConnectionDelivery(c, em), offline);
            router(d, offline).route(in.sender(), in.stanza(), d);
            io.xmppgrid.ejb.cluster.ClusterBus.flush(d); // before the commit, under the locks the routing took
        } catch (ResourceException e) {
            throw new EJBException("GRID0101: no XMPP connection for " + in.connectionId(), e);
        }
    }

    private Router router(Delivery d, JpaOfflineQueue offline) {
        PubSubService service = broker(em, topicCache, d, offline);
        List<Component> components = List.of(new PubSubComponent(BROKER, service, new JpaAudit(em)));
        return new Router(ServerIqHandlers.all(components, new io.xmppgrid.core.admin.AdHocCommands(
                ServiceAdministrationBean.forCore(serviceAdministration), Clock.systemUTC(), COMMAND_SESSION_KEY)),
                components, offline, new JpaRoles(em).policy());
    }

    /** XEP-0050 session ids verify on every node of a cluster (grid.secretFile); null: this process's key. */
    private static final byte[] COMMAND_SESSION_KEY = io.xmppgrid.security.GridSecrets
            .derive(io.xmppgrid.security.GridSecrets.COMMAND_SESSIONS).orElse(null);

    /** The broker's service over the database, notifying through {@code d} (the stanza bean and the console share it). */
    static PubSubService broker(EntityManager em, TopicCache cache, Delivery d, JpaOfflineQueue offline) {
        return new PubSubService(new JpaPubSubStore(em, cache), new Notifier(BROKER, d, offline), BROKER_SETTINGS,
                IodefValidator.INSTANCE, new JpaRoles(em).policy(), Clock.systemUTC());
    }

    private JpaOfflineQueue offlineQueue() {
        return new JpaOfflineQueue(em, OFFLINE, Clock.systemUTC(), new JpaAudit(em));
    }

    /** The next batch of the session's stored messages (XEP-0160), with XEP-0203 delay stamps. */
    @Override
    public boolean onBacklogWanted(SessionInfo session) {
        try (XmppConnection c = connections.getConnection()) {
            Jid bare = session.jid().bare();
            Set<String> live = new HashSet<>();
            live.add(session.connectionId());
            c.sessions().findByBare(bare).forEach(s -> live.add(s.connectionId()));
            JpaOfflineQueue.Batch batch = offlineQueue().next(bare.local(), session.connectionId(), live, OFFLINE.batch(),
                    OfflineLeases.NODE, () -> cluster.leasedElsewhere(bare), undo -> transactions.registerInterposedSynchronization(new Synchronization() {
                        @Override
                        public void beforeCompletion() {
                        }

                        @Override
                        public void afterCompletion(int status) {
                            if (status != Status.STATUS_COMMITTED) {
                                undo.run(); // not sent: the messages are free again
                            }
                        }
                    }));
            for (OfflineMessageEntity m : batch.messages()) {
                if (m.delayIncluded) {
                    c.sendTracked(session.jid(), m.stanza, m.id); // as stored: the stream's text, delay included
                    continue;
                }
                XmlElement stored; // stored before V13: the delay is added now
                try {
                    stored = XmlReader.parse(m.stanza, Ns.CLIENT); // written for a jabber:client stream
                } catch (IllegalArgumentException e) {
                    LOG.errorf("GRID0406: stored message %d for %s cannot be read back, kept in the queue: %s", m.id,
                            bare, e.getMessage());
                    continue;
                }
                c.sendTracked(session.jid(), BareJidDelivery.delayed(stored, c.domain(), m.storedAt), m.id);
            }
            LOG.debugf("GRID0402: %s %d stored messages sent to %s%s", session.connectionId(), batch.messages().size(),
                    session.jid(), batch.more() ? ", more waiting" : "");
            return batch.more();
        } catch (ResourceException e) {
            throw new EJBException("GRID0101: no XMPP connection for " + session.connectionId(), e);
        }
    }

    @Override
    public void onDelivered(SessionInfo session, long[] trackingIds) {
        int n = offlineQueue().confirm(session.jid().local(), trackingIds);
        LOG.debugf("GRID0407: %s %d stored messages confirmed delivered to %s", session.connectionId(), n, session.jid());
    }

    @Override
    public void onUndelivered(Jid fullJid, List<XmlElement> stanzas) {
        try (XmppConnection c = connections.getConnection()) {
            JpaOfflineQueue offline = offlineQueue();
            Delivery d = cluster.delivery(c, new ConnectionDelivery(c, em), offline);
            Router r = router(d, offline);
            for (XmlElement s : stanzas) {
                r.reroute(fullJid, s, d);
            }
            io.xmppgrid.ejb.cluster.ClusterBus.flush(d);
            LOG.debugf("GRID0408: %d unacknowledged messages for %s routed again", stanzas.size(), fullJid);
        } catch (ResourceException e) {
            throw new EJBException("GRID0101: no XMPP connection to route messages for " + fullJid, e);
        }
    }

    /** Repeated rate-limit violations (operator setting): the platform is disabled and its sessions end. */
    @Override
    public void onLimitsBreached(String platform, int violations) {
        Jid jid = Jid.parse(platform);
        auditLog.record(AuditEntry.Kind.SYSTEM, "server", "limit.disable", jid.local(), "ok",
                violations + " seconds over its rate limits within a minute", null);
        platformAdmin.disable(jid.local());
        LOG.warnf("GRID0703: %s disabled after %d seconds over its rate limits within a minute", platform, violations);
    }

    @Override
    public void onAudit(String actor, String action, String outcome, String detail, String address) {
        auditLog.record(AuditEntry.Kind.PLATFORM, actor == null ? "(none)" : actor, action, null, outcome, detail, address);
    }

    @Override
    public void onPeerDelivered(String peerDomain, long[] trackingIds) {
        int n = PeerOutbox.forget(em, trackingIds);
        LOG.debugf("GRID0956: %d stored stanzas for peer grid %s acknowledged and forgotten", n, peerDomain);
    }

    @Override
    public boolean onPeerOutboxWanted() {
        try (XmppConnection c = connections.getConnection()) {
            PeerOutbox.HandOver h = PeerOutbox.handOver(em, c, PeerOutbox.NODE);
            if (h.rows() > 0) {
                LOG.infof("GRID0957: %d stored stanzas for peer grids handed to this node's links%s", h.rows(),
                        h.more() ? ", more when they are sent" : "");
            }
            return h.more();
        } catch (ResourceException e) {
            throw new EJBException("GRID0101: no XMPP connection for the stored stanzas of peer grids", e);
        }
    }

    @Override
    public void onSessionEnded(SessionInfo session, String reason) {
        OfflineLeases.NODE.release(session.jid().local(), session.connectionId());
        LOG.debugf("GRID0102: %s session %s ended: %s", session.connectionId(), session.jid(), reason);
    }
}
