package io.xmppgrid.ejb.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The console's traffic history (issue 21): rates from counters, bounded series, day averages, per platform. */
class TrafficHistoryTest {

    private static TrafficHistory.Sample sample(long t, long in, Map<String, long[]> platforms) {
        return new TrafficHistory.Sample(t * 5_000, 3, in, in * 2, in / 2, 7, t, 0, platforms);
    }

    @Test
    void ratesComeFromCounterDifferencesAndTheHourKeepsItsLast720Points() {
        TrafficHistory h = new TrafficHistory("n1");
        for (long t = 0; t < 1000; t++) {
            h.record(sample(t, t * 50, Map.of()));
        }
        TrafficHistory.Snapshot s = h.snapshot(false);
        assertEquals("n1", s.node());
        assertEquals(7, s.values().size());
        for (float[] v : s.values()) {
            assertEquals(TrafficHistory.POINTS, v.length, "bounded");
        }
        float[] in = s.values().get(1);
        assertEquals(10f, in[TrafficHistory.POINTS - 1], 0.001, "50 stanzas in 5 s");
        assertEquals(20f, s.values().get(2)[TrafficHistory.POINTS - 1], 0.001);
        assertEquals(3f, s.values().get(0)[0], "a level is kept as it is");
        assertEquals(1f, s.values().get(5)[TrafficHistory.POINTS - 1], "refused logins per step");
    }

    @Test
    void theFirstSampleSetsOnlyTheBaselineAndTheDayAveragesTwentyFourSteps() {
        TrafficHistory h = new TrafficHistory("n1");
        h.record(sample(0, 1_000_000, Map.of()));
        assertTrue(Float.isNaN(h.snapshot(false).values().get(1)[TrafficHistory.POINTS - 1]), "no rate without a baseline");
        for (long t = 1; t <= 48; t++) {
            h.record(sample(t, 1_000_000 + t * 50, Map.of()));
        }
        float[] day = h.snapshot(true).values().get(1);
        assertEquals(10f, day[TrafficHistory.POINTS - 1], 0.001);
        assertEquals(TrafficHistory.DAY_STEP_SECONDS, h.snapshot(true).stepSeconds());
        assertTrue(Float.isNaN(day[TrafficHistory.POINTS - 3]), "only two day points so far");
    }

    @Test
    void platformsHaveTheirOwnAlignedSeriesAndAreBoundedInNumber() {
        TrafficHistory h = new TrafficHistory("n1");
        for (long t = 0; t < 10; t++) {
            Map<String, long[]> p = new HashMap<>();
            if (t < 4 || t > 6) {
                p.put("a@grid.local", new long[] {t * 10, t * 5});
            }
            h.record(sample(t, t, p));
        }
        float[] in = h.platform("a@grid.local").values().get(0);
        assertEquals(2f, in[TrafficHistory.POINTS - 1], 0.001, "10 stanzas in 5 s");
        assertTrue(Float.isNaN(in[TrafficHistory.POINTS - 4]), "no session at t=6: a gap, aligned with the node's points");
        assertTrue(Float.isNaN(h.platform("nobody@grid.local").values().get(0)[TrafficHistory.POINTS - 1]));
        Map<String, long[]> many = new HashMap<>();
        for (int i = 0; i < TrafficHistory.MAX_PLATFORMS + 100; i++) {
            many.put("p" + i + "@grid.local", new long[] {1, 1});
        }
        h.record(sample(11, 11, many));
        assertEquals(TrafficHistory.MAX_PLATFORMS, h.platformsRemembered(), "the least recently active are forgotten");
    }
}
