package io.xmppgrid.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Cold start (issue 22): started the moment the server reports ready (run.sh waits for that), this logs in the
 * subscribers and the publisher, then publishes at one fixed rate for {@code total}, back to back, reporting every
 * {@code interval}: deliveries per second, publish→delivery p50/p99/p99.9 of the items published in that interval, and
 * the server's CPU per 1,000 deliveries made in it. The time of each row counts from ready, so logins are part of it.
 * The last minute is the run's steady state; the report gives the first minute's figures against it.
 */
final class ColdStart {

    static final List<String> COLUMNS = List.of("server", "s since ready", "deliveries /s", "received of expected %",
            "p50 ms", "p99 ms", "p99.9 ms", "server CPU s / 1000 deliveries");

    private final Target target;
    private final FanOut fanOut;
    private final int subscribers;
    private final int rate;
    private final Duration total;
    private final Duration interval;
    private final PrintStream log;

    ColdStart(Target target, FanOut fanOut, int subscribers, int rate, Duration total, Duration interval, PrintStream log) {
        this.target = target;
        this.fanOut = fanOut;
        this.subscribers = subscribers;
        this.rate = rate;
        this.total = total;
        this.interval = interval;
        this.log = log;
    }

    Figures run() throws Exception {
        long ready = System.nanoTime();
        int windows = (int) (total.toMillis() / interval.toMillis());
        Recorder[] latency = new Recorder[windows];
        for (int i = 0; i < windows; i++) {
            latency[i] = new Recorder(60_000_000_000L, 3);
        }
        AtomicLongArray received = new AtomicLongArray(windows);
        AtomicLong all = new AtomicLong();
        List<XmppLoops.Login> logins = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            logins.add(target.subscriberLogin(i));
        }
        Figures f = new Figures(COLUMNS);
        try (XmppLoops loops = new XmppLoops(target.loops());
             XmppSession pub = loops.connect(target.login(target.publisher(), subscribers)).get()) {
            List<XmppSession> subs = loops.loginAll(logins, 64);
            String node = "bench-" + UUID.randomUUID().toString().substring(0, 8);
            fanOut.setUp(pub, node, subs);
            log.printf("%s: publisher and %d subscribers logged in and subscribed %.1f s after ready%n", target.name(),
                    subs.size(), (System.nanoTime() - ready) / 1e9);
            for (XmppSession s : subs) {
                s.onStanza(st -> {
                    if (!st.startsWith("<message")) {
                        return;
                    }
                    long now = System.nanoTime();
                    Matcher m = FanOut.ITEM.matcher(st);
                    while (m.find()) {
                        int w = Integer.parseInt(m.group(1));
                        if (w >= 0 && w < windows) {
                            latency[w].recordValue(Math.max(0, now - Long.parseLong(m.group(2))));
                            received.incrementAndGet(w);
                        }
                        all.incrementAndGet();
                    }
                });
            }
            AtomicLong errors = new AtomicLong();
            pub.onStanza(st -> {
                if (st.startsWith("<iq") && (st.contains("type=\"error\"") || st.contains("type='error'"))) {
                    errors.incrementAndGet();
                }
            });
            long[] sent = new long[windows];
            double[] at = new double[windows];
            double[] perSecond = new double[windows];
            double[] cpuPer1000 = new double[windows];
            for (int w = 0; w < windows; w++) {
                double cpu0 = target.cpuSeconds();
                long all0 = all.get();
                long t0 = System.nanoTime();
                sent[w] = fanOut.publish(pub, node, rate, interval, w);
                long t1 = System.nanoTime();
                long delivered = all.get() - all0;
                at[w] = (t1 - ready) / 1e9;
                perSecond[w] = delivered / ((t1 - t0) / 1e9);
                cpuPer1000[w] = delivered == 0 ? Double.NaN : (target.cpuSeconds() - cpu0) * 1000.0 / delivered;
                log.printf("%s: %5.0f s after ready: %6.0f deliveries/s, server CPU %.4f s per 1000 deliveries%s%n",
                        target.name(), at[w], perSecond[w], cpuPer1000[w],
                        errors.get() > 0 ? ", publish errors so far " + errors.get() : "");
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (received.get(windows - 1) < sent[windows - 1] * subscribers && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            for (int w = 0; w < windows; w++) {
                Histogram h = latency[w].getIntervalHistogram();
                f.add(target.name(), Math.round(at[w]), perSecond[w],
                        sent[w] == 0 ? Double.NaN : 100.0 * received.get(w) / (sent[w] * subscribers),
                        p(h, 50), p(h, 99), p(h, 99.9), cpuPer1000[w]);
            }
            fanOut.tearDown(pub, node);
            subs.forEach(XmppSession::close);
            Thread.sleep(500);
        }
        return f;
    }

    private static double p(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1_000_000.0;
    }

    /**
     * Per server: the first minute's CPU per delivery (the median of its intervals) against the last minute's, and the
     * worst p99 of the first minute, as a Markdown table (the goal: ≤ 1.25× and < 50 ms).
     */
    static String summary(Figures f, int intervalSeconds) {
        java.util.Map<String, List<String[]>> by = new java.util.LinkedHashMap<>();
        for (String[] r : f.rows()) {
            by.computeIfAbsent(r[0], k -> new ArrayList<>()).add(r);
        }
        StringBuilder t = new StringBuilder("| server | first minute: CPU s / 1000 deliveries (median) | last minute | ratio "
                + "| first minute: worst p99 ms | last minute: worst p99 ms |\n|---|---|---|---|---|---|\n");
        int perMinute = Math.max(1, 60 / intervalSeconds);
        by.forEach((server, rows) -> {
            List<String[]> first = rows.subList(0, Math.min(perMinute, rows.size()));
            List<String[]> last = rows.subList(Math.max(0, rows.size() - perMinute), rows.size());
            double a = median(first, 7);
            double b = median(last, 7);
            t.append(String.format(java.util.Locale.ROOT, "| %s | %.4f | %.4f | %.2f | %.1f | %.1f |%n", server, a, b, a / b,
                    max(first, 5), max(last, 5)));
        });
        return t.toString();
    }

    private static double median(List<String[]> rows, int col) {
        double[] v = rows.stream().mapToDouble(r -> Double.parseDouble(r[col])).filter(d -> !Double.isNaN(d)).sorted().toArray();
        return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static double max(List<String[]> rows, int col) {
        return rows.stream().mapToDouble(r -> Double.parseDouble(r[col])).filter(d -> !Double.isNaN(d)).max().orElse(Double.NaN);
    }

    /** The report: the summary, every interval's row, p99 and CPU per delivery plotted against time since ready. */
    static java.nio.file.Path write(java.nio.file.Path dir, String stamp, String parameters, Figures f, int intervalSeconds)
            throws java.io.IOException {
        java.nio.file.Path md = Report.write(dir, stamp, "coldstart", "Cold-start benchmark", parameters,
                summary(f, intervalSeconds) + "\n![server CPU s per 1000 deliveries](" + stamp + "-coldstart-cpu.png)", f, 1, 5,
                "seconds since the server reported ready", "p99 publish→delivery latency (ms, log scale)");
        Report.plot(dir.resolve(stamp + "-coldstart-cpu.png"), f.series(1, 7), "seconds since the server reported ready",
                "server CPU s per 1000 deliveries (log scale)");
        return md;
    }
}
