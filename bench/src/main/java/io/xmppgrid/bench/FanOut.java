package io.xmppgrid.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Fan-out: one publisher, N subscribers of one Topic (whitelist, members = the subscribers, items
 * persisted, IODEF payload), open-loop publishing at each offered rate in turn (the schedule does not
 * wait for answers), publish→delivery latency measured with this process's one clock (the send time
 * travels in the item id). Each step: warm-up (not recorded), then the measured window, then a short
 * drain for deliveries still under way. Stops stepping when p99 passes {@code breakMillis} or fewer
 * than 95% of the expected deliveries arrived.
 */
final class FanOut {

    static final String PS = "http://jabber.org/protocol/pubsub";
    static final Pattern ITEM = Pattern.compile("<item[^>]*?\\sid=['\"]m(\\d+)-(\\d+)['\"]");

    /** The outcome of one offered rate. */
    record Step(int offered, double published, double delivered, long expected, long received, long errors,
                Histogram latency, double cpuSeconds, double cpuPer1000) {
        double p(double percentile) {
            return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(percentile) / 1_000_000.0;
        }
    }

    private final Target target;
    private final int subscribers;
    private final Duration warmup;
    private Duration firstWarmup = Duration.ZERO;
    private final Duration window;
    private final double breakMillis;
    private final String payload;
    private final String payloadType;
    private final java.io.PrintStream log;
    private volatile int measuring = -1;
    private final Recorder recorder = new Recorder(60_000_000_000L, 3);
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();

    FanOut(Target target, int subscribers, Duration warmup, Duration window, double breakMillis, String payloadType,
           java.io.PrintStream log) throws IOException {
        this.target = target;
        this.subscribers = subscribers;
        this.warmup = warmup;
        this.window = window;
        this.breakMillis = breakMillis;
        this.payloadType = payloadType;
        this.log = log;
        try (var in = FanOut.class.getResourceAsStream("iodef-example.xml")) {
            this.payload = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }

    /** A longer warm-up before the first step (JIT compilers, connection pools, caches): not recorded. */
    FanOut firstWarmup(Duration d) {
        firstWarmup = d;
        return this;
    }

    List<Step> run(List<Integer> rates) throws Exception {
        List<XmppLoops.Login> logins = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            logins.add(target.subscriberLogin(i));
        }
        try (XmppLoops loops = new XmppLoops(target.loops());
             XmppSession pub = loops.connect(target.login(target.publisher(), subscribers)).get()) {
            List<XmppSession> subs = loops.loginAll(logins, 64);
            log.printf("%s: publisher and %d subscribers logged in%n", target.name(), subs.size());
            String node = "bench-" + UUID.randomUUID().toString().substring(0, 8);
            setUp(pub, node, subs);
            for (XmppSession s : subs) {
                s.onStanza(this::onSubscriberStanza);
            }
            pub.onStanza(st -> {
                if (st.startsWith("<iq")) {
                    answered.incrementAndGet();
                    if (st.contains("type=\"error\"") || st.contains("type='error'")) {
                        errors.incrementAndGet();
                    }
                }
            });
            if (!firstWarmup.isZero()) {
                log.printf("%s: warming up for %d s at %d/s%n", target.name(), firstWarmup.toSeconds(), rates.get(0));
                publish(pub, node, rates.get(0), firstWarmup, -1);
            }
            List<Step> steps = new ArrayList<>();
            for (int rate : rates) {
                Step s = step(pub, node, rate, steps.size());
                steps.add(s);
                log.printf("%s: offered %d/s → published %.0f/s, delivered %.0f/s (%d of %d), p50 %.1f ms, p99 %.1f ms, "
                        + "p99.9 %.1f ms, errors %d, server CPU %.3f s per 1000 deliveries%n", target.name(), rate, s.published(),
                        s.delivered(), s.received(), s.expected(), s.p(50), s.p(99), s.p(99.9), s.errors(), s.cpuPer1000());
                if (s.p(99) > breakMillis || s.received() < s.expected() * 0.95) {
                    log.printf("%s: latency broke at %d/s%n", target.name(), rate);
                    break;
                }
            }
            tearDown(pub, node);
            subs.forEach(XmppSession::close);
            Thread.sleep(500);
            return steps;
        }
    }

    private void onSubscriberStanza(String stanza) {
        if (!stanza.startsWith("<message")) {
            return;
        }
        long now = System.nanoTime();
        Matcher m = ITEM.matcher(stanza);
        while (m.find()) {
            if (Integer.parseInt(m.group(1)) == measuring) {
                recorder.recordValue(Math.max(0, now - Long.parseLong(m.group(2))));
                received.incrementAndGet();
            }
        }
    }

