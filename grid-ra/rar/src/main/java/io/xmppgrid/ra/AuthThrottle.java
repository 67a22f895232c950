package io.xmppgrid.ra;

import java.util.LinkedHashMap;

/**
 * Slows down password guessing: every failed authentication for a peer address or a
 * username doubles the delay before the next failure is answered (from 250 ms up to 10 s),
 * within a 15-minute window; a success clears the username's and address's counters.
 * Failures of one key are answered one after another (each answer waits for the previous
 * one's), so guessing over many parallel streams is as slow as over one. Keys are bounded:
 * a username is keyed by its normalised localpart (RFC 7622), or by a hash when it is none
 * (too long, not a valid localpart); past {@link #MAX_KEYS} keys the least recently failed
 * one is forgotten, never the whole table.
 */
final class AuthThrottle {

    static final int MAX_KEYS = 100_000;
    private static final long WINDOW_MS = 15 * 60 * 1000L;
    private static final long BASE_MS = 250;
    private static final long MAX_MS = 10_000;
    /** The longest a failure's answer is held back, however many of its key are queued before it. */
    static final long MAX_WAIT_MS = 60_000;

    /** Failures in the window, when the last was, and when the last answer is due. */
    private record Entry(int failures, long last, long answerAt) {
    }

    private final LinkedHashMap<String, Entry> entries = Lru.of(MAX_KEYS);

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
    synchronized long failure(String address, String username, long now) {
        long a = failureOf("a:" + address, now);
        long u = username == null ? 0 : failureOf(userKey(username), now);
        return Math.max(a, u);
    }

    synchronized void success(String address, String username) {
        if (entries.remove("a:" + address) != null) {
            shared.counted("a:" + address, 0);
        }
        if (username != null) {
            String key = userKey(username);
            if (entries.remove(key) != null) {
                shared.counted(key, 0);
            }
        }
    }

    /** The key's failures (here, and on other nodes) now one more: how long until this one is answered. */
    private long failureOf(String key, long now) {
        Entry e = entries.get(key);
        Entry next = e == null || now - e.last > WINDOW_MS ? new Entry(1, now, now) : new Entry(e.failures + 1, now, e.answerAt);
        shared.counted(key, next.failures);
        int n = next.failures + shared.elsewhere(key);
        long delay = Math.min(BASE_MS << Math.min(n - 1, 10), MAX_MS);
        long at = Math.max(now, next.answerAt) + delay; // after the key's previous answer: parallel guesses queue up
        entries.put(key, new Entry(next.failures, now, at));
        // a stream waiting longer is closed by its authentication timeout first: it need not be held that long
        return Math.min(at - now, MAX_WAIT_MS);
    }

    /** The throttle's key of a username: its normalised localpart, or a hash of what was sent when that is none. */
    static String userKey(String username) {
        try {
            String local = io.xmppgrid.xmpp.Jid.normalizeLocal(username);
            if (local.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 1023) { // RFC 7622 §3.3.1
                return "u:" + local;
            }
        } catch (IllegalArgumentException e) {
            // not a localpart: hashed below
        }
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(username.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "u:#" + java.util.HexFormat.of().formatHex(d, 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    synchronized int size() {
        return entries.size();
    }
}
