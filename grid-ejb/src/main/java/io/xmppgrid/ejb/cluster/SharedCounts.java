package io.xmppgrid.ejb.cluster;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Counts behind limits that hold cluster-wide (issue 16 §8): connections an address holds on each node (the adapter
 * shares them from {@code XmppServer.SHARED_CONNECTIONS_FROM} on), recent failed sign-ins per address and username
 * (the sign-in throttle) and a platform's seconds of throttling in the last minute (the automatic disabling). Kept
 * in the session directory's replicated cache under keys "NUL, key, newline, node", value {@code n} (the count) and
 * {@code t} (when written, epoch ms); each node writes only its own keys, coalesced per key and written on the
 * executor, so the adapter's threads never wait; readers add up the other members' entries from memory.
 * A node's keys go with it when it leaves (the directory's clean-up); failure and throttling counts older than their
 * window are ignored and swept.
 */
final class SharedCounts {

    private static final Logger LOG = Logger.getLogger(SharedCounts.class);
    /** The sign-in throttle's window (ra.AuthThrottle). */
    static final long FAILURE_WINDOW_MILLIS = 15 * 60_000L;
    /** The automatic disabling's window: seconds of throttling in the last minute ({@code v:PLATFORM}). */
    static final long VIOLATION_WINDOW_MILLIS = 60_000L;

    /** How long a count of this key stays true after it was written: forever for connections ({@code c:}). */
    static long window(String counted) {
        if (counted.startsWith("c:")) {
            return Long.MAX_VALUE;
        }
        return counted.startsWith("v:") ? VIOLATION_WINDOW_MILLIS : FAILURE_WINDOW_MILLIS;
    }
    /** At most this many keys of this node in the cache (a flood of distinct addresses or usernames stops here). */
    static final int MAX_KEYS = 100_000;

    private final ConcurrentMap<String, HashMap<String, String>> cache;
    private final String self;
    private final Supplier<Collection<String>> members;
    /** Latest count per key not yet written. */
    private final ConcurrentHashMap<String, Integer> dirty = new ConcurrentHashMap<>();
    /** This node's keys in the cache, with when they were written. */
    private final ConcurrentHashMap<String, Long> published = new ConcurrentHashMap<>();
    /** Writes what {@code dirty} holds on the executor, one pass at a time. */
    private final SerialDrain drainer;
    private volatile long fullReported;

    SharedCounts(ConcurrentMap<String, HashMap<String, String>> cache, String self, Executor executor,
                 Supplier<Collection<String>> members) {
        this.cache = cache;
        this.self = self;
        this.members = members;
        this.drainer = new SerialDrain(executor, () -> !dirty.isEmpty(), this::drain, "GRID0924: shared counts not written: %s");
    }

    static String key(String counted, String node) {
        return "\u0000" + counted + "\n" + node;
    }

    /** The other members' counts for the key (failures only within the window). */
    int elsewhere(String counted) {
        int n = 0;
        long now = System.currentTimeMillis();
        long window = window(counted);
        for (String node : members.get()) {
            HashMap<String, String> v = cache.get(key(counted, node));
            if (v == null) {
                continue;
            }
            try {
                if (now - Long.parseLong(v.getOrDefault("t", "0")) > window) {
                    continue;
                }
                n += Integer.parseInt(v.getOrDefault("n", "0"));
            } catch (NumberFormatException e) {
                LOG.debugf("unreadable shared count %s of %s", counted, node);
            }
        }
        return n;
    }

    /** This node's count for the key is now {@code count}; written soon. */
    void counted(String counted, int count) {
        if (count <= 0 && !published.containsKey(counted) && !dirty.containsKey(counted)) {
            return; // never shared
        }
        if (count > 0 && !dirty.containsKey(counted) && !published.containsKey(counted)
                && published.size() + dirty.size() >= MAX_KEYS) {
            long now = System.currentTimeMillis();
            if (now - fullReported > 60_000) {
                fullReported = now;
                LOG.warnf("GRID0924: %d counts of this node are shared already: %s and others counted on this node only",
                        MAX_KEYS, counted.startsWith("c:") ? "connections of new addresses" : "counts of new keys");
            }
            return;
        }
        dirty.put(counted, Math.max(0, count));
        schedule();
    }

    private void schedule() {
        drainer.schedule();
    }

    private void drain() {
        for (String counted : dirty.keySet()) {
            Integer count = dirty.remove(counted);
            if (count == null) {
                continue;
            }
            try {
                if (count == 0) {
                    if (published.remove(counted) != null) {
                        cache.remove(key(counted, self));
                    }
                } else {
                    long now = System.currentTimeMillis();
                    HashMap<String, String> v = new HashMap<>(4);
                    v.put("n", Integer.toString(count));
                    v.put("t", Long.toString(now));
                    cache.put(key(counted, self), v);
                    published.put(counted, now);
                }
            } catch (RuntimeException e) {
                LOG.warnf("GRID0924: shared count %s not written: %s", counted, e.toString());
            }
        }
    }

    /** Removes this node's counts older than their window (connection counts change when connections close). */
    int sweep() {
        long now = System.currentTimeMillis();
        int n = 0;
        for (Map.Entry<String, Long> e : published.entrySet()) {
            if (now - e.getValue() > window(e.getKey())) {
                counted(e.getKey(), 0);
                n++;
            }
        }
        return n;
    }
}
