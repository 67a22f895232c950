package io.xmppgrid.ra;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing: every failed authentication for a peer address or a
 * username doubles the delay before the next failure is answered (from 250 ms up to 10 s),
 * within a 15-minute window; a success clears the username's and address's counters.
 * The table is bounded: past {@link #MAX_KEYS} entries it forgets the oldest.
 */
final class AuthThrottle {

    static final int MAX_KEYS = 100_000;
    private static final long WINDOW_MS = 15 * 60 * 1000L;
    private static final long BASE_MS = 250;
    private static final long MAX_MS = 10_000;

    private record Entry(int failures, long last) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /**
     * Counts shared with the other nodes of a cluster (what they saw; told of this node's), so that guessing spread over
     * the nodes is slowed as if it went to one.
     */
    interface Shared {
        int elsewhere(String key);

        void counted(String key, int failures);

        Shared NONE = new Shared() {
            @Override
            public int elsewhere(String key) {
                return 0;
            }

            @Override
            public void counted(String key, int failures) {
                // a single node
            }
        };
    }

    private final Shared shared;

    AuthThrottle() {
        this(Shared.NONE);
    }

    AuthThrottle(Shared shared) {
        this.shared = shared;
    }

    /** Records a failure and returns how long to wait before answering it. */
    long failure(String address, String username, long now) {
        int n = Math.max(bumpShared("a:" + address, now), username == null ? 0 : bumpShared("u:" + username, now));
        if (entries.size() > MAX_KEYS) {
            prune(now);
        }
        long delay = BASE_MS << Math.min(n - 1, 10);
        return Math.min(delay, MAX_MS);
    }

    void success(String address, String username) {
        if (entries.remove("a:" + address) != null) {
            shared.counted("a:" + address, 0);
        }
        if (username != null && entries.remove("u:" + username) != null) {
            shared.counted("u:" + username, 0);
        }
    }

    /** This node's failures for the key, now one more, plus the other nodes' recent ones. */
    private int bumpShared(String key, long now) {
        int here = bump(key, now);
        shared.counted(key, here);
        return here + shared.elsewhere(key);
    }

    private int bump(String key, long now) {
        return entries.compute(key, (k, e) -> e == null || now - e.last > WINDOW_MS
                ? new Entry(1, now) : new Entry(e.failures + 1, now)).failures;
    }

    private void prune(long now) {
        entries.values().removeIf(e -> now - e.last > WINDOW_MS);
        if (entries.size() > MAX_KEYS) {
            entries.clear();
        }
    }
}
