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

    /** Records a failure and returns how long to wait before answering it. */
    long failure(String address, String username, long now) {
        int n = Math.max(bump("a:" + address, now), username == null ? 0 : bump("u:" + username, now));
        if (entries.size() > MAX_KEYS) {
            prune(now);
        }
        long delay = BASE_MS << Math.min(n - 1, 10);
        return Math.min(delay, MAX_MS);
    }

    void success(String address, String username) {
        entries.remove("a:" + address);
        if (username != null) {
            entries.remove("u:" + username);
        }
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
