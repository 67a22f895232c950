package io.xmppgrid.core.pubsub;

import io.xmppgrid.xmpp.Jid;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The store for core tests: plain maps, same contract as the JPA store. */
public final class InMemoryPubSubStore implements PubSubStore {

    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Map<Jid, Subscription>> subs = new LinkedHashMap<>();
    private final Map<String, LinkedHashMap<String, Item>> items = new LinkedHashMap<>();
    private long seq;

    @Override
    public Optional<Node> node(String id) {
        return Optional.ofNullable(nodes.get(id));
    }

    @Override
    public void lock(String id) {
        // single-threaded tests
    }

    @Override
    public void createNode(Node node) {
        nodes.put(node.id(), node);
    }

    @Override
    public void updateNode(Node node) {
        nodes.put(node.id(), node);
    }

    @Override
    public void deleteNode(String id) {
        nodes.remove(id);
        subs.remove(id);
        items.remove(id);
    }

    @Override
    public Page<Node> nodes(PageRequest page) {
        List<Node> all = new ArrayList<>(nodes.values());
        List<Node> out = all.subList(0, Math.min(page.max(), all.size()));
        return new Page<>(out, all.size(), 0, null, null);
    }

    @Override
    public int countNodesOwnedBy(Jid owner) {
        return (int) nodes.values().stream()
                .filter(n -> n.affiliationOf(owner) == Affiliation.OWNER || owner.bare().equals(n.creator())).count();
    }

    @Override
    public Map<String, Affiliation> affiliationsOf(Jid jid) {
        Map<String, Affiliation> out = new LinkedHashMap<>();
        nodes.values().forEach(n -> {
            Affiliation a = n.affiliationOf(jid);
            if (a != Affiliation.NONE) {
                out.put(n.id(), a);
            }
        });
        return out;
    }

    @Override
    public Optional<Subscription> subscription(String node, Jid jid) {
        return Optional.ofNullable(subs.getOrDefault(node, Map.of()).get(jid));
    }

    @Override
    public List<Subscription> subscriptions(String node) {
        return new ArrayList<>(subs.getOrDefault(node, Map.of()).values());
    }

    @Override
    public List<Subscription> subscriptionsOf(Jid jid) {
        List<Subscription> out = new ArrayList<>();
        subs.values().forEach(m -> {
            Subscription s = m.get(jid);
            if (s != null) {
                out.add(s);
            }
        });
        return out;
    }

    @Override
    public void saveSubscription(Subscription s) {
        subs.computeIfAbsent(s.node(), k -> new LinkedHashMap<>()).put(s.jid(), s);
    }

    @Override
    public void deleteSubscription(String node, Jid jid) {
        subs.getOrDefault(node, new LinkedHashMap<>()).remove(jid);
    }

    @Override
    public Item saveItem(String node, Item item) {
        LinkedHashMap<String, Item> m = items.computeIfAbsent(node, k -> new LinkedHashMap<>());
        m.remove(item.id()); // a republished id moves to the end
        Item stored = item.withSequence(++seq);
        m.put(item.id(), stored);
        return stored;
    }

    @Override
    public Optional<Item> item(String node, String itemId) {
        return Optional.ofNullable(items.getOrDefault(node, new LinkedHashMap<>()).get(itemId));
    }

    @Override
    public boolean deleteItem(String node, String itemId) {
        return items.getOrDefault(node, new LinkedHashMap<>()).remove(itemId) != null;
    }

    @Override
    public int purge(String node) {
        LinkedHashMap<String, Item> m = items.remove(node);
        return m == null ? 0 : m.size();
    }

    @Override
    public List<String> trim(String node, int keep, long keepBytes) {
        LinkedHashMap<String, Item> m = items.getOrDefault(node, new LinkedHashMap<>());
        List<String> removed = new ArrayList<>();
        while (m.size() > keep || m.values().stream().mapToLong(Item::sizeBytes).sum() > keepBytes) {
            String oldest = m.keySet().iterator().next();
            m.remove(oldest);
            removed.add(oldest);
        }
        return removed;
    }

    @Override
    public Page<Item> items(String node, PageRequest page) {
        List<Item> all = new ArrayList<>(items.getOrDefault(node, new LinkedHashMap<>()).values());
        int from = 0;
        int to = all.size();
        if (page.after() != null) {
            from = (int) all.stream().filter(i -> i.sequence() <= page.after()).count();
        }
        if (page.before() != null) {
            to = (int) all.stream().filter(i -> i.sequence() < page.before()).count();
        }
        if (page.index() != null) {
            from = Math.min(page.index(), all.size());
        }
        List<Item> window;
        if (page.lastPage() || page.before() != null) {
            window = all.subList(Math.max(from, to - page.max()), to);
        } else {
            window = all.subList(from, Math.min(to, from + page.max()));
        }
        int firstIndex = window.isEmpty() ? 0 : all.indexOf(window.get(0));
        return new Page<>(window, all.size(), firstIndex,
                window.isEmpty() ? null : Cursor.encode(window.get(0).sequence()),
                window.isEmpty() ? null : Cursor.encode(window.get(window.size() - 1).sequence()));
    }

    @Override
    public Optional<Item> lastItem(String node) {
        List<Item> all = new ArrayList<>(items.getOrDefault(node, new LinkedHashMap<>()).values());
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }
}
