package io.xmppgrid.ejb;

import io.xmppgrid.core.BareJidDelivery;
import io.xmppgrid.core.Delivery;
import io.xmppgrid.ejb.audit.JpaAudit;
import io.xmppgrid.ejb.cluster.ClusterBus;
import io.xmppgrid.ejb.offline.JpaOfflineQueue;
import io.xmppgrid.ejb.offline.OfflineSettings;
import io.xmppgrid.ra.api.XmppConnection;
import io.xmppgrid.ra.api.XmppConnectionFactory;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.ejb.EJBException;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * Routes stanzas again whose session on another node is out of reach (that node stopped confirming) or whose
 * session on this node ended before a forwarded stanza was written, in a transaction of its own: RFC 6121 §8.5.3.2.1,
 * to another available session of the platform or to its offline queue.
 */
@Stateless
public class ClusterReroute {

    @PersistenceContext(unitName = "grid")
    private EntityManager em;

    @Resource(lookup = XmppConnectionFactory.JNDI_NAME)
    private XmppConnectionFactory connections;

    @EJB
    private ClusterBus bus;

    /**
     * What was released to a node that crashed, again (issue 16: nothing acknowledged is lost): each copy goes to its
     * platform unless the platform has an available session that existed at {@code releasedAt} (it had its own copy),
     * to the sessions that came since, else to the offline queue. Returns how many copies went somewhere.
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public int replay(List<Jid> to, List<XmlElement> stanzas, List<Long> releasedAt, Set<String> excludedNodes) {
        try (XmppConnection c = connections.getConnection()) {
            JpaOfflineQueue offline = new JpaOfflineQueue(em, OfflineSettings.fromSystem(), Clock.systemUTC(), new JpaAudit(em));
            Delivery d = bus.delivery(c, new ConnectionDelivery(c, em, bus.listening()), offline, excludedNodes);
            int n = 0;
            for (int i = 0; i < to.size(); i++) {
                Jid bare = to.get(i).bare();
                long at = releasedAt.get(i);
                boolean hadCopy = d.sessions(bare).stream()
                        .anyMatch(s -> s.available() && s.since().toEpochMilli() <= at);
                XmlElement st = stanzas.get(i);
                if (hadCopy || !BareJidDelivery.storable(st)) {
                    continue;
                }
                XmlElement m = to.get(i).toString().equals(st.attribute("to")) ? st.withAttribute("to", bare.toString()) : st;
                if (new BareJidDelivery(d, offline, true).deliver(bare, m, null, true) != BareJidDelivery.Outcome.DROPPED) {
                    n++;
                }
            }
            ClusterBus.flush(d);
            return n;
        } catch (jakarta.resource.ResourceException e) {
            throw new EJBException("GRID0101: no XMPP connection to deliver again what a crashed node had", e);
        }
    }

    @EJB
    private io.xmppgrid.ejb.pubsub.TopicCache topicCache;

    /**
     * What a node that died had published for its own sessions (issue 16: notifications no other node knew of, lost with
     * its streams): each item whose publish committed on {@code deadNode} since {@code since}, oldest first, goes to
     * the subscribers among {@code platforms} (those that had sessions on that node) again as XEP-0060 §7.1.2.1
     * notifications, unless the platform has an available session elsewhere that existed when the item was published
     * (that session had its own copy): live to its sessions that came since, else to its offline queue. At least once
     * across the death: a platform may get a notification again on its new stream, never twice on one stream. Returns
     * how many notifications were sent or stored.
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public int replayPublishedOn(String deadNode, Set<String> platforms, java.time.Instant since, int max) {
        try (XmppConnection c = connections.getConnection()) {
            JpaOfflineQueue offline = new JpaOfflineQueue(em, OfflineSettings.fromSystem(), Clock.systemUTC(), new JpaAudit(em));
            Delivery d = bus.delivery(c, new ConnectionDelivery(c, em, bus.listening()), offline, Set.of(deadNode));
            io.xmppgrid.ejb.pubsub.JpaPubSubStore store = new io.xmppgrid.ejb.pubsub.JpaPubSubStore(em, topicCache);
            io.xmppgrid.core.wire.Notifier notifier = new io.xmppgrid.core.wire.Notifier(
                    io.xmppgrid.ejb.pubsub.BrokerSettings.serviceAddress(), d, offline);
            int n = 0;
            for (java.util.Map.Entry<String, io.xmppgrid.core.pubsub.Item> e : store.publishedOn(deadNode, since, max)) {
                java.util.Optional<io.xmppgrid.core.pubsub.Node> node = store.node(e.getKey());
                if (node.isEmpty() || !node.get().config().deliverNotifications()) {
                    continue;
                }
                java.time.Instant at = e.getValue().published();
                List<io.xmppgrid.core.pubsub.Subscription> to = new java.util.ArrayList<>();
                for (io.xmppgrid.core.pubsub.Subscription s : store.subscriptions(e.getKey())) {
                    if (s.state() != io.xmppgrid.core.pubsub.Subscription.State.SUBSCRIBED
                            || !platforms.contains(s.jid().bare().toString())
                            || !node.get().may(s.jid(), io.xmppgrid.core.pubsub.Capability.BE_SUBSCRIBED)) {
                        continue;
                    }
                    boolean hadCopy = d.sessions(s.jid().bare()).stream()
                            .anyMatch(x -> x.available() && !x.since().isAfter(at));
                    if (!hadCopy) {
                        to.add(s);
                    }
                }
                if (!to.isEmpty()) {
                    notifier.emit(new io.xmppgrid.core.pubsub.PubSubEvent.ItemPublished(node.get(), e.getValue(), to));
                    n += to.size();
                }
            }
            ClusterBus.flush(d);
            return n;
        } catch (jakarta.resource.ResourceException e) {
            throw new EJBException("GRID0101: no XMPP connection to deliver again what a crashed node had published", e);
        }
    }

    /**
     * Platforms (localparts) with stored messages, and their queues' next sequence number (it moves whenever one is
     * stored): at most {@code max}.
     */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public java.util.Map<String, Long> queuesWithMessages(int max) {
        java.util.Map<String, Long> out = new java.util.HashMap<>();
        em.createQuery("select q.owner, q.nextSeq from OfflineQueueEntity q where q.messageCount > 0", Object[].class)
                .setMaxResults(max).getResultList().forEach(r -> out.put((String) r[0], (Long) r[1]));
        return out;
    }

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void reroute(List<Jid> to, List<XmlElement> stanzas, Set<String> excludedNodes) {
        try (XmppConnection c = connections.getConnection()) {
            JpaOfflineQueue offline = new JpaOfflineQueue(em, OfflineSettings.fromSystem(), Clock.systemUTC(), new JpaAudit(em));
            Delivery d = bus.delivery(c, new ConnectionDelivery(c, em, bus.listening()), offline, excludedNodes);
            for (int i = 0; i < to.size(); i++) {
                ClusterBus.reroute(d, to.get(i), stanzas.get(i), offline);
            }
            ClusterBus.flush(d);
        } catch (jakarta.resource.ResourceException e) {
            throw new EJBException("GRID0101: no XMPP connection to route forwarded stanzas again", e);
        }
    }
}
