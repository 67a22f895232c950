package io.xmppgrid.ejb.pubsub;

import io.xmppgrid.core.pubsub.AccessModel;
import io.xmppgrid.core.pubsub.Affiliation;
import io.xmppgrid.core.pubsub.Cursor;
import io.xmppgrid.core.pubsub.Item;
import io.xmppgrid.core.pubsub.Node;
import io.xmppgrid.core.pubsub.NodeConfig;
import io.xmppgrid.core.pubsub.Page;
import io.xmppgrid.core.pubsub.PageRequest;
import io.xmppgrid.core.pubsub.PubSubStore;
import io.xmppgrid.core.pubsub.Subscription;
import io.xmppgrid.persistence.NodeJidKey;
import io.xmppgrid.persistence.TopicAffiliationEntity;
import io.xmppgrid.persistence.TopicEntity;
import io.xmppgrid.persistence.TopicItemEntity;
import io.xmppgrid.persistence.TopicSubscriptionEntity;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlReader;
import io.xmppgrid.xmpp.XmlWriter;
import jakarta.persistence.EntityManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link PubSubStore} over JPA, used inside the calling bean's transaction. One instance per
 * request: it remembers node ids it has looked up. Topics (with their affiliations) and subscriber
 * lists come through the {@link TopicCache}, so a publish does not read one row per affiliate or
 * subscriber; every change to them here invalidates the Topic's entries.
 */
public final class JpaPubSubStore implements PubSubStore {

    private final EntityManager em;
    private final TopicCache cache;
    private final Map<String, TopicEntity> topics = new HashMap<>();

    public JpaPubSubStore(EntityManager em, TopicCache cache) {
        this.em = em;
        this.cache = cache;
    }

    private TopicEntity topic(String name) {
        TopicEntity t = topics.get(name);
        if (t == null) {
            List<TopicEntity> l = em.createNamedQuery(TopicEntity.BY_NAME, TopicEntity.class)
                    .setParameter("name", name).getResultList();
            if (l.isEmpty()) {
                return null;
            }
            t = l.get(0);
            topics.put(name, t);
        }
        return t;
    }

    @Override
    public Optional<Node> node(String id) {
        return cache.node(id, () -> {
            TopicEntity t = topic(id);
            if (t == null) {
                return Optional.empty();
            }
            return Optional.of(toNode(t, affiliations(List.of(t.id)).getOrDefault(t.id, Map.of())));
        });
    }

    /** The affiliations of nodes by node id, read as values (no managed entities to dirty-check). */
    private Map<Long, Map<Jid, Affiliation>> affiliations(List<Long> nodeIds) {
        Map<Long, Map<Jid, Affiliation>> affs = new HashMap<>();
        for (Object[] a : em.createNamedQuery(TopicAffiliationEntity.VALUES_BY_NODES, Object[].class)
                .setParameter("nodes", nodeIds).getResultList()) {
            affs.computeIfAbsent((Long) a[0], k -> new HashMap<>()).put(Jid.parse((String) a[1]), Affiliation.valueOf((String) a[2]));
        }
        return affs;
    }

    private static Node toNode(TopicEntity t, Map<Jid, Affiliation> affs) {
        NodeConfig cfg = new NodeConfig(t.title, t.description, t.payloadType, AccessModel.valueOf(t.accessModel),
                t.persistItems, t.maxItems, t.deliverPayloads, t.deliverNotifications, t.notifyRetract, t.notifyDelete,
                NodeConfig.SendLastPublished.valueOf(t.sendLastPublished), NodeConfig.NotificationType.valueOf(t.notificationType),
                t.offlineCache, NodeConfig.ItemReply.valueOf(t.itemReply), overrides(t.capabilityOverrides));
        return new Node(t.name, cfg, Jid.parse(t.creator), t.createdAt, affs);
    }

    private static void copyConfig(NodeConfig c, TopicEntity t) {
        t.title = c.title();
        t.description = c.description();
        t.payloadType = c.payloadType();
        t.accessModel = c.accessModel().name();
        t.persistItems = c.persistItems();
        t.maxItems = c.maxItems();
        t.deliverPayloads = c.deliverPayloads();
        t.deliverNotifications = c.deliverNotifications();
        t.notifyRetract = c.notifyRetract();
        t.notifyDelete = c.notifyDelete();
        t.sendLastPublished = c.sendLastPublishedItem().name();
        t.notificationType = c.notificationType().name();
        t.offlineCache = c.offlineCache();
        t.itemReply = c.itemReply().name();
        t.capabilityOverrides = overrides(c.overrides());
    }

