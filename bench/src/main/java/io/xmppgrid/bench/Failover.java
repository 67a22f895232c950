package io.xmppgrid.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A node of a cluster goes away under its platforms (issue 20): N subscribers hold sessions on the victim node, a
 * publisher on the survivor publishes at a steady rate (each publish acknowledged by the survivor), then the victim is
 * {@code kill}ed (SIGKILL of its JVM) or {@code drain}ed (the administration API: its sessions are sent away with
 * RFC 6120 §4.9.3.19 {@code <see-other-host/>}). Each subscriber behaves as a platform client does: when its stream
 * ends it logs in again at once, where {@code <see-other-host/>} says, else on the survivor, afresh (TLS, SCRAM, bind,
 * initial presence: the grid then delivers what it stored for it). Reported: when every victim stream had ended, when
 * every subscriber was bound again, when each had every publish acknowledged before it was bound again ("caught up":
 * p50, p99, all), and at the end, after publishing stopped and every delivery had time to arrive, how many
 * acknowledged publishes a subscriber never received (lost) and how many arrived twice on one stream.
 */
final class Failover {

    static final List<String> COLUMNS = List.of("event", "sessions", "items /s", "acknowledged publishes",
            "streams ended s", "all bound again s", "caught up p50 s", "caught up p99 s", "all caught up s",
            "logins retried", "lost", "twice on one stream", "publish errors", "publish answer p99 s", "publish answer max s");

    static final String NOTES = """
            Seconds from the event (SIGKILL of the victim's JVM, or the drain request). *Streams ended*: every \
            subscriber's stream to the victim had ended; *all bound again*: every subscriber had logged in again \
            (afresh: TLS, SCRAM, bind, presence), on the node `<see-other-host/>` named or on the survivor; *caught \
            up*: the subscriber had received every publish acknowledged before its new login (live before the event, \
            or stored and delivered after it). *Lost*: acknowledged publishes a subscriber never received, summed over \
            subscribers, once every publish was answered (up to 120 s after publishing stopped) and its deliveries had \
            arrived; *publish errors*: error answers and publishes never answered; *publish answer*: from a publish's \
            sending to its answer, over the whole run (the survivor's backlog while it takes the victim's platforms \
            on); *twice on one stream*: the same item delivered twice \
            to one stream (a new stream may repeat what the old one had, as RFC 6121 offline delivery allows).""";

    private static final Pattern ACK = Pattern.compile("\\sid=['\"]p(\\d+)['\"]");
    private static final Pattern OTHER_HOST = Pattern.compile("see-other-host[^>]*>([^<]+)<");

    /** One platform's view: what it received over all its streams, what the current stream brought, its timeline. */
    private final class Sub {
        final int index;
        final BitSet got = new BitSet();
        BitSet stream = new BitSet();
        BitSet need;
        volatile XmppSession session;
        long endedAt;
        long boundAt;
        long caughtAt;
        int streams = 1;
        long twice;
        String endedBy = "";

        Sub(int index) {
            this.index = index;
        }

        void onStanza(XmppSession s, String st) {
            if (st.startsWith("<bench-closed")) {
                ended(s, st);
                return;
            }
            if (!st.startsWith("<message")) {
                return;
            }
            long now = System.nanoTime();
            Matcher m = item.matcher(st);
            synchronized (this) {
                if (s != session) {
                    return; // a stream that ended already
                }
                while (m.find()) {
                    int n = Integer.parseInt(m.group(1));
                    if (stream.get(n)) {
                        twice++;
                    }
                    stream.set(n);
                    got.set(n);
                    if (need != null && need.get(n)) {
                        need.clear(n);
                        if (need.isEmpty()) {
                            caughtAt = now;
                        }
                    }
                }
            }
        }