    /** Creates the Topic (whitelist, the subscribers as members), subscribes every subscriber, waits for all. */
    void setUp(XmppSession pub, String node, List<XmppSession> subs) throws IOException {
        String type = payloadType == null ? "" : "<field var='pubsub#type'><value>" + payloadType + "</value></field>";
        pub.write("<iq type='set' id='create' to='" + target.pubsub() + "'><pubsub xmlns='" + PS + "'><create node='" + node
                + "'/><configure><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>"
                + PS + "#node_config</value></field><field var='pubsub#access_model'><value>" + target.accessModel()
                + "</value></field><field var='pubsub#persist_items'><value>1</value></field>"
                + "<field var='pubsub#deliver_payloads'><value>1</value></field>"
                + "<field var='pubsub#max_items'><value>1000</value></field>"
                + "<field var='pubsub#notification_type'><value>normal</value></field>" + type
                + "</x></configure></pubsub></iq>");
        expectResult(pub, "create " + node);
        if (target.accessModel().equals("whitelist")) {
            StringBuilder affs = new StringBuilder();
            for (XmppSession s : subs) {
                affs.append("<affiliation jid='").append(bare(s.jid)).append("' affiliation='member'/>");
            }
            pub.write("<iq type='set' id='affs' to='" + target.pubsub() + "'><pubsub xmlns='" + PS + "#owner'><affiliations node='"
                    + node + "'>" + affs + "</affiliations></pubsub></iq>");
            expectResult(pub, "affiliations");
        }
        for (XmppSession s : subs) {
            s.write("<iq type='set' id='sub' to='" + target.pubsub() + "'><pubsub xmlns='" + PS + "'><subscribe node='" + node
                    + "' jid='" + bare(s.jid) + "'/></pubsub></iq>");
        }
        for (XmppSession s : subs) {
            expectResult(s, "subscribe " + s.jid);
        }
    }

    /** Deletes the Topic (XEP-0060 §8.4), so that runs leave no subscriptions behind; a refusal is only reported. */
    void tearDown(XmppSession pub, String node) {
        pub.onStanza(st -> { });
        pub.write("<iq type='set' id='delete' to='" + target.pubsub() + "'><pubsub xmlns='" + PS + "#owner'><delete node='" + node
                + "'/></pubsub></iq>");
    }

    private static void expectResult(XmppSession c, String what) throws IOException {
        while (true) {
            String r = c.next(what);
            if (r.startsWith("<iq")) {
                if (r.contains("type=\"result\"") || r.contains("type='result'")) {
                    return;
                }
                throw new IOException(what + " refused: " + r);
            }
        }
    }

    private Step step(XmppSession pub, String node, int rate, int stepId) throws Exception {
        publish(pub, node, rate, warmup, -1); // warm-up: not recorded
        Thread.sleep(500);
        recorder.getIntervalHistogram(); // reset
        received.set(0);
        errors.set(0);
        measuring = stepId;
        double cpu0 = target.cpuSeconds();
        long t0 = System.nanoTime();
        long sent = publish(pub, node, rate, window, stepId);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long expected = sent * subscribers;
        long drainEnd = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (received.get() < expected && System.nanoTime() < drainEnd) {
            Thread.sleep(20);
        }
        double deliveredIn = (System.nanoTime() - t0) / 1e9;
        double cpu = target.cpuSeconds() - cpu0;
        measuring = -1;
        Histogram h = recorder.getIntervalHistogram();
        long got = received.get();
        return new Step(rate, sent / elapsed, got / deliveredIn, expected, got, errors.get(), h, cpu,
                got == 0 ? Double.NaN : cpu * 1000.0 / got);
    }

    /** Publishes at {@code rate} for {@code d} on a fixed schedule; returns how many were sent. */
    long publish(XmppSession pub, String node, int rate, Duration d, int stepId) throws IOException {
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long end = start + d.toNanos();
        long next = start;
        long n = 0;
        while (next < end) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            String id = "m" + stepId + "-" + System.nanoTime();
            pub.write(publishRequest(node, id, "p" + n));
            n++;
            next += interval;
        }
        return n;
    }

    /** A publish of the IODEF payload as item {@code itemId} (which is also the report's incident id). */
    String publishRequest(String node, String itemId, String iqId) {
        return "<iq type='set' id='" + iqId + "' to='" + target.pubsub() + "'><pubsub xmlns='" + PS + "'><publish node='" + node
                + "'><item id='" + itemId + "'>" + payload.replace("INCIDENT-ID", itemId) + "</item></publish></pubsub></iq>";
    }

    private static String bare(String jid) {
        int slash = jid.indexOf('/');
        return slash < 0 ? jid : jid.substring(0, slash);
    }
}
