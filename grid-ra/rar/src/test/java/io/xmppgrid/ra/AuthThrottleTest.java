package io.xmppgrid.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sign-in throttle's delays, alone and with failures counted on other cluster nodes (issue 16 §8). */
class AuthThrottleTest {

    /** What the other nodes published, and what this node published. */
    private static final class Counts implements AuthThrottle.Shared {
        final Map<String, Integer> others = new HashMap<>();
        final Map<String, Integer> mine = new HashMap<>();

        @Override
        public int elsewhere(String key) {
            return others.getOrDefault(key, 0);
        }

        @Override
        public void counted(String key, int failures) {
            mine.put(key, failures);
        }
    }

    @Test
    void delaysDoubleWithEachFailureUpToTenSeconds() {
        AuthThrottle t = new AuthThrottle();
        long[] expected = {250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000};
        long now = 0;
        for (long e : expected) {
            long d = t.failure("192.0.2.1", "p", now);
            assertEquals(e, d);
            now += d; // the next guess after this answer
        }
    }

    /** Issue 18 §5: guesses for one platform over parallel streams are answered one after another. */
    @Test
    void parallelFailuresOfOneKeyAreAnsweredOneAfterAnother() {
        AuthThrottle t = new AuthThrottle();
        assertEquals(250, t.failure("192.0.2.1", "alice", 0));
        assertEquals(250 + 500, t.failure("192.0.2.2", "ALICE", 0), "the same platform, another address, same moment");
        assertEquals(250 + 500 + 1000, t.failure("192.0.2.3", "alice", 0));
        long far = 0;
        for (int i = 0; i < 40; i++) {
            far = t.failure("192.0.2." + (10 + i), "alice", 0);
        }
        assertEquals(AuthThrottle.MAX_WAIT_MS, far, "held back at most a minute (the stream times out before)");
    }

    /** Issue 18 §5: keys are bounded, and a full table forgets the least recent key, not the one under attack. */
    @Test
    void keysAreBoundedAndEvictionKeepsRecentOnes() {
        AuthThrottle t = new AuthThrottle();
        String huge = "x".repeat(200_000);
        assertTrue(AuthThrottle.userKey(huge).length() < 64, "a 200 KB name is keyed by a hash");
        assertEquals(AuthThrottle.userKey("Alice"), AuthThrottle.userKey("alice"), "normalised as the accounts are");
        t.failure("192.0.2.1", "victim", 0);
        for (int i = 0; i < AuthThrottle.MAX_KEYS; i++) {
            t.failure("192.0.2.1", "n" + i, 0); // the address's key stays recent too
            if (i % 1000 == 0) {
                t.failure("192.0.2.9", "victim", 0); // the account under attack keeps failing
            }
        }
        assertTrue(t.size() <= AuthThrottle.MAX_KEYS);
        long next = t.failure("192.0.2.200", "victim", 0);
        assertTrue(next >= 10_000, "the victim's throttle survived the flood of other names: " + next);
    }

    @Test
    void failuresOnOtherNodesCountAndThisNodesArePublished() {
        Counts c = new Counts();
        c.others.put("u:p", 4);
        AuthThrottle t = new AuthThrottle(c);
        assertEquals(4000, t.failure("192.0.2.1", "p", 0), "the fifth failure of the platform in the cluster");
        assertEquals(1, c.mine.get("u:p"));
        assertEquals(1, c.mine.get("a:192.0.2.1"));
        t.success("192.0.2.1", "p");
        assertEquals(0, c.mine.get("u:p"), "a success withdraws this node's counts");
        assertEquals(0, c.mine.get("a:192.0.2.1"));
    }
}
