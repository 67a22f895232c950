package io.xmppgrid.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.xmppgrid.xmpp.Jid;
import org.junit.jupiter.api.Test;

/** Token buckets of the rate limits, on a clock the test sets. */
class RateLimitsTest {

    private static final long SECOND = 1_000_000_000L;

    @Test // two seconds of burst, then the debt is paid back at the rate
    void stanzaBucket() {
        RateLimits.Buckets b = new RateLimits().update(Jid.parse("p@grid.local"), new RateLimits.Limits(5, 0));
        long t = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            assertEquals(0, b.take(1, 100, t), "within the burst of 2 s x 5/s");
        }
        long wait = b.take(1, 100, t);
        assertEquals(SECOND / 5, wait, SECOND / 1000, "one stanza over: 200 ms");
        assertEquals(0, b.take(1, 100, t + SECOND), "a second later five more tokens are there");
    }

    @Test // RFC 8600 §8.3.2 in a cluster: with sessions on two nodes each node allows half the platform's rate
    void rateSharedAmongTheNodesHoldingSessions() {
        RateLimits.Buckets b = new RateLimits(bare -> 2).update(Jid.parse("p@grid.local"), new RateLimits.Limits(10, 0));
        long t = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            assertEquals(0, b.take(1, 100, t), "within the burst of 2 s x 10/s / 2 nodes");
        }
        assertEquals(SECOND / 5, b.take(1, 100, t), SECOND / 1000, "one stanza over at 5/s: 200 ms");
    }

    @Test // bytes count on their own; the longer wait wins
    void byteBucket() {
        RateLimits.Buckets b = new RateLimits().update(Jid.parse("p@grid.local"), new RateLimits.Limits(0, 1000));
        long t = System.nanoTime();
        assertEquals(0, b.take(1, 2000, t));
        assertEquals(SECOND / 2, b.take(1, 500, t), SECOND / 1000);
    }

    @Test // one violation a second at most; counted over the last minute
    void violationsPerSecond() {
        RateLimits.Buckets b = new RateLimits().update(Jid.parse("p@grid.local"), new RateLimits.Limits(1, 0));
        long t = 1_000 * SECOND;
        assertEquals(1, b.violation(t));
        assertEquals(0, b.violation(t + SECOND / 2), "same second");
        assertEquals(2, b.violation(t + SECOND));
        assertEquals(1, b.violation(t + 120 * SECOND), "the earlier two are more than a minute old");
        assertEquals(2, b.violation(t + 121 * SECOND));
    }

    @Test // no limits, no buckets
    void unlimited() {
        assertNull(new RateLimits().update(Jid.parse("p@grid.local"), new RateLimits.Limits(0, 0)));
    }
}
