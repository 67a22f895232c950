package io.xmppgrid.ejb.warmup;

import io.xmppgrid.ejb.AdminException;
import io.xmppgrid.ejb.GridSettings;
import io.xmppgrid.ejb.PlatformAdmin;
import io.xmppgrid.ejb.audit.AuditLog;
import io.xmppgrid.ejb.pubsub.BrokerSettings;
import io.xmppgrid.persistence.AuditEntry;
import io.xmppgrid.xmpp.XmlElement;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.EJB;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jboss.logging.Logger;

/**
 * The node's warm-up (issue 22): before it reports ready, it sends itself synthetic traffic through the real path —
 * TLS over loopback, SCRAM, the stream parser, the stanza beans, the broker, IODEF validation, JPA and the audit chain,
 * the fan-out to sessions with XEP-0198 — until the JIT compilers have settled, so that the first platforms a load
 * balancer sends it meet compiled code. While it runs, {@code /grid-health/ready} answers 503 with {@code
 * "xmpp":"warming"}, the cluster does not send sessions here ({@code <see-other-host/>} and balancing skip the node),
 * and platforms that connect anyway are served as always.
 *
 * <p>The traffic comes from a platform of its own, {@code grid-warmup-<node>} (role template {@code trusted}), with a
 * new random password for each run and disabled once it is over, so nothing can log in as it between runs: one
 * publisher resource and {@code grid.warmup.subscribers} (default 50) subscriber resources, a whitelist Topic of the
 * same name deleted at the end, publishes kept {@value #WINDOW} in flight. Publishes are audited like any platform's;
 * one {@code grid.warmup} entry sums the run up.
 *
 * <p>Settings: {@code grid.warmup.seconds} (default 60; 0 turns the warm-up off): the longest it may last;
 * {@code grid.warmup.minSeconds} (10): the shortest. In between it stops once the JIT compilers have spent less than
 * {@value #SETTLED_PERCENT}% of the time compiling over the last {@value #SETTLED_INTERVALS} intervals of
 * {@value #INTERVAL_MILLIS} ms. A failure (the listener not reached, a login refused) ends it at once, logged; the node
 * then reports ready as if there were no warm-up: the warm-up never keeps a node from serving.
 */
