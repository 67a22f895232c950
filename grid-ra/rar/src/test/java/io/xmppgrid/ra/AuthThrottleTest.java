package io.xmppgrid.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        for (long e : expected) {
            assertEquals(e, t.failure("192.0.2.1", "p", 0));
        }
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
