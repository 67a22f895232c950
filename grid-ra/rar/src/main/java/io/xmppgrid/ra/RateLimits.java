package io.xmppgrid.ra;

import io.xmppgrid.xmpp.Jid;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-platform token buckets (RFC 8600 §8.3.2 MAY: rate limits), shared by all of a platform's
 * sessions on this node: stanzas per second and inbound bytes per second, each with a burst of
 * two seconds' worth. In a cluster the platform's rate is shared among the nodes that hold its
 * sessions: each of N such nodes allows 1/N of it (N asked again at most once a second), so a
 * platform with sessions on two nodes gets its rate once, not twice. A stream whose platform is over its rate waits (its stanzas are throttled,
 * never dropped); each second in which that happens counts as one violation.
 */
final class RateLimits {

    /** What one platform may send; 0 means unlimited. */
    record Limits(int stanzasPerSecond, int bytesPerSecond) {
        boolean unlimited() {
            return stanzasPerSecond <= 0 && bytesPerSecond <= 0;
        }
    }

    /** The buckets of one platform. */
    static final class Buckets {
        private final java.util.function.IntSupplier share;
        private int shareNow = 1;
        private long shareAt = Long.MIN_VALUE;
        private volatile Limits limits;
        private double stanzas;
        private double bytes;
        private long refilledAt = System.nanoTime();
        private long lastViolationSecond = -1;
        private final long[] violationSeconds = new long[64];
        private int violations;

        Buckets(Limits limits, java.util.function.IntSupplier share) {
            this.share = share;
            this.limits = limits;
            this.stanzas = 2.0 * limits.stanzasPerSecond();
            this.bytes = 2.0 * limits.bytesPerSecond();
        }

        /**
         * Takes one stanza and {@code size} bytes; returns 0 when within the limits, else how many
         * nanoseconds to wait before going on (the debt is already taken).
         */
        synchronized long take(int stanzaCount, long size, long now) {
            Limits l = limits;
            if (now - shareAt > 1_000_000_000L || shareAt == Long.MIN_VALUE) {
                shareAt = now;
                shareNow = Math.max(1, share.getAsInt());
            }
            double stanzaRate = (double) l.stanzasPerSecond() / shareNow;
            double byteRate = (double) l.bytesPerSecond() / shareNow;
            double seconds = (now - refilledAt) / 1e9;
            refilledAt = now;
            long wait = 0;
            if (l.stanzasPerSecond() > 0) {
                stanzas = Math.min(2.0 * stanzaRate, stanzas + seconds * stanzaRate) - stanzaCount;
                if (stanzas < 0) {
                    wait = Math.max(wait, (long) (-stanzas / stanzaRate * 1e9));
                }
            }
            if (l.bytesPerSecond() > 0) {
                bytes = Math.min(2.0 * byteRate, bytes + seconds * byteRate) - size;
                if (bytes < 0) {
                    wait = Math.max(wait, (long) (-bytes / byteRate * 1e9));
                }
            }
            return wait;
        }

        /**
         * Records that the platform was throttled now; returns the number of violations (seconds
         * with throttling) in the last minute when this is a new second, else 0.
         */
        synchronized int violation(long now) {
            long second = now / 1_000_000_000L;
            if (second == lastViolationSecond) {
                return 0;
            }
            lastViolationSecond = second;
            violationSeconds[violations++ % violationSeconds.length] = second;
            int recent = 0;
            for (int i = 0; i < Math.min(violations, violationSeconds.length); i++) {
                if (second - violationSeconds[i] < 60) {
                    recent++;
                }
            }
            return recent;
        }

        private long lastBreachSecond = Long.MIN_VALUE;

        /** Whether a breach may be reported now: at most once a minute per platform on this node. */
        synchronized boolean breachDue(long now) {
            long second = now / 1_000_000_000L;
            if (lastBreachSecond != Long.MIN_VALUE && second - lastBreachSecond < 60) {
                return false;
            }
            lastBreachSecond = second;
            return true;
        }
    }

    private final Map<Jid, Buckets> byPlatform = new ConcurrentHashMap<>();
    /** How many cluster nodes (this one included) hold sessions of a platform; 1 on a single node. */
    private final java.util.function.ToIntFunction<Jid> nodesWithSessions;

    RateLimits() {
        this(bare -> 1);
    }

    RateLimits(java.util.function.ToIntFunction<Jid> nodesWithSessions) {
        this.nodesWithSessions = nodesWithSessions;
    }

    /** The platform's buckets with its current limits (from its latest authentication); null when unlimited. */
    Buckets update(Jid bare, Limits limits) {
        if (limits.unlimited()) {
            byPlatform.remove(bare);
            return null;
        }
        Buckets b = byPlatform.computeIfAbsent(bare, k -> new Buckets(limits, () -> nodesWithSessions.applyAsInt(k)));
        b.limits = limits;
        return b;
    }

    void forget(Jid bare) {
        byPlatform.remove(bare);
    }
}
