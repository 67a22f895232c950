package io.xmppgrid.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Offline backlog: a subscriber of the fan-out Topic goes offline, K items are published (a window
 * of requests outstanding, every item acknowledged), then the subscriber logs in again and the
 * server drains what it stored. Reported per K: how fast the items were accepted, time from the
 * initial presence to the first stored item, items drained per second (K over the time from the
 * presence to the last item), the server's CPU per 1,000 items drained, and its CPU per publish while the
 * items were accepted (each publish committed: item, stored notification, audit entry).
 */
final class Backlog {

    static final List<String> COLUMNS = List.of("server", "items queued", "published /s", "publish errors", "login ms",
            "first item ms", "items drained", "drained /s", "server CPU s / 1000 items", "server CPU ms / publish");

    private final Target target;
    private final FanOut topic;
    private final Duration settle;
    private final PrintStream log;

    Backlog(Target target, FanOut topic, Duration settle, PrintStream log) {
        this.target = target;
        this.topic = topic;
        this.settle = settle;
        this.log = log;
    }

    Figures run(List<Integer> sizes) throws Exception {
        Figures f = new Figures(COLUMNS);
        try (XmppLoops loops = new XmppLoops(target.loops());
             XmppSession pub = loops.connect(target.login(target.publisher(), 1)).get()) {
            drainLeftovers(loops);
            XmppSession sub = loops.connect(target.login(target.subscriber(0), 0)).get();
            String node = "backlog-" + UUID.randomUUID().toString().substring(0, 8);
            topic.setUp(pub, node, List.of(sub));
            sub.close();
            sub.closed.get(15, TimeUnit.SECONDS);
            AtomicLong answered = new AtomicLong();
            AtomicLong errors = new AtomicLong();
            Semaphore window = new Semaphore(200);
            pub.onStanza(st -> {
                if (st.startsWith("<iq")) {
                    answered.incrementAndGet();
                    if (st.contains("type=\"error\"") || st.contains("type='error'")) {
                        errors.incrementAndGet();
                    }
                    window.release();
                }
            });
            Thread.sleep(1000);
            int round = 0;
            for (int k : sizes) {
                String prefix = "b" + (round++) + "x";
                errors.set(0);
                long a0 = answered.get();
                double publishCpu0 = ProcessCpu.seconds(target.pid());
                long t0 = System.nanoTime();
                for (int n = 0; n < k; n++) {
                    if (!window.tryAcquire(60, TimeUnit.SECONDS)) {
                        throw new IOException("no answer to a publish for 60 s");
                    }
                    pub.write(topic.publishRequest(node, prefix + n, "q" + n));
                }
                long seen = answered.get();
                long progress = System.nanoTime();
                while (seen - a0 < k) { // however long a large backlog takes to publish, as long as answers come
                    if (System.nanoTime() - progress > TimeUnit.SECONDS.toNanos(60)) {
                        throw new IOException("no answer to " + (k - (seen - a0)) + " publishes for 60 s");
                    }
                    Thread.sleep(5);
                    if (answered.get() != seen) {
                        seen = answered.get();
                        progress = System.nanoTime();
                    }
                }
                double published = k / ((System.nanoTime() - t0) / 1e9);
                double cpuPerPublishMs = (ProcessCpu.seconds(target.pid()) - publishCpu0) * 1000 / k;
                log.printf("%s: %d items published at %.0f/s (%d errors), server CPU %.3f ms per publish; settling %d s%n",
                        target.name(), k, published, errors.get(), cpuPerPublishMs, settle.toSeconds());
                Thread.sleep(settle.toMillis());
                double cpu0 = ProcessCpu.seconds(target.pid());
                AtomicLong got = new AtomicLong();
                AtomicLong first = new AtomicLong();
                AtomicLong last = new AtomicLong();
                String marker = "id='" + prefix;
                String marker2 = "id=\"" + prefix;
                XmppSession back = loops.connect(target.login(target.subscriber(0), 0)).get();
                long ready = System.nanoTime();
                back.onStanza(st -> {
                    if (st.startsWith("<message") && (st.contains(marker) || st.contains(marker2))) {
                        long now = System.nanoTime();
                        first.compareAndSet(0, now);
                        last.set(now);
                        got.incrementAndGet();
                    }
                });
                long idleLimit = TimeUnit.SECONDS.toNanos(30);
                while (got.get() < k) {
                    long lastSeen = Math.max(ready, last.get());
                    if (System.nanoTime() - lastSeen > idleLimit) {
                        log.printf("%s: nothing more after %d of %d items%n", target.name(), got.get(), k);
                        break;
                    }
                    Thread.sleep(5);
                }
                double cpu = ProcessCpu.seconds(target.pid()) - cpu0;
                long items = got.get();
                double firstMs = first.get() == 0 ? Double.NaN : (first.get() - ready) / 1e6;
                double rate = items == 0 ? 0 : items / ((last.get() - ready) / 1e9);
                f.add(target.name(), k, published, errors.get(), back.loginNanos() / 1e6, firstMs, items, rate,
                        items == 0 ? Double.NaN : cpu * 1000 / items, cpuPerPublishMs);
                log.printf("%s: backlog of %d: login %.0f ms, first item after %.0f ms, %d drained at %.0f/s, server CPU %.3f s per "
                        + "1000%n", target.name(), k, back.loginNanos() / 1e6, firstMs, items, rate, items == 0 ? Double.NaN
                        : cpu * 1000 / items);
                back.close();
                back.closed.get(15, TimeUnit.SECONDS);
                Thread.sleep(1000);
            }
            topic.tearDown(pub, node);
            Thread.sleep(500);
        }
        return f;
    }

    /** Takes whatever the subscriber's account still has stored (earlier runs) until 10 s pass without a message. */
    private void drainLeftovers(XmppLoops loops) throws Exception {
        AtomicLong got = new AtomicLong();
        AtomicLong last = new AtomicLong(System.nanoTime());
        AtomicLong first = new AtomicLong();
        XmppSession s = loops.connect(target.login(target.subscriber(0), 0)).get();
        s.onStanza(st -> {
            if (st.startsWith("<message")) {
                if (got.incrementAndGet() == 1) {
                    first.set(System.nanoTime());
                }
                last.set(System.nanoTime());
            }
        });
        while (System.nanoTime() - last.get() < TimeUnit.SECONDS.toNanos(10)) {
            Thread.sleep(100);
        }
        s.close();
        s.closed.get(15, TimeUnit.SECONDS);
        if (got.get() > 0) {
            double seconds = (last.get() - first.get()) / 1e9;
            log.printf("%s: %d messages left from earlier runs were taken first (%.0f/s from the first to the last)%n",
                    target.name(), got.get(), got.get() > 1 && seconds > 0 ? (got.get() - 1) / seconds : 0.0);
        }
        Thread.sleep(1000);
    }
}