        private void ended(XmppSession s, String why) {
            synchronized (this) {
                if (s != session) {
                    return;
                }
                session = null;
                endedAt = System.nanoTime();
                endedBy = why;
            }
            ended.incrementAndGet();
            Matcher m = OTHER_HOST.matcher(why);
            int port = target.port();
            if (m.find()) {
                String a = m.group(1).strip();
                int colon = a.lastIndexOf(':');
                if (colon > 0) {
                    // the port it names; the host as the generator reaches every node (loopback here: names such as
                    // localhost could resolve to ::1, which the sessions' 127.1.x.y source addresses cannot reach)
                    port = Integer.parseInt(a.substring(colon + 1));
                }
                redirected.incrementAndGet();
            }
            login(target.host(), port);
        }

        void login(String host, int port) {
            XmppLoops.Login l = target.login(target.subscriber(index), index);
            XmppLoops.Login there = new XmppLoops.Login(host, port, l.domain(), l.user(), l.password(), l.resource(), l.local());
            loops.connect(there).whenComplete((s, e) -> {
                if (e != null) {
                    retried.incrementAndGet();
                    timer.schedule(() -> login(host, port), 200, TimeUnit.MILLISECONDS);
                    return;
                }
                long now = System.nanoTime();
                BitSet before;
                synchronized (acked) {
                    before = (BitSet) acked.clone();
                }
                synchronized (this) {
                    session = s;
                    streams++;
                    stream = new BitSet();
                    boundAt = now;
                    before.andNot(got);
                    need = before;
                    if (need.isEmpty()) {
                        caughtAt = now;
                    }
                }
                bound.incrementAndGet();
                s.onStanza(st -> onStanza(s, st));
            });
        }
    }

