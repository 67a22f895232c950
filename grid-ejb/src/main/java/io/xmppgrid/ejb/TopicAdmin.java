package io.xmppgrid.ejb;

import io.xmppgrid.core.pubsub.Affiliation;
import io.xmppgrid.core.pubsub.Node;
import io.xmppgrid.core.pubsub.PubSubError;
import io.xmppgrid.core.pubsub.PubSubService;
import io.xmppgrid.core.pubsub.Result;
import io.xmppgrid.core.pubsub.Subscription;
import io.xmppgrid.core.Delivery;
import io.xmppgrid.ejb.cluster.ClusterBus;
import io.xmppgrid.ejb.offline.JpaOfflineQueue;
import io.xmppgrid.ejb.offline.OfflineSettings;
import io.xmppgrid.ejb.audit.JpaAudit;
import io.xmppgrid.ejb.pubsub.JpaPubSubStore;
import io.xmppgrid.ejb.pubsub.TopicCache;
import io.xmppgrid.ra.api.XmppConnection;
import io.xmppgrid.ra.api.XmppConnectionFactory;
import io.xmppgrid.xmpp.Jid;
import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The console's Topics page (RFC 8600 §8.3.2): every Topic with its configuration, owners,
 * subscribers and pending approvals; an administrator approves or denies subscriptions and
 * changes affiliations on any Topic, with the effects an owner's change has (the subscriber is
 * told, XEP-0060 §8.6).
 */
@Stateless
public class TopicAdmin {

    private static final Logger LOG = Logger.getLogger(TopicAdmin.class);

    @PersistenceContext(unitName = "grid")
    private EntityManager em;

    @EJB
    private TopicCache topicCache;

    @EJB
    private ClusterBus cluster;

    @jakarta.annotation.Resource(lookup = XmppConnectionFactory.JNDI_NAME)
    private XmppConnectionFactory connections;

    /** A Topic as the console shows it. */
    public record TopicView(String id, String title, String payloadType, String accessModel, boolean persistItems,
                            int maxItems, List<String> owners, List<String> publishers, List<String> others,
                            List<String> subscribed, List<String> pending) {
    }

    /** One page of Topics (in creation order), and how many there are in all. */
    public record TopicPage(List<TopicView> topics, int total) {
    }

    /** Topics whose id contains {@code search} (case-insensitive; null or empty: all), in creation order. */
    public TopicPage topics(String search, int offset, int limit) {
        String like = "%" + (search == null ? "" : search.strip().toLowerCase(Locale.ROOT)
                .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")) + "%";
        String where = " where lower(t.name) like :q escape '\\'";
        long total = em.createQuery("select count(t) from TopicEntity t" + where, Long.class).setParameter("q", like)
                .getSingleResult();
        List<String> ids = em.createQuery("select t.name from TopicEntity t" + where + " order by t.id", String.class)
                .setParameter("q", like).setFirstResult(Math.max(0, offset)).setMaxResults(Math.max(1, Math.min(limit, 200)))
                .getResultList();
        JpaPubSubStore store = new JpaPubSubStore(em, topicCache);
        List<TopicView> out = new ArrayList<>();
        for (String id : ids) {
            store.node(id).ifPresent(n -> out.add(view(n, store)));
        }
        return new TopicPage(out, (int) total);
    }

    private static TopicView view(Node n, JpaPubSubStore store) {
        List<String> owners = new ArrayList<>();
        List<String> publishers = new ArrayList<>();
        List<String> others = new ArrayList<>();
        n.affiliations().forEach((jid, a) -> {
            switch (a) {
                case OWNER -> owners.add(jid.toString());
                case PUBLISHER -> publishers.add(jid.toString());
                default -> others.add(jid + " (" + a.name().toLowerCase(Locale.ROOT) + ")");
            }
        });
        List<String> subscribed = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        for (Subscription s : store.subscriptions(n.id())) {
            (s.state() == Subscription.State.PENDING ? pending : subscribed).add(s.jid().toString());
        }
        owners.sort(null);
        publishers.sort(null);
        subscribed.sort(null);
        pending.sort(null);
        return new TopicView(n.id(), n.config().title(), n.config().payloadType(),
                n.config().accessModel().name().toLowerCase(Locale.ROOT), n.config().persistItems(), n.config().maxItems(),
                owners, publishers, others, subscribed, pending);
    }

    /** Approves ({@code allow}) or denies a pending subscription; the subscriber is told either way. */
    public void decideSubscription(String topic, String subscriber, boolean allow) {
        Jid jid = jid(subscriber);
        run(topic, s -> {
            boolean pending = new JpaPubSubStore(em, topicCache).subscription(topic, jid)
                    .filter(x -> x.state() == Subscription.State.PENDING).isPresent();
            if (!pending) {
                return Result.fail(PubSubError.ITEM_NOT_FOUND, "no pending subscription of " + jid + " to " + topic);
            }
            return s.administerSubscriptions(topic, Map.of(jid, allow ? Subscription.State.SUBSCRIBED : Subscription.State.NONE));
        });
        LOG.infof("GRID0231: subscription of %s to Topic %s %s by an administrator", jid, topic, allow ? "approved" : "denied");
    }

    /** Sets a platform's affiliation with a Topic ({@code none} removes it); a Topic keeps one owner. */
    public void setAffiliation(String topic, String platform, String affiliation) {
        Jid jid = jid(platform).bare();
        Affiliation a;
        try {
            a = Affiliation.valueOf(affiliation.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (RuntimeException e) {
            throw new AdminException(AdminException.Reason.INVALID, "no affiliation " + affiliation);
        }
        run(topic, s -> s.administerAffiliations(topic, Map.of(jid, a)));
        LOG.infof("GRID0232: affiliation of %s with Topic %s set to %s by an administrator", jid, topic, a);
    }

    private void run(String topic, java.util.function.Function<PubSubService, Result<Void>> change) {
        try (XmppConnection c = connections.getConnection()) {
            JpaOfflineQueue offline = new JpaOfflineQueue(em, OfflineSettings.fromSystem(), Clock.systemUTC(), new JpaAudit(em));
            Delivery d = cluster.delivery(c, new ConnectionDelivery(c, em), offline);
            Result<Void> r = change.apply(StanzaRouterBean.broker(em, topicCache, d, offline));
            ClusterBus.flush(d);
            if (!r.isOk()) {
                throw new AdminException(r.error() == PubSubError.NODE_NOT_FOUND || r.error() == PubSubError.ITEM_NOT_FOUND
                        ? AdminException.Reason.NOT_FOUND : AdminException.Reason.INVALID, r.reason());
            }
        } catch (jakarta.resource.ResourceException e) {
            throw new AdminException(AdminException.Reason.INVALID, "the XMPP listener is not available: " + e.getMessage());
        }
    }

    private static Jid jid(String s) {
        try {
            Jid j = Jid.parse(s.strip());
            return j.local() == null ? Jid.of(j.domainPart(), GridSettings.domain(), null) : j;
        } catch (RuntimeException e) {
            throw new AdminException(AdminException.Reason.INVALID, "not a JID: " + s);
        }
    }
}
