package io.xmppgrid.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Connections: authenticated TLS sessions opened at a fixed rate (open loop: the schedule does not
 * wait for logins to finish) and held idle. Each login is the whole of it: TCP connect, STARTTLS,
 * TLS 1.3, SCRAM-SHA-256, bind, initial presence; its time is measured from the connect. At every
 * checkpoint the ramp pauses until logins under way are done, then the server's heap after a full
 * collection (Java servers) and its RSS are read, per session above the figures before the first
 * login. The ramp stops at the target or where logins break (p99 over the last checkpoint's logins
 * above {@code breakMillis}, or any login failed), and the sessions are held idle {@code hold} more
 * before the last reading.
 */
final class Connections {

    static final List<String> COLUMNS = List.of("server", "sessions", "login p50 ms", "login p99 ms", "failed logins",
            "server heap MiB", "server RSS MiB", "heap KiB / session", "RSS KiB / session", "server CPU ms / login");

    private final Target target;
    private final int sessions;
    private final int rate;
    private final int checkpoint;
    private final int accounts;
    private final int maxInFlight;
    private final Duration hold;
    private final double breakMillis;
    private final PrintStream log;

    private int warmupLogins = 500;

    /** Logins made and closed before the ramp (the generator's and the server's JIT compilers), not measured. */
    Connections warmupLogins(int n) {
        warmupLogins = n;
        return this;
    }

    Connections(Target target, int sessions, int rate, int checkpoint, int accounts, Duration hold, double breakMillis,
                PrintStream log) {
        this.target = target;
        this.sessions = sessions;
        this.rate = rate;
        this.checkpoint = Math.max(1, checkpoint);
        this.accounts = Math.max(1, accounts);
        this.maxInFlight = Math.max(64, rate * 5);
        this.hold = hold;
        this.breakMillis = breakMillis;
        this.log = log;
    }

    /** The account of the {@code i}-th session: {@code <prefix>c<i mod accounts>}. */
    static String account(Target t, int i, int accounts) {
        return t.prefix() + "c" + (i % accounts);
    }

