package io.xmppgrid.ejb.cluster;

import io.xmppgrid.ra.api.SessionInfo;
import io.xmppgrid.xmpp.Jid;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.logging.Logger;

/**
 * The cluster-wide directory of available sessions (RFC 6121 §4.7: those that sent initial presence, the only ones
 * a message to a bare JID is routed to), kept in the {@code grid} container's replicated {@code sessions} cache:
 * key "bare JID, newline, node name", value that node's available sessions of the platform (full JID → priority, tab,
 * bound since in epoch milliseconds).
 * Each node writes only its own keys, whole, from a mirror it holds, so writes never contend; a reader asks for the
 * keys of the current members. Entries of a node that left the view are removed by the coordinator.
 */
final class SessionDirectory implements io.xmppgrid.ra.api.SessionWatcher {

    private static final Logger LOG = Logger.getLogger(SessionDirectory.class);

    private final ConcurrentMap<String, HashMap<String, String>> cache;
    private final String self;
    /** This node's available sessions by bare JID, as last written to the cache (written by one drain at a time). */
    private final Map<String, HashMap<String, String>> mine = new ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentLinkedQueue<SessionInfo> changes = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** The other current members' names. */
    private final java.util.function.Supplier<Collection<String>> members;
    /** Told when a session bound here is also bound, since earlier, on another node: (full JID, that node). */
    private final java.util.function.BiConsumer<Jid, String> olderElsewhere;

    /** Asks the other nodes for a session resumed here (XEP-0198 across nodes): ClusterBus#takeOver. */
    interface TakeOver {
        java.util.concurrent.CompletionStage<io.xmppgrid.ra.api.MovedSession> ask(String issuer, String resumeId, Jid bare, long h);
    }

    private final TakeOver takeOver;
    /** Where a new connection should go instead (balancing, ClusterBus#redirect), or null. */
    private final java.util.function.Supplier<String> balance;

    @Override
    public String redirect() {
        return balance.get();
    }

    SessionDirectory(ConcurrentMap<String, HashMap<String, String>> cache, String self, java.util.concurrent.Executor executor,
                     java.util.function.Supplier<Collection<String>> members, java.util.function.BiConsumer<Jid, String> olderElsewhere,
                     TakeOver takeOver, java.util.function.Supplier<String> balance) {
        this.takeOver = takeOver;
        this.balance = balance;
        this.cache = cache;
        this.self = self;
        this.members = members;
        this.olderElsewhere = olderElsewhere;
        this.counts = new SharedCounts(cache, self, executor, members);
        this.drainer = new SerialDrain(executor, () -> !changes.isEmpty(), this::drain,
                "GRID0918: session directory updates not scheduled: %s");
    }

    /** Applies the changes the adapter reported, in order, on the executor. */
    private final SerialDrain drainer;

    /** Per-address connections and sign-in failures, shared with the other nodes (issue 16 §8). */
    private final SharedCounts counts;

    @Override
    public int countedElsewhere(String key) {
        return counts.elsewhere(key);
    }

    @Override
    public void counted(String key, int count) {
        counts.counted(key, count);
    }

    /** Drops this node's shared failure counts that are older than the sign-in throttle's window. */
    int sweepCounts() {
        return counts.sweep();
    }

    private static String key(String bare, String node) {
        return bare + "\n" + node;
    }

    /**
     * A session of this node changed its routing state (the adapter's watcher, on its I/O threads): applied in
     * order on {@code executor}, one change at a time, so the adapter never waits for the cache's replication.
     */
    @Override
    public void changed(SessionInfo info) {
        changes.add(info);
        schedule();
    }

    @Override
    public java.util.concurrent.CompletionStage<io.xmppgrid.ra.api.MovedSession> takeOver(String node, String resumeId, Jid bareJid,
                                                                                          long h) {
        return takeOver.ask(node, resumeId, bareJid, h);
    }

    /** This node and every other current member with an available session of the platform. */
    @Override
    public int nodesWithSessions(Jid bare) {
        String b = bare.bare().toString();
        int n = 1;
        for (String node : members.get()) {
            if (cache.containsKey(key(b, node))) {
                n++;
            }
        }
        return n;
    }