    /** Item ids of this run (another run's stored leftovers do not count). */
    private final String itemPrefix = "f" + Long.toString(System.currentTimeMillis() % 1_000_000, 36) + "-";
    private final Pattern item = Pattern.compile("<item[^>]*?\\sid=['\"]" + itemPrefix + "(\\d+)['\"]");
    private final Target target;
    private final FanOut topic;
    private final String event;
    private final int subscribers;
    private final int victimPort;
    private final int rate;
    private final Duration before;
    private final Duration after;
    private final String api;
    private final Path tokenFile;
    private final String victimName;
    private final PrintStream log;
    private final BitSet acked = new BitSet();
    /** When each publish was sent (nanoTime), by its sequence number; and how long its answer took. */
    private long[] sentAt;
    private final org.HdrHistogram.Histogram answerNanos = new org.HdrHistogram.Histogram(3_600_000_000_000L, 3);
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicInteger ended = new AtomicInteger();
    private final AtomicInteger bound = new AtomicInteger();
    private final AtomicInteger redirected = new AtomicInteger();
    private final AtomicInteger retried = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-relogin");
        t.setDaemon(true);
        return t;
    });
    private XmppLoops loops;

    Failover(Target target, FanOut topic, String event, int subscribers, int victimPort, int rate, Duration before,
             Duration after, String api, Path tokenFile, String victimName, PrintStream log) {
        if (!event.equals("kill") && !event.equals("drain")) {
            throw new IllegalArgumentException("--event kill|drain, not " + event);
        }
        this.target = target;
        this.topic = topic;
        this.event = event;
        this.subscribers = subscribers;
        this.victimPort = victimPort;
        this.rate = rate;
        this.before = before;
        this.after = after;
        this.api = api;
        this.tokenFile = tokenFile;
        this.victimName = victimName;
        this.log = log;
    }

    Figures run() throws Exception {
        long victimPid = ProcessCpu.listening(victimPort);
        if (event.equals("kill") && victimPid == 0) {
            throw new IOException("no process listens on " + victimPort);
        }
        List<Sub> subs = new ArrayList<>();
        List<XmppLoops.Login> logins = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            subs.add(new Sub(i));
            XmppLoops.Login l = target.login(target.subscriber(i), i);
            logins.add(new XmppLoops.Login(l.host(), victimPort, l.domain(), l.user(), l.password(), l.resource(), l.local()));
        }
        try (XmppLoops l = new XmppLoops(target.loops());
             XmppSession pub = l.connect(target.login(target.publisher(), subscribers)).get()) {
            loops = l;
            List<XmppSession> sessions = l.loginAll(logins, 64);
            String node = "failover-" + UUID.randomUUID().toString().substring(0, 8);
            topic.setUp(pub, node, sessions);
            for (int i = 0; i < subscribers; i++) {
                Sub s = subs.get(i);
                XmppSession x = sessions.get(i);
                s.session = x;
                x.onStanza(st -> s.onStanza(x, st));
            }
            pub.onStanza(st -> {
                if (!st.startsWith("<iq")) {
                    return;
                }
                Matcher m = ACK.matcher(st);
                if (!m.find()) {
                    return;
                }
                int n = Integer.parseInt(m.group(1));
                answered.incrementAndGet();
                synchronized (answerNanos) {
                    answerNanos.recordValue(Math.max(0, System.nanoTime() - sentAt[n]));
                }
                if (st.contains("type=\"error\"") || st.contains("type='error'")) {
                    errors.incrementAndGet();
                    return;
                }
                synchronized (acked) {
                    acked.set(n);
                }
            });
            log.printf("%s: %d subscribers on port %d, publisher on %d, %d items/s; %s in %d s%n", event, subscribers,
                    victimPort, target.port(), rate, event, before.toSeconds());
            AtomicInteger seq = new AtomicInteger();
            sentAt = new long[(int) ((before.toSeconds() + after.toSeconds() + 2) * rate)];
            long start = System.nanoTime();
            long eventAt = start + before.toNanos();
            long stopAt = eventAt + after.toNanos();
            Thread publisher = new Thread(() -> publish(pub, node, seq, start, stopAt), "bench-publisher");
            publisher.start();
            LockSupport.parkNanos(eventAt - System.nanoTime());
            long t0 = System.nanoTime();
            if (event.equals("kill")) {
                ProcessHandle.of(victimPid).ifPresent(ProcessHandle::destroyForcibly);
                log.printf("kill: SIGKILL to %d (the JVM listening on %d)%n", victimPid, victimPort);
            } else {
                Thread drain = new Thread(() -> {
                    try {
                        int code = post("/cluster/nodes/" + victimName + "/drain");
                        log.printf("drain: POST /cluster/nodes/%s/drain answered %d after %.2f s%n", victimName, code,
                                (System.nanoTime() - t0) / 1e9);
                    } catch (IOException | InterruptedException e) {
                        log.printf("drain: POST /cluster/nodes/%s/drain failed: %s%n", victimName, e);
                    }
                }, "bench-drain");
                drain.setDaemon(true);
                drain.start();
            }
            long allEnded = 0;
            long allBound = 0;
            int lastSecond = -1;
            while (System.nanoTime() < stopAt) {
                long now = System.nanoTime();
                if (allEnded == 0 && ended.get() >= subscribers) {
                    allEnded = now;
                }
                if (allEnded != 0 && allBound == 0 && bound.get() >= subscribers) {
                    allBound = now;
                }
                int second = (int) ((now - t0) / 1_000_000_000L);
                if (second != lastSecond && second % 5 == 0) {
                    lastSecond = second;
                    log.printf("  +%3d s: %d streams ended (%d redirected), %d bound again, %d caught up%n", second,
                            ended.get(), redirected.get(), bound.get(), caughtUp(subs));
                }
                Thread.sleep(20);
            }
            publisher.join();
            log.printf("%s: publishing stopped (%d sent, %d answered); waiting for the other answers and the last deliveries%n",
                    event, seq.get(), answered.get());
            long quiet = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < quiet && (answered.get() < seq.get() || lost(subs) > 0)) {
                Thread.sleep(200);
            }
            Thread.sleep(2000); // anything still arriving twice
            int published;
            synchronized (acked) {
                published = acked.cardinality();
            }
            long[] caught = new long[subscribers];
            int notCaught = 0;
            long twice = 0;
            int maxStreams = 0;
            for (int i = 0; i < subscribers; i++) {
                Sub s = subs.get(i);
                synchronized (s) {
                    caught[i] = s.caughtAt == 0 ? Long.MAX_VALUE : s.caughtAt - t0;
                    notCaught += s.caughtAt == 0 ? 1 : 0;
                    twice += s.twice;
                    maxStreams = Math.max(maxStreams, s.streams);
                }
            }
            Arrays.sort(caught);
            long lost = lost(subs);
            log.printf("%s: %d acknowledged publishes; %d of %d streams ended, %d sent elsewhere by the server; "
                            + "%d subscribers never caught up; lost %d, twice on one stream %d; up to %d streams per subscriber%n",
                    event, published, ended.get(), subscribers, redirected.get(), notCaught, lost, twice, maxStreams);
            for (Sub s : subs) {
                synchronized (s) {
                    if (s.caughtAt == 0 || lostOf(s) > 0) {
                        log.printf("  %s: ended by %s; missing %s%n", target.subscriber(s.index), s.endedBy, missing(s));
                        break; // one example is enough for the log
                    }
                }
            }
            for (Sub s : subs) {
                XmppSession x = s.session;
                if (x != null) {
                    x.close();
                }
            }
            topic.tearDown(pub, node);
            if (event.equals("drain")) {
                log.printf("drain: POST /cluster/nodes/%s/serve answered %d%n", victimName,
                        post("/cluster/nodes/" + victimName + "/serve"));
            }
            Thread.sleep(500);
            Figures f = new Figures(COLUMNS);
            double answerP99;
            double answerMax;
            synchronized (answerNanos) {
                answerP99 = answerNanos.getValueAtPercentile(99) / 1e9;
                answerMax = answerNanos.getMaxValue() / 1e9;
            }
            f.add(event, subscribers, rate, published, seconds(allEnded, t0), seconds(allBound, t0),
                    seconds(caught[subscribers / 2]), seconds(caught[Math.min(subscribers - 1, (int) (subscribers * 0.99))]),
                    seconds(caught[subscribers - 1]), retried.get(), lost, twice, errors.get() + (seq.get() - answered.get()),
                    answerP99, answerMax);
            return f;
        } finally {
            timer.shutdownNow();
        }
    }

    private void publish(XmppSession pub, String node, AtomicInteger seq, long start, long stopAt) {
        long interval = 1_000_000_000L / rate;
        long next = start;
        while (next < stopAt) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int n = seq.getAndIncrement();
            sentAt[n] = System.nanoTime();
            pub.write(topic.publishRequest(node, itemPrefix + n, "p" + n));
            next += interval;
        }
    }

    private long caughtUp(List<Sub> subs) {
        return subs.stream().filter(s -> {
            synchronized (s) {
                return s.caughtAt != 0;
            }
        }).count();
    }

    /** Acknowledged publishes a subscriber has not received (yet), over all subscribers. */
    private long lost(List<Sub> subs) {
        long n = 0;
        for (Sub s : subs) {
            synchronized (s) {
                n += lostOf(s);
            }
        }
        return n;
    }

    private long lostOf(Sub s) {
        return missingOf(s).cardinality();
    }

    /** Acknowledged publishes the subscriber has not received (yet); call holding its lock. */
    private BitSet missingOf(Sub s) {
        BitSet m;
        synchronized (acked) {
            m = (BitSet) acked.clone();
        }
        m.andNot(s.got);
        return m;
    }

    private String missing(Sub s) {
        BitSet m = missingOf(s);
        return m.stream().limit(10).mapToObj(i -> itemPrefix + i).toList() + (m.cardinality() > 10 ? " …" : "");
    }

    private int post(String path) throws IOException, InterruptedException {
        String token = Files.readString(tokenFile).strip();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(90))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }

    private static double seconds(long at, long t0) {
        return at == 0 ? Double.NaN : (at - t0) / 1e9;
    }

    private static double seconds(long nanos) {
        return nanos == Long.MAX_VALUE ? Double.NaN : nanos / 1e9;
    }
}