@Singleton
@Startup
@DependsOn("GridStartup")
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class WarmUp {

    private static final Logger LOG = Logger.getLogger(WarmUp.class);
    private static final String PUBSUB = "http://jabber.org/protocol/pubsub";
    private static final String OWNER = PUBSUB + "#owner";
    private static final String IODEF = "urn:ietf:params:xml:ns:iodef-2.0";
    static final int WINDOW = 16;
    static final int INTERVAL_MILLIS = 2000;
    static final int SETTLED_INTERVALS = 3;
    static final int SETTLED_PERCENT = 3;
    /** Set from the start when a warm-up will run at deployment, so the node never looks ready before it. */
    private static final AtomicBoolean RUNNING = new AtomicBoolean(startupSeconds() > 0);

    /** What a run did: how long, what it sent and received, why it stopped. */
    public record Report(String platform, long millis, long publishes, long deliveries, long expected, long compileMillis,
                         long lastCompilePercent, String ended,
                         boolean failed) {
    }

    @EJB
    private PlatformAdmin platforms;

    @EJB
    private AuditLog audit;

    @Resource
    private ManagedExecutorService executor;

    @Resource
    private ManagedThreadFactory threads;

    /** Whether a warm-up runs on this node now (the node is then not ready). */
    public static boolean warming() {
        return RUNNING.get();
    }

    private static int startupSeconds() {
        return Integer.getInteger("grid.warmup.seconds", 60);
    }

    @PostConstruct
    void start() {
        int seconds = startupSeconds();
        if (seconds <= 0) {
            LOG.info("GRID0940: no warm-up (grid.warmup.seconds=0): the node reports ready at once");
            return;
        }
        RUNNING.set(true);
        try {
            executor.submit(() -> {
                try {
                    run(seconds);
                } finally {
                    RUNNING.set(false);
                }
            });
        } catch (RuntimeException e) {
            RUNNING.set(false);
            LOG.warnf("GRID0943: the warm-up was not started (%s); the node serves without it", e.toString());
        }
    }

    /**
     * Runs a warm-up now for at most {@code seconds} (an administrator's request; the API waits for it).
     *
     * @throws AdminException CONFLICT when one runs already
     */
    public Report warmUpNow(int seconds) {
        if (seconds < 1 || seconds > 600) {
            throw new AdminException(AdminException.Reason.INVALID, "a warm-up lasts 1 to 600 seconds");
        }
        if (!RUNNING.compareAndSet(false, true)) {
            throw new AdminException(AdminException.Reason.CONFLICT, "a warm-up runs on this node already");
        }
        try {
            return run(seconds);
        } finally {
            RUNNING.set(false);
        }
    }

    private Report run(int maxSeconds) {
        long began = System.nanoTime();
        int minSeconds = Math.min(maxSeconds, Integer.getInteger("grid.warmup.minSeconds", 10));
        int subscribers = Math.max(1, Math.min(500, Integer.getInteger("grid.warmup.subscribers", 50)));
        String node = System.getProperty("jboss.node.name", "node");
        String user = "grid-warmup-" + node.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
        LOG.infof("GRID0941: warm-up of %s starts: %d subscribers, %d to %d s, through this node's listener as %s",
                node, subscribers, minSeconds, maxSeconds, user);
        Traffic t = new Traffic(user, subscribers);
        Report report;
        try {
            String password = credentials(user);
            t.open(password);
            report = t.load(began, minSeconds, maxSeconds);
        } catch (IOException | RuntimeException e) {
            report = new Report(user, millisSince(began), t.published.get(), t.delivered.get(), t.published.get() * subscribers, 0, -1,
                    e.getMessage() == null ? e.toString() : e.getMessage(), true);
        } finally {
            t.close();
            try {
                platforms.disable(user);
                platforms.dropStoredMessages(user); // notifications that met its closing sessions
            } catch (RuntimeException e) {
                LOG.warnf("GRID0943: the warm-up platform %s was not disabled: %s", user, e.toString());
            }
        }
        String summary = String.format("%d ms, %d publishes, %d of %d deliveries, JIT compiling %d ms (%d%% of the last %d s): %s",
                report.millis(), report.publishes(), report.deliveries(), report.expected(), report.compileMillis(),
                report.lastCompilePercent(), SETTLED_INTERVALS * INTERVAL_MILLIS / 1000, report.ended());
        if (report.failed()) {
            LOG.warnf("GRID0943: warm-up of %s ended early (%s); the node serves without it", node, summary);
        } else {
            LOG.infof("GRID0942: warm-up of %s done: %s", node, summary);
        }
        try {
            audit.recordSeparately(AuditEntry.Kind.SYSTEM, node, "grid.warmup", user, report.failed() ? "failed" : "ok",
                    summary, null);
        } catch (RuntimeException e) {
            LOG.warnf("GRID0943: the warm-up of %s was not audited: %s", node, e.toString());
        }
        return report;
    }

    /** The warm-up platform, enabled with a new random password (created at the first run). */
    private String credentials(String user) {
        byte[] r = new byte[24];
        new SecureRandom().nextBytes(r);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(r);
        try {
            try {
                platforms.createPlatform(user, password, "trusted");
            } catch (AdminException e) {
                if (e.reason() != AdminException.Reason.NOT_FOUND) {
                    throw e;
                }
                platforms.createPlatform(user, password); // the trusted template was deleted: the default role
            }
        } catch (AdminException e) {
            if (e.reason() != AdminException.Reason.CONFLICT) {
                throw e;
            }
            platforms.setPassword(user, password);
            platforms.enable(user);
        }
        // what earlier runs left stored would come first at login, ahead of every answer the warm-up waits for
        int dropped = platforms.dropStoredMessages(user);
        if (dropped > 0) {
            LOG.infof("GRID0941: %d messages stored for %s by earlier warm-ups dropped", dropped, user);
        }
        return password;
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    /** The sessions of one run and what they counted. */
    private final class Traffic {
        private final String user;
        private final int subscribers;
        private final String topic;
        private final String service = BrokerSettings.serviceAddress().toString();
        private final List<LoopbackSession> sessions = new ArrayList<>();
        private final ConcurrentHashMap<String, java.util.concurrent.CompletableFuture<XmlElement>> answers =
                new ConcurrentHashMap<>();
        private final Semaphore window = new Semaphore(WINDOW);
        private final AtomicLong published = new AtomicLong();
        private final AtomicLong refused = new AtomicLong();
        private final AtomicLong delivered = new AtomicLong();
        private final AtomicReference<String> failure = new AtomicReference<>();
        private LoopbackSession publisher;

        Traffic(String user, int subscribers) {
            this.user = user;
            this.subscribers = subscribers;
            this.topic = user;
        }

        void open(String password) throws IOException {
            SSLContext tls = tls();
            InetSocketAddress listener = listener();
            String domain = GridSettings.domain();
            publisher = firstConnect(listener, domain, tls, password);
            ask(publisher, "delete", "<pubsub xmlns='" + OWNER + "'><delete node='" + topic + "'/></pubsub>", false);
            ask(publisher, "create", "<pubsub xmlns='" + PUBSUB + "'><create node='" + topic + "'/><configure>"
                    + "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>" + PUBSUB
                    + "#node_config</value></field><field var='pubsub#access_model'><value>whitelist</value></field>"
                    + "<field var='pubsub#persist_items'><value>1</value></field><field var='pubsub#max_items'><value>"
                    + "100</value></field><field var='pubsub#type'><value>" + IODEF + "</value></field></x></configure>"
                    + "</pubsub>", true);
            for (int i = 0; i < subscribers; i++) {
                LoopbackSession s = connect(listener, domain, tls, password, "s" + i);
                ask(s, "subscribe", "<pubsub xmlns='" + PUBSUB + "'><subscribe node='" + topic + "' jid='" + user + "@"
                        + domain + "/s" + i + "'/></pubsub>", true);
            }
        }

        /** The listener may not be up yet at deployment: tried for 30 s. */
        private LoopbackSession firstConnect(InetSocketAddress listener, String domain, SSLContext tls, String password)
                throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    return connect(listener, domain, tls, password, "publisher");
                } catch (java.net.ConnectException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("the listener " + listener + " was not reached in 30 s: " + e.getMessage(), e);
                    }
                    sleep(250);
                }
            }
        }

        private LoopbackSession connect(InetSocketAddress listener, String domain, SSLContext tls, String password,
                                        String resource) throws IOException {
            LoopbackSession s = LoopbackSession.open(listener, domain, tls, user, password, resource);
            sessions.add(s);
            s.start(threads, this::answer, delivered::incrementAndGet, e -> failure.compareAndSet(null,
                    resource + ": " + e.getMessage()));
            return s;
        }

        private void answer(XmlElement e) {
            String id = e.attribute("id");
            if (e.name().equals("iq") && id != null) {
                java.util.concurrent.CompletableFuture<XmlElement> f = answers.remove(id);
                if (f != null) {
                    f.complete(e);
                } else if (id.startsWith("p")) { // a publish
                    if ("error".equals(e.attribute("type"))) {
                        refused.incrementAndGet();
                        failure.compareAndSet(null, "a publish was refused: " + e);
                    }
                    window.release();
                }
            }
        }

        /** Sends an IQ to the broker and waits for its answer (10 s); {@code required}: an error answer fails. */
        private void ask(LoopbackSession s, String id, String payload, boolean required) throws IOException {
            java.util.concurrent.CompletableFuture<XmlElement> f = new java.util.concurrent.CompletableFuture<>();
            answers.put(id, f);
            s.send("<iq type='set' id='" + id + "' to='" + service + "'>" + payload + "</iq>");
            XmlElement answer;
            try {
                answer = f.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IOException("no answer to " + id + " within 10 s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException(e.getCause());
            } finally {
                answers.remove(id);
            }
            if (required && !"result".equals(answer.attribute("type"))) {
                throw new IOException(id + " refused: " + answer);
            }
        }

        /** Publishes until the compilers settle or time is up. */
        Report load(long began, int minSeconds, int maxSeconds) throws IOException {
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
            long compileStart = timed ? jit.getTotalCompilationTime() : 0;
            long lastCompile = compileStart;
            long[] recent = new long[SETTLED_INTERVALS]; // compile time of the last intervals, for the report
            long nextCheck = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);
            int quiet = 0;
            String ended = "time limit of " + maxSeconds + " s";
            String document = document();
            long n = 0;
            while (true) {
                if (failure.get() != null) {
                    throw new IOException(failure.get());
                }
                long now = System.nanoTime();
                if (now >= nextCheck) {
                    nextCheck = now + TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);
                    long compile = timed ? jit.getTotalCompilationTime() : 0;
                    quiet = timed && (compile - lastCompile) * 100 < (long) INTERVAL_MILLIS * SETTLED_PERCENT ? quiet + 1 : 0;
                    System.arraycopy(recent, 1, recent, 0, recent.length - 1);
                    recent[recent.length - 1] = compile - lastCompile;
                    lastCompile = compile;
                    long elapsed = TimeUnit.NANOSECONDS.toSeconds(now - began);
                    if (elapsed >= maxSeconds) {
                        break;
                    }
                    if (elapsed >= minSeconds && quiet >= SETTLED_INTERVALS) {
                        ended = "the JIT compilers settled";
                        break;
                    }
                }
                try {
                    if (!window.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                        continue;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
                publisher.send("<iq type='set' id='p" + (n++) + "' to='" + service + "'><pubsub xmlns='" + PUBSUB
                        + "'><publish node='" + topic + "'><item>" + document + "</item></publish></pubsub></iq>");
                published.incrementAndGet();
            }
            // what is in flight arrives, so that every delivery was made (and acknowledged) before the node is ready
            try {
                window.tryAcquire(WINDOW, 10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
            long accepted = published.get() - refused.get();
            long expected = accepted * subscribers;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (delivered.get() < expected && System.nanoTime() < deadline && failure.get() == null) {
                sleep(50);
            }
            long notified = delivered.get(); // before the deletion, which notifies every subscriber (XEP-0060 §8.4.3)
            ask(publisher, "delete", "<pubsub xmlns='" + OWNER + "'><delete node='" + topic + "'/></pubsub>", true);
            long compileMillis = timed ? jit.getTotalCompilationTime() - compileStart : -1;
            long lastPercent = timed ? java.util.Arrays.stream(recent).sum() * 100 / ((long) INTERVAL_MILLIS * SETTLED_INTERVALS) : -1;
            boolean complete = notified == expected && failure.get() == null;
            return new Report(user, millisSince(began), published.get(), notified, expected, compileMillis, lastPercent,
                    complete ? ended : failure.get() != null ? failure.get() : notified + " notifications of " + expected, !complete);
        }

        void close() {
            for (LoopbackSession s : sessions) {
                s.close();
            }
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The synthetic IODEF report every warm-up publish carries (about the size of a real one). */
    static String document() {
        try (InputStream in = WarmUp.class.getResourceAsStream("incident.xml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("the warm-up document is missing from the grid-ejb jar", e);
        }
    }

    /** This node's listener over loopback when it listens on every address, else its bind address. */
    private static InetSocketAddress listener() {
        String bind = System.getProperty("grid.bindAddress", "0.0.0.0").trim();
        int port = Integer.parseInt(System.getProperty("grid.starttlsPort", "5222").trim());
        String host = bind.isEmpty() || bind.equals("0.0.0.0") ? "127.0.0.1" : bind.equals("::") ? "::1" : bind;
        return new InetSocketAddress(host, port);
    }

    /** TLS that trusts the grid CA only (the node's own certificate is issued by it). */
    private static SSLContext tls() throws IOException {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            byte[] pem = Files.readAllBytes(GridSettings.tlsDirectory()
                    .resolve(io.xmppgrid.security.GridKeyMaterial.CA_PEM));
            int i = 0;
            for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem))) {
                trust.setCertificateEntry("grid-ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("the grid CA could not be trusted: " + e.getMessage(), e);
        }
    }
}