    /** 'MEMBER=SUBSCRIBE,BE_SUBSCRIBED;OUTCAST=' ⇄ the override map. */
    static Map<Affiliation, java.util.Set<io.xmppgrid.core.pubsub.Capability>> overrides(String text) {
        if (text == null || text.isEmpty()) {
            return Map.of();
        }
        Map<Affiliation, java.util.Set<io.xmppgrid.core.pubsub.Capability>> out = new java.util.EnumMap<>(Affiliation.class);
        for (String entry : text.split(";")) {
            int eq = entry.indexOf('=');
            java.util.Set<io.xmppgrid.core.pubsub.Capability> caps = java.util.EnumSet.noneOf(io.xmppgrid.core.pubsub.Capability.class);
            for (String c : entry.substring(eq + 1).split(",")) {
                if (!c.isEmpty()) {
                    caps.add(io.xmppgrid.core.pubsub.Capability.valueOf(c));
                }
            }
            out.put(Affiliation.valueOf(entry.substring(0, eq)), caps);
        }
        return out;
    }

    static String overrides(Map<Affiliation, java.util.Set<io.xmppgrid.core.pubsub.Capability>> map) {
        if (map.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        new java.util.TreeMap<>(map).forEach((a, caps) -> {
            if (sb.length() > 0) {
                sb.append(';');
            }
            sb.append(a.name()).append('=');
            sb.append(String.join(",", new java.util.TreeSet<>(caps.stream().map(Enum::name).toList())));
        });
        return sb.toString();
    }

    @Override
    public void lock(String id) {
        TopicEntity t = topic(id);
        if (t != null) {
            // re-read under the lock: another node may have changed the row (its item count) since it was read
            em.refresh(t, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        }
    }

    @Override
    public void createNode(Node node) {
        TopicEntity t = new TopicEntity();
        t.name = node.id();
        t.creator = node.creator().toString();
        t.createdAt = node.created();
        copyConfig(node.config(), t);
        em.persist(t);
        topics.put(node.id(), t);
        node.affiliations().forEach((jid, a) -> persistAffiliation(t.id, jid, a));
        cache.invalidate(node.id());
    }

    private void persistAffiliation(Long nodeId, Jid jid, Affiliation a) {
        TopicAffiliationEntity e = new TopicAffiliationEntity();
        e.nodeId = nodeId;
        e.jid = jid.bare().toString();
        e.affiliation = a.name();
        em.persist(e);
    }

    @Override
    public void updateNode(Node node) {
        TopicEntity t = topic(node.id());
        copyConfig(node.config(), t);
        Map<String, Affiliation> wanted = new HashMap<>();
        node.affiliations().forEach((j, a) -> wanted.put(j.bare().toString(), a));
        for (TopicAffiliationEntity a : em.createNamedQuery(TopicAffiliationEntity.BY_NODE, TopicAffiliationEntity.class)
                .setParameter("node", t.id).getResultList()) {
            Affiliation w = wanted.remove(a.jid);
            if (w == null) {
                em.remove(a);
            } else {
                a.affiliation = w.name();
            }
        }
        wanted.forEach((jid, a) -> persistAffiliation(t.id, Jid.parse(jid), a));
        cache.invalidate(node.id());
    }

    @Override
    public void deleteNode(String id) {
        TopicEntity t = topic(id);
        if (t == null) {
            return;
        }
        em.createNamedQuery(TopicItemEntity.DELETE_BY_NODE).setParameter("node", t.id).executeUpdate();
        em.createQuery("delete from TopicSubscriptionEntity s where s.nodeId = :node").setParameter("node", t.id).executeUpdate();
        em.createNamedQuery(TopicAffiliationEntity.DELETE_BY_NODE).setParameter("node", t.id).executeUpdate();
        em.remove(t);
        topics.remove(id);
        cache.invalidate(id);
    }

    @Override
    public Page<Node> nodes(PageRequest page) {
        long count = em.createNamedQuery(TopicEntity.COUNT, Long.class).getSingleResult();
        List<TopicEntity> list = (page.after() == null
                ? em.createNamedQuery(TopicEntity.ALL, TopicEntity.class)
                : em.createNamedQuery(TopicEntity.AFTER, TopicEntity.class).setParameter("after", page.after()))
                .setFirstResult(page.index() == null || page.after() != null ? 0 : page.index())
                .setMaxResults(page.max()).getResultList();
        Map<Long, Map<Jid, Affiliation>> affs = list.isEmpty() ? Map.of() : affiliations(list.stream().map(t -> t.id).toList());
        List<Node> out = new ArrayList<>();
        for (TopicEntity t : list) {
            out.add(toNode(t, affs.getOrDefault(t.id, Map.of())));
        }
        int firstIndex = list.isEmpty() ? 0 : em.createQuery("select count(n) from TopicEntity n where n.id < :id", Long.class)
                .setParameter("id", list.get(0).id).getSingleResult().intValue();
        return new Page<>(out, (int) count, firstIndex,
                list.isEmpty() ? null : Cursor.encode(list.get(0).id),
                list.isEmpty() ? null : Cursor.encode(list.get(list.size() - 1).id));
    }

    @Override
    /**
     * The Topics the platform owns or created (issue 18 §7: a Topic it created counts against its limit even after it
     * made another platform the owner and left, so the limit cannot be dodged with ghost owners).
     */
    public int countNodesOwnedBy(Jid owner) {
        return em.createNamedQuery(TopicAffiliationEntity.OWNED_COUNT, Long.class)
                .setParameter("jid", owner.bare().toString()).getSingleResult().intValue();
    }

    @Override
    public Map<String, Affiliation> affiliationsOf(Jid jid) {
        Map<String, Affiliation> out = new HashMap<>();
        for (Object[] row : em.createNamedQuery(TopicAffiliationEntity.NODES_OF_JID, Object[].class)
                .setParameter("jid", jid.bare().toString()).getResultList()) {
            out.put((String) row[0], Affiliation.valueOf((String) row[1]));
        }
        return out;
    }

    private TopicSubscriptionEntity subscriptionEntity(Long nodeId, Jid jid) {
        return em.find(TopicSubscriptionEntity.class, new NodeJidKey(nodeId, jid.toString()));
    }

    @Override
    public Optional<Subscription> subscription(String node, Jid jid) {
        TopicEntity t = topic(node);
        if (t == null) {
            return Optional.empty();
        }
        TopicSubscriptionEntity s = subscriptionEntity(t.id, jid);
        return s == null ? Optional.empty() : Optional.of(toSubscription(node, s));
    }

    private static Subscription toSubscription(String node, TopicSubscriptionEntity s) {
        return new Subscription(node, Jid.parse(s.jid), Subscription.State.valueOf(s.state), s.subid);
    }

    @Override
    public List<Subscription> subscriptions(String node) {
        return cache.subscribers(node, () -> {
            TopicEntity t = topic(node);
            if (t == null) {
                return List.of();
            }
            List<Subscription> out = new ArrayList<>();
            for (TopicSubscriptionEntity s : em.createNamedQuery(TopicSubscriptionEntity.BY_NODE, TopicSubscriptionEntity.class)
                    .setParameter("node", t.id).getResultList()) {
                out.add(toSubscription(node, s));
            }
            return out;
        });
    }

    @Override
    public List<Subscription> subscriptionsOf(Jid jid) {
        List<Subscription> out = new ArrayList<>();
        for (TopicSubscriptionEntity s : em.createNamedQuery(TopicSubscriptionEntity.BY_JID, TopicSubscriptionEntity.class)
                .setParameter("jid", jid.toString()).getResultList()) {
            TopicEntity t = em.find(TopicEntity.class, s.nodeId);
            if (t != null) {
                out.add(toSubscription(t.name, s));
            }
        }
        return out;
    }

    @Override
    public void saveSubscription(Subscription s) {
        TopicEntity t = topic(s.node());
        TopicSubscriptionEntity e = subscriptionEntity(t.id, s.jid());
        if (e == null) {
            e = new TopicSubscriptionEntity();
            e.nodeId = t.id;
            e.jid = s.jid().toString();
            e.state = s.state().name();
            e.subid = s.subid();
            em.persist(e);
        } else {
            e.state = s.state().name();
        }
        cache.invalidate(s.node());
    }

    @Override
    public void deleteSubscription(String node, Jid jid) {
        TopicEntity t = topic(node);
        TopicSubscriptionEntity e = t == null ? null : subscriptionEntity(t.id, jid);
        if (e != null) {
            em.remove(e);
        }
        cache.invalidate(node);
    }

    private TopicItemEntity itemEntity(Long nodeId, String itemId) {
        List<TopicItemEntity> l = em.createNamedQuery(TopicItemEntity.BY_ITEM_ID, TopicItemEntity.class)
                .setParameter("node", nodeId).setParameter("item", itemId).getResultList();
        return l.isEmpty() ? null : l.get(0);
    }

    @Override
    public Item saveItem(String node, Item item) {
        TopicEntity t = topic(node);
        TopicItemEntity old = itemEntity(t.id, item.id());
        if (old != null) {
            t.itemBytes -= old.sizeBytes;
            em.remove(old);
            em.flush(); // the replacement reuses (node, item id): delete before insert
        } else {
            t.itemCount++;
        }
        t.itemBytes += item.sizeBytes();
        TopicItemEntity e = new TopicItemEntity();
        e.nodeId = t.id;
        e.itemId = item.id();
        e.publisher = item.publisher().toString();
        e.publishedAt = item.published();
        e.originNode = ORIGIN;
        e.sizeBytes = item.sizeBytes();
        e.payload = item.payload() == null ? null : XmlWriter.toXml(item.payload());
        em.persist(e);
        return item.withSequence(e.id);
    }

    private static Item toItem(TopicItemEntity e) {
        return new Item(e.itemId, Jid.parse(e.publisher), e.payload == null ? null : XmlReader.parse(e.payload),
                e.publishedAt, e.sizeBytes, e.id);
    }

    @Override
    public Optional<Item> item(String node, String itemId) {
        TopicEntity t = topic(node);
        TopicItemEntity e = t == null ? null : itemEntity(t.id, itemId);
        return e == null ? Optional.empty() : Optional.of(toItem(e));
    }

    @Override
    public boolean deleteItem(String node, String itemId) {
        TopicEntity t = topic(node);
        TopicItemEntity e = t == null ? null : itemEntity(t.id, itemId);
        if (e == null) {
            return false;
        }
        em.remove(e);
        t.itemCount = Math.max(0, t.itemCount - 1);
        t.itemBytes = Math.max(0, t.itemBytes - e.sizeBytes);
        return true;
    }

    @Override
    public int purge(String node) {
        TopicEntity t = topic(node);
        if (t == null) {
            return 0;
        }
        em.refresh(t, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        t.itemCount = 0;
        t.itemBytes = 0;
        return em.createNamedQuery(TopicItemEntity.DELETE_BY_NODE).setParameter("node", t.id).executeUpdate();
    }

    @Override
    public List<String> trim(String node, int keep, long keepBytes) {
        TopicEntity t = topic(node);
        // count and bytes are kept under the Topic's row lock: only the surplus oldest items are read
        long surplusItems = t.itemCount - keep;
        long surplusBytes = t.itemBytes - keepBytes;
        if (surplusItems <= 0 && surplusBytes <= 0) {
            return List.of();
        }
        List<Long> ids = new ArrayList<>();
        List<String> itemIds = new ArrayList<>();
        long after = Long.MIN_VALUE;
        while (surplusItems > 0 || surplusBytes > 0) {
            // "after" gives H2 a range on the (node_id, id) index, which it then also reads in order (not the
            // foreign-key index on node_id, which would make it sort every item of the Topic)
            // over the item count only (a full Topic: one item out per publish), exactly the surplus is read;
            // over the byte budget, how many items that takes is known only as they are read
            int want = (int) Math.min(10_000, surplusBytes > 0 ? Math.max(surplusItems, 64) : surplusItems);
            List<Object[]> oldest = em.createNamedQuery(TopicItemEntity.IDS_ASCENDING, Object[].class)
                    .setParameter("node", t.id).setParameter("after", after).setMaxResults(want).getResultList();
            for (Object[] row : oldest) {
                if (surplusItems <= 0 && surplusBytes <= 0) {
                    break;
                }
                after = (Long) row[0];
                ids.add(after);
                itemIds.add((String) row[1]);
                surplusItems--;
                surplusBytes -= ((Number) row[2]).longValue();
                t.itemCount--;
                t.itemBytes -= ((Number) row[2]).longValue();
            }
            if (oldest.size() < want) {
                break; // no more items: the counters were ahead of the rows
            }
        }
        t.itemCount = Math.max(0, t.itemCount);
        t.itemBytes = Math.max(0, t.itemBytes);
        if (ids.isEmpty()) {
            return List.of();
        }
        em.flush();
        for (int from = 0; from < ids.size(); from += 1000) {
            em.createQuery("delete from TopicItemEntity i where i.id in :ids")
                    .setParameter("ids", ids.subList(from, Math.min(ids.size(), from + 1000))).executeUpdate();
        }
        return itemIds;
    }

    /** This node's name, recorded with each item it publishes (V16): what it published is found again if it dies. */
    private static final String ORIGIN = System.getProperty("jboss.node.name");

    /**
     * Items whose publish committed on {@code origin} at or after {@code since}, oldest first, at most {@code max},
     * each with its Topic's name.
     */
    public List<java.util.Map.Entry<String, Item>> publishedOn(String origin, java.time.Instant since, int max) {
        List<java.util.Map.Entry<String, Item>> out = new ArrayList<>();
        java.util.Map<Long, String> names = new java.util.HashMap<>();
        for (TopicItemEntity e : em.createNamedQuery(TopicItemEntity.PUBLISHED_ON, TopicItemEntity.class)
                .setParameter("origin", origin).setParameter("since", since).setMaxResults(max).getResultList()) {
            String name = names.computeIfAbsent(e.nodeId, id -> {
                TopicEntity t = em.find(TopicEntity.class, id);
                return t == null ? null : t.name;
            });
            if (name != null) {
                out.add(java.util.Map.entry(name, toItem(e)));
            }
        }
        return out;
    }

    /** The payload bytes one page of items may carry (at least one item is always returned). */
    static final long MAX_PAGE_BYTES = BrokerSettings.settings().maxPageBytes();

    @Override
    public Page<Item> items(String node, PageRequest page) {
        TopicEntity t = topic(node);
        long count = em.createNamedQuery(TopicItemEntity.COUNT, Long.class).setParameter("node", t.id).getSingleResult();
        long after = page.after() == null ? Long.MIN_VALUE : page.after();
        long before = page.before() == null ? Long.MAX_VALUE : page.before();
        // the page's ids and sizes first: payloads are loaded only for the items that fit MAX_PAGE_BYTES (issue 18 §10),
        // so a request for 100 items of 256 KiB builds a reply of about a megabyte, not of 25, and its RSM <set/>
        // (first, last, count) describes what it returns: the client asks for the next page after its <last/>
        boolean backwards = page.lastPage() || page.before() != null;
        List<Object[]> sizes;
        if (backwards) {
            sizes = em.createNamedQuery(TopicItemEntity.SIZES_DESCENDING_BEFORE, Object[].class)
                    .setParameter("node", t.id).setParameter("before", before).setParameter("after", after)
                    .setMaxResults(page.max()).getResultList();
        } else {
            sizes = em.createNamedQuery(TopicItemEntity.SIZES_ASCENDING_AFTER, Object[].class)
                    .setParameter("node", t.id).setParameter("after", after).setParameter("before", before)
                    .setFirstResult(page.index() == null ? 0 : page.index())
                    .setMaxResults(page.max()).getResultList();
        }
        List<Long> ids = new ArrayList<>(sizes.size());
        long bytes = 0;
        for (Object[] r : sizes) { // nearest the cursor first: the newest when paging backwards
            bytes += ((Number) r[1]).longValue();
            if (!ids.isEmpty() && bytes > MAX_PAGE_BYTES) {
                break;
            }
            ids.add(((Number) r[0]).longValue());
        }
        List<TopicItemEntity> rows = ids.isEmpty() ? List.of()
                : em.createNamedQuery(TopicItemEntity.BY_IDS, TopicItemEntity.class).setParameter("ids", ids).getResultList();
        List<Item> out = new ArrayList<>(rows.size());
        for (TopicItemEntity e : rows) {
            out.add(toItem(e));
        }
        int firstIndex = rows.isEmpty() ? 0 : em.createNamedQuery(TopicItemEntity.COUNT_BEFORE, Long.class)
                .setParameter("node", t.id).setParameter("seq", rows.get(0).id).getSingleResult().intValue();
        return new Page<>(out, (int) count, firstIndex,
                rows.isEmpty() ? null : Cursor.encode(rows.get(0).id),
                rows.isEmpty() ? null : Cursor.encode(rows.get(rows.size() - 1).id));
    }

    @Override
    public Optional<Item> lastItem(String node) {
        TopicEntity t = topic(node);
        if (t == null) {
            return Optional.empty();
        }
        List<TopicItemEntity> rows = em.createNamedQuery(TopicItemEntity.DESCENDING_BEFORE, TopicItemEntity.class)
                .setParameter("node", t.id).setParameter("before", Long.MAX_VALUE).setParameter("after", Long.MIN_VALUE)
                .setMaxResults(1).getResultList();
        return rows.isEmpty() ? Optional.empty() : Optional.of(toItem(rows.get(0)));
    }
}