    Figures run() throws Exception {
        Figures f = new Figures(COLUMNS);
        long pid = target.pid();
        if (warmupLogins > 0) {
            try (XmppLoops loops = new XmppLoops(target.loops())) {
                log.printf("%s: %d warm-up logins (not measured)%n", target.name(), warmupLogins);
                List<XmppLoops.Login> warm = new java.util.ArrayList<>();
                for (int i = 0; i < warmupLogins; i++) {
                    warm.add(target.login(account(target, i, accounts), i, "w" + i));
                }
                loops.loginAll(warm, 16).forEach(XmppSession::close);
                Thread.sleep(2000);
            }
        }
        long heap0 = ProcessCpu.heapAfterGc(pid);
        long rss0 = ProcessCpu.rss(pid);
        log.printf("%s: before the first login: heap %s, RSS %.0f MiB%n", target.name(),
                heap0 < 0 ? "unknown" : String.format("%.0f MiB", heap0 / 1048576.0), rss0 / 1048576.0);
        Recorder logins = new Recorder(60_000_000_000L, 3);
        Recorder[] phases = {new Recorder(60_000_000_000L, 3), new Recorder(60_000_000_000L, 3), new Recorder(60_000_000_000L, 3),
            new Recorder(60_000_000_000L, 3)};
        AtomicInteger inFlight = new AtomicInteger();
        AtomicLong failed = new AtomicLong();
        AtomicInteger dropped = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        Queue<XmppSession> held = new ConcurrentLinkedQueue<>();
        try (XmppLoops loops = new XmppLoops(target.loops())) {
            long interval = 1_000_000_000L / rate;
            long next = System.nanoTime();
            double cpu0 = ProcessCpu.seconds(pid);
            int opened = 0;
            int since = 0;
            while (opened < sessions) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                next += interval;
                if (inFlight.get() >= maxInFlight) {
                    continue; // the server is this far behind: the slot is lost (counted as not opened)
                }
                int i = opened++;
                inFlight.incrementAndGet();
                loops.connect(target.login(account(target, i, accounts), i, "c" + i))
                        .whenComplete((s, e) -> {
                            if (e == null) {
                                held.add(s);
                                s.onStanza(st -> {
                                    if (st.startsWith("<bench-closed")) {
                                        dropped.incrementAndGet();
                                    }
                                });
                                logins.recordValue(s.loginNanos());
                                long[] p = s.phaseNanos();
                                for (int k = 0; k < p.length; k++) {
                                    phases[k].recordValue(Math.max(0, p[k]));
                                }
                            } else {
                                failed.incrementAndGet();
                                firstFailure.compareAndSet(null, String.valueOf(e.getMessage()));
                            }
                            inFlight.decrementAndGet();
                        });
                if (opened % checkpoint == 0 || opened == sessions) {
                    long settle = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (inFlight.get() > 0 && System.nanoTime() < settle) {
                        Thread.sleep(10);
                    }
                    double cpu = ProcessCpu.seconds(pid);
                    Histogram h = logins.getIntervalHistogram();
                    int loggedIn = (int) h.getTotalCount();
                    double cpuPerLogin = loggedIn == 0 ? Double.NaN : (cpu - cpu0) * 1000 / (opened - since);
                    StringBuilder ph = new StringBuilder();
                    String[] names = {"connect", "TLS", "SASL", "bind"};
                    for (int k = 0; k < phases.length; k++) {
                        Histogram x = phases[k].getIntervalHistogram();
                        ph.append(String.format(" %s %.1f/%.1f", names[k], x.getValueAtPercentile(50) / 1e6,
                                x.getValueAtPercentile(99) / 1e6));
                    }
                    log.printf("%s: login phases p50/p99 ms:%s%n", target.name(), ph);
                    reading(f, held.size() - dropped.get(), h, failed.get(), heap0, rss0, cpuPerLogin);
                    cpu0 = ProcessCpu.seconds(pid);
                    since = opened;
                    next = System.nanoTime();
                    double p99 = h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1e6;
                    if (failed.get() > 0 || p99 > breakMillis) {
                        log.printf("%s: logins broke at %d sessions (%d failed%s; p99 %.0f ms)%n", target.name(), held.size(),
                                failed.get(), firstFailure.get() == null ? "" : ", first: " + firstFailure.get(), p99);
                        break;
                    }
                }
            }
            log.printf("%s: holding %d idle sessions for %d s%n", target.name(), held.size(), hold.toSeconds());
            Thread.sleep(hold.toMillis());
            int alive = held.size() - dropped.get();
            if (dropped.get() > 0) {
                log.printf("%s: %d held sessions were closed by the server%n", target.name(), dropped.get());
            }
            reading(f, alive, new Histogram(3), failed.get(), heap0, rss0, Double.NaN);
            held.forEach(XmppSession::close);
            Thread.sleep(1000);
        }
        return f;
    }

    private void reading(Figures f, int held, Histogram h, long failed, long heap0, long rss0, double cpuPerLogin) {
        long heap = ProcessCpu.heapAfterGc(target.pid());
        long rss = ProcessCpu.rss(target.pid());
        double p50 = h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(50) / 1e6;
        double p99 = h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1e6;
        double heapPer = heap < 0 || heap0 < 0 || held == 0 ? Double.NaN : (heap - heap0) / 1024.0 / held;
        double rssPer = held == 0 ? Double.NaN : (rss - rss0) / 1024.0 / held;
        f.add(target.name(), held, p50, p99, failed, heap < 0 ? Double.NaN : heap / 1048576.0, rss / 1048576.0, heapPer, rssPer,
                cpuPerLogin);
        log.printf("%s: %d sessions held; logins since the last reading p50 %.1f ms p99 %.1f ms; %d failed; heap %s; RSS %.0f MiB "
                        + "(%.1f KiB per session); heap per session %.1f KiB; server CPU %.2f ms per login%n", target.name(), held, p50,
                p99, failed, heap < 0 ? "unknown" : String.format("%.0f MiB", heap / 1048576.0), rss / 1048576.0, rssPer, heapPer,
                cpuPerLogin);
    }
}