    /** RFC 6120 §7.7.2.2 at bind time (policy {@code refuse}): the full JID is bound on another current member. */
    @Override
    public boolean boundElsewhere(Jid full) {
        return find(full, members.get()).isPresent();
    }

    private void schedule() {
        drainer.schedule();
    }

    private void drain() {
        for (SessionInfo i; (i = changes.poll()) != null; ) {
            try {
                apply(i.jid(), i.available(), i.priority(), i.since());
            } catch (RuntimeException e) {
                LOG.warnf("GRID0918: session directory not updated for %s: %s", i.jid(), e.toString());
            }
        }
    }

    private void apply(Jid full, boolean available, int priority, Instant since) {
        String bare = full.bare().toString();
        HashMap<String, String> now = new HashMap<>(mine.getOrDefault(bare, new HashMap<>()));
        String value = priority + "\t" + since.toEpochMilli();
        String before = available ? now.put(full.toString(), value) : now.remove(full.toString());
        if (available ? value.equals(before) : before == null) {
            return; // nothing changed
        }
        write(bare, now);
        if (available && before == null) {
            // RFC 6120 §7.7.2.2 (policy override): the older session of the same full JID, on whichever node, ends
            for (SessionInfo other : elsewhere(full.bare(), members.get())) {
                if (other.jid().equals(full) && (other.since().isBefore(since)
                        || other.since().equals(since) && other.node().compareTo(self) < 0)) {
                    olderElsewhere.accept(full, other.node());
                }
            }
        }
    }

    private void write(String bare, HashMap<String, String> now) {
        if (now.isEmpty()) {
            mine.remove(bare);
            cache.remove(key(bare, self));
        } else {
            mine.put(bare, now);
            cache.put(key(bare, self), now);
        }
    }

    /** The available sessions of a platform on the other members (not this node), as sessions of their node. */
    List<SessionInfo> elsewhere(Jid bare, Collection<String> members) {
        List<SessionInfo> out = new ArrayList<>(2);
        String b = bare.bare().toString();
        for (String node : members) {
            if (node.equals(self)) {
                continue;
            }
            HashMap<String, String> theirs = cache.get(key(b, node));
            if (theirs != null) {
                theirs.forEach((full, value) -> {
                    int tab = value.indexOf('\t');
                    Instant since = tab < 0 ? Instant.EPOCH : Instant.ofEpochMilli(Long.parseLong(value.substring(tab + 1)));
                    int priority = Integer.parseInt(tab < 0 ? value : value.substring(0, tab));
                    out.add(new SessionInfo(Jid.parse(full), node, node, since, "", true, priority));
                });
            }
        }
        return out;
    }

    /** The other member that holds this full JID's available session, if any. */
    Optional<SessionInfo> find(Jid full, Collection<String> members) {
        return elsewhere(full.bare(), members).stream().filter(s -> s.jid().equals(full)).findFirst();
    }

    /** After a crash and a restart under the same name: what an earlier run of this node left in the cache. */
    void forgetEarlierRun() {
        int n = removeOf(Set.of(self));
        if (n > 0) {
            LOG.infof("GRID0911: %d platforms' session entries of an earlier run of %s removed", n, self);
        }
    }

    /** The platforms (bare JIDs) that had available sessions on each of these nodes, as the directory has them. */
    Map<String, Set<String>> platformsOn(Set<String> nodes) {
        Map<String, Set<String>> out = new HashMap<>();
        for (String k : List.copyOf(cache.keySet())) {
            int nl = k.lastIndexOf('\n');
            if (nl > 0 && k.charAt(0) != '\u0000' && nodes.contains(k.substring(nl + 1))) {
                out.computeIfAbsent(k.substring(nl + 1), n -> new java.util.HashSet<>()).add(k.substring(0, nl));
            }
        }
        return out;
    }

    /** Removes the entries of nodes that left the view; returns how many keys went. */
    int removeOf(Set<String> nodes) {
        int n = 0;
        for (String k : List.copyOf(cache.keySet())) {
            int nl = k.lastIndexOf('\n');
            if (nl > 0 && nodes.contains(k.substring(nl + 1))) {
                cache.remove(k);
                n++;
            }
        }
        return n;
    }
}
