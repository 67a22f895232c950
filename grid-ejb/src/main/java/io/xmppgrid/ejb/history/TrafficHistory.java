package io.xmppgrid.ejb.history;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's recent traffic for the console's charts (issue 21): every {@value #STEP_SECONDS} s a sample of live sessions,
 * stanzas in and out per second, deliveries per second, offline queue depth, refused logins and rate-limit events
 * (per interval); kept for the last hour at that step and for the last day at {@value #DAY_STEP_SECONDS} s (averages).
 * Per platform with a session here: its stanzas in and out per second, the last hour only, for at most
 * {@value #MAX_PLATFORMS} platforms (the least recently active forgotten). Bounded: about 100 KB for the node and
 * 6 KB per platform. Thread-safe; plain Java.
 */
public final class TrafficHistory {

    public static final int STEP_SECONDS = 5;
    public static final int DAY_STEP_SECONDS = 120;
    static final int POINTS = 720;
    static final int MAX_PLATFORMS = 512;
    private static final int PER_DAY_STEP = DAY_STEP_SECONDS / STEP_SECONDS;

    /** The node's series, in this order; the first and fifth are levels, the others rates or counts per step. */
    public static final List<String> NAMES = List.of("sessions", "stanzas in/s", "stanzas out/s", "deliveries/s",
            "offline queue", "refused logins", "rate-limit events");

    /** What the node counted at one moment: levels, and counters that only grow (totals since the node started). */
    public record Sample(long atMillis, double sessions, long stanzasIn, long stanzasOut, long deliveries,
                         double offlineDepth, long refusedLogins, long rateLimited, Map<String, long[]> platformTotals) {
    }

    /**
     * Series as drawn: the node, when the last point was taken, the step between points, the names, and one array per
     * name, oldest first ({@code NaN} where there was no sample).
     */
    public record Snapshot(String node, long endMillis, int stepSeconds, List<String> names, List<float[]> values)
            implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    private final String node;
    private final Ring[] hour = rings(NAMES.size());
    private final Ring[] day = rings(NAMES.size());
    private final double[] dayBucket = new double[NAMES.size()];
    private int inBucket;
    private Sample previous;
    private long lastMillis;
    private long lastDayMillis;
    private final Map<String, PlatformSeries> platforms = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PlatformSeries> eldest) {
            return size() > MAX_PLATFORMS;
        }
    };

    public TrafficHistory(String node) {
        this.node = node;
    }

    /** Adds a sample (rates are taken against the previous one; the first only sets the baseline for them). */
    public synchronized void record(Sample s) {
        float[] point = new float[NAMES.size()];
        Arrays.fill(point, Float.NaN);
        point[0] = (float) s.sessions();
        point[4] = (float) s.offlineDepth();
        Sample p = previous;
        if (p != null && s.atMillis() > p.atMillis()) {
            double seconds = (s.atMillis() - p.atMillis()) / 1000.0;
            point[1] = rate(s.stanzasIn(), p.stanzasIn(), seconds);
            point[2] = rate(s.stanzasOut(), p.stanzasOut(), seconds);
            point[3] = rate(s.deliveries(), p.deliveries(), seconds);
            point[5] = Math.max(0, s.refusedLogins() - p.refusedLogins());
            point[6] = Math.max(0, s.rateLimited() - p.rateLimited());
        }
        for (int i = 0; i < point.length; i++) {
            hour[i].add(point[i]);
            dayBucket[i] += Float.isNaN(point[i]) ? 0 : point[i];
        }
        if (++inBucket == PER_DAY_STEP) {
            for (int i = 0; i < point.length; i++) {
                // levels and rates: the bucket's average; refused logins and limit events: the bucket's total
                day[i].add((float) (i >= 5 ? dayBucket[i] : dayBucket[i] / PER_DAY_STEP));
                dayBucket[i] = 0;
            }
            inBucket = 0;
            lastDayMillis = s.atMillis();
        }
        platforms(s, p);
        previous = s;
        lastMillis = s.atMillis();
    }

    private void platforms(Sample s, Sample p) {
        if (s.platformTotals() == null) {
            return;
        }
        double seconds = p == null ? 0 : (s.atMillis() - p.atMillis()) / 1000.0;
        long n = hourCount();
        for (Map.Entry<String, long[]> e : s.platformTotals().entrySet()) {
            PlatformSeries ps = platforms.computeIfAbsent(e.getKey(), k -> new PlatformSeries());
            long[] totals = e.getValue();
            ps.in.padTo(n - 1);
            ps.out.padTo(n - 1);
            ps.in.add(ps.last == null ? Float.NaN : rate(totals[0], ps.last[0], seconds));
            ps.out.add(ps.last == null ? Float.NaN : rate(totals[1], ps.last[1], seconds));
            ps.last = totals.clone();
        }
        // platforms without a session here now: their counters start again with their next session
        for (Map.Entry<String, PlatformSeries> e : platforms.entrySet()) {
            if (!s.platformTotals().containsKey(e.getKey())) {
                e.getValue().last = null;
            }
        }
    }

    private long hourCount() {
        return hour[0].count;
    }

    private static float rate(long now, long before, double seconds) {
        return seconds <= 0 ? Float.NaN : (float) (Math.max(0, now - before) / seconds);
    }

    /** The node's series for the last hour ({@code day} false) or the last day. */
    public synchronized Snapshot snapshot(boolean day) {
        Ring[] rings = day ? this.day : hour;
        List<float[]> values = new ArrayList<>(rings.length);
        for (Ring r : rings) {
            values.add(r.values());
        }
        return new Snapshot(node, day ? lastDayMillis : lastMillis, day ? DAY_STEP_SECONDS : STEP_SECONDS, NAMES, values);
    }

    /** A platform's stanzas in and out per second on this node over the last hour (empty series when it had no session). */
    public synchronized Snapshot platform(String bareJid) {
        PlatformSeries ps = platforms.get(bareJid);
        float[] in = new float[POINTS];
        float[] out = new float[POINTS];
        Arrays.fill(in, Float.NaN);
        Arrays.fill(out, Float.NaN);
        if (ps != null) {
            ps.in.padTo(hourCount());
            ps.out.padTo(hourCount());
            in = ps.in.values();
            out = ps.out.values();
        }
        return new Snapshot(node, lastMillis, STEP_SECONDS, List.of("stanzas in/s", "stanzas out/s"), List.of(in, out));
    }

    synchronized int platformsRemembered() {
        return platforms.size();
    }

    private static Ring[] rings(int n) {
        Ring[] r = new Ring[n];
        for (int i = 0; i < n; i++) {
            r[i] = new Ring();
        }
        return r;
    }

    /** {@value #POINTS} floats, the newest last. */
    static final class Ring {
        private final float[] v = new float[POINTS];
        private long count;

        void add(float x) {
            v[(int) (count++ % POINTS)] = x;
        }

        /** Pads with NaN the points a platform missed while it had no session here, so that all series line up. */
        void padTo(long n) {
            if (n - count >= POINTS) {
                Arrays.fill(v, Float.NaN);
                count = n;
                return;
            }
            while (count < n) {
                add(Float.NaN);
            }
        }

        float[] values() {
            float[] out = new float[POINTS];
            Arrays.fill(out, Float.NaN);
            int n = (int) Math.min(count, POINTS);
            for (int i = 0; i < n; i++) {
                out[POINTS - n + i] = v[(int) ((count - n + i) % POINTS)];
            }
            return out;
        }
    }

    private static final class PlatformSeries {
        final Ring in = new Ring();
        final Ring out = new Ring();
        long[] last;
    }
}
