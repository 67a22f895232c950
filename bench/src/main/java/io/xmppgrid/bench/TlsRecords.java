package io.xmppgrid.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * What one TLS record costs the server's CPU (issue 22): a server and a client {@link SSLEngine} of
 * this JVM, joined in memory (no sockets, so only the record layer is measured), with the node's
 * own key ({@code server.p12}). Per cipher suite and plaintext size: the server's CPU per
 * {@code wrap} (a notification to one subscriber is one record) and per {@code unwrap} of a small
 * record (a client's XEP-0198 {@code <a/>}), measured on this thread's CPU clock after a warm-up.
 * The controller's TLS layer is the JDK's own, so whatever suite is cheaper here is cheaper there,
 * and channel binding (tls-server-end-point, tls-exporter) is the same for every suite.
 */
final class TlsRecords {

    static final String DEFAULT_SUITES = "TLS_AES_256_GCM_SHA384,TLS_AES_128_GCM_SHA256,TLS_CHACHA20_POLY1305_SHA256,"
            + "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final byte[] ACK = "<a xmlns='urn:xmpp:sm:3' h='4711'/>".getBytes(StandardCharsets.UTF_8);

    private TlsRecords() {
    }

    static int run(Map<String, String> o, PrintStream out) throws Exception {
        Path p12 = Path.of(o.getOrDefault("keystore", "config/target/node/data/grid/tls/server.p12"));
        Path pwFile = Path.of(o.getOrDefault("password-file", p12.resolveSibling("keystore.password").toString()));
        char[] password = Files.readString(pwFile).strip().toCharArray();
        List<String> suites = Arrays.stream(o.getOrDefault("suites", DEFAULT_SUITES).split(",")).map(String::strip).toList();
        List<Integer> sizes = Arrays.stream(o.getOrDefault("sizes", "1200,4800,16000").split(","))
                .map(String::strip).map(Integer::parseInt).toList();
        double seconds = Double.parseDouble(o.getOrDefault("seconds", "2"));
        int rounds = Integer.parseInt(o.getOrDefault("rounds", "3"));
        // a server has one engine per connection: with many, each record finds its engine's state out of the caches
        int engines = Integer.parseInt(o.getOrDefault("engines", "1"));
        // --direct: records are encrypted into a direct buffer (what a socket write takes without a copy)
        boolean direct = Boolean.parseBoolean(o.getOrDefault("direct", "false"));

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(p12)) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        SSLContext client = XmppLoops.TLS; // the generator's client context: the server's certificate is not what is measured

        StringBuilder md = new StringBuilder();
        md.append("# TLS record cost ").append(stamp(o)).append("\n\n");
        md.append("JVM: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version"))
                .append(", ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs; key: ")
                .append(p12).append("; ").append(engines).append(" connections (engine pairs) taken in turn; records into ")
                .append(direct ? "a direct" : "a heap").append(" buffer; ")
                .append(rounds).append(" rounds of ").append(seconds)
                .append(" s per cell, the median round. The server's CPU (this thread's clock) per record it encrypts "
                        + "(wrap, one notification to one subscriber) and per small record it decrypts (unwrap of a "
                        + "client's `<a/>`, 35 bytes).\n\n");
        md.append("| suite | protocol | plaintext bytes | wrap µs / record | wrap MB/s | unwrap µs / ack |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (String suite : suites) {
            String protocol = suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_") ? "TLSv1.3" : "TLSv1.2";
            Pairs pair;
            try {
                List<Pair> list = new ArrayList<>(engines);
                for (int i = 0; i < engines; i++) {
                    list.add(Pair.handshake(server, client, suite, protocol, direct));
                }
                pair = new Pairs(list);
            } catch (SSLException | IllegalArgumentException e) {
                md.append("| ").append(suite).append(" | ").append(protocol).append(" | – | not negotiated with this key: ")
                        .append(e.getMessage()).append(" | | |\n");
                out.println(suite + ": not negotiated (" + e.getMessage() + ")");
                continue;
            }
            for (int size : sizes) {
                double[] wrap = new double[rounds];
                double[] unwrap = new double[rounds];
                for (int w = 0; w < 3; w++) { // warm-up: the JIT compiles this size's path, the heap settles
                    pair.wrapNanos(size, seconds);
                    pair.unwrapNanos(seconds);
                }
                for (int r = 0; r < rounds; r++) {
                    wrap[r] = pair.wrapNanos(size, seconds);
                    unwrap[r] = pair.unwrapNanos(seconds);
                }
                double w = median(wrap) / 1000.0;
                double u = median(unwrap) / 1000.0;
                String row = String.format(java.util.Locale.ROOT, "| %s | %s | %d | %.2f | %.0f | %.2f |", suite,
                        pair.protocol(), size, w, size / w, u);
                md.append(row).append('\n');
                out.println(row);
            }
        }
        Path dir = Path.of(o.getOrDefault("out", "bench/results"));
        Files.createDirectories(dir);
        Path report = dir.resolve(stamp(o) + "-tls.md");
        Files.writeString(report, md);
        out.println("report: " + report);
        return 0;
    }

    private static String stamp(Map<String, String> o) {
        return o.computeIfAbsent("stamp", k -> LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** Connections taken in turn, a record each, as a fan-out writes one notification to each subscriber. */
    private record Pairs(List<Pair> all) {
        String protocol() {
            return all.get(0).protocol();
        }

        double wrapNanos(int size, double seconds) throws SSLException {
            byte[] plain = new byte[size];
            Arrays.fill(plain, (byte) 'x');
            long until = System.nanoTime() + (long) (seconds * 1e9);
            long n = 0;
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            while (n % all.size() != 0 || (n & 63) != 0 || System.nanoTime() < until) {
                all.get((int) (n % all.size())).wrap(plain);
                n++;
            }
            return (double) (THREADS.getCurrentThreadCpuTime() - cpu0) / n;
        }

        /**
         * CPU nanoseconds per server unwrap of one small record. The clients encrypt a batch first
         * (their cost is not counted), then the servers decrypt them on the clock.
         */
        double unwrapNanos(double seconds) throws SSLException {
            long until = System.nanoTime() + (long) (seconds * 1e9);
            long n = 0;
            long cpu = 0;
            int batch = Math.max(256, all.size());
            List<ByteBuffer> records = new ArrayList<>(batch);
            while (System.nanoTime() < until) {
                records.clear();
                for (int i = 0; i < batch; i++) {
                    records.add(all.get(i % all.size()).clientRecord());
                }
                long cpu0 = THREADS.getCurrentThreadCpuTime();
                for (int i = 0; i < batch; i++) {
                    all.get(i % all.size()).unwrap(records.get(i));
                }
                cpu += THREADS.getCurrentThreadCpuTime() - cpu0;
                n += batch;
            }
            return (double) cpu / n;
        }
    }

    /** A server and a client engine with a completed handshake, and buffers sized for full records. */
    private record Pair(SSLEngine server, SSLEngine client, ByteBuffer net, ByteBuffer app) {

        static Pair handshake(SSLContext serverCtx, SSLContext clientCtx, String suite, String protocol, boolean direct)
                throws SSLException {
            SSLEngine s = serverCtx.createSSLEngine();
            s.setUseClientMode(false);
            s.setEnabledProtocols(new String[] {protocol});
            s.setEnabledCipherSuites(new String[] {suite});
            SSLEngine c = clientCtx.createSSLEngine("localhost", 5222);
            c.setUseClientMode(true);
            c.setEnabledProtocols(new String[] {protocol});
            c.setEnabledCipherSuites(new String[] {suite});
            int netSize = Math.max(s.getSession().getPacketBufferSize(), c.getSession().getPacketBufferSize());
            int appSize = Math.max(s.getSession().getApplicationBufferSize(), c.getSession().getApplicationBufferSize());
            ByteBuffer cToS = ByteBuffer.allocate(netSize * 4);
            ByteBuffer sToC = ByteBuffer.allocate(netSize * 4);
            ByteBuffer app = ByteBuffer.allocate(appSize * 2);
            ByteBuffer empty = ByteBuffer.allocate(0);
            c.beginHandshake();
            s.beginHandshake();
            for (int i = 0; i < 1000 && !(done(c) && done(s)); i++) {
                step(c, empty, cToS, sToC, app);
                step(s, empty, sToC, cToS, app);
            }
            if (!(done(c) && done(s))) {
                throw new SSLException("handshake did not complete");
            }
            if (!s.getSession().getCipherSuite().equals(suite)) {
                throw new SSLException("negotiated " + s.getSession().getCipherSuite());
            }
            // TLS 1.3: the server's session tickets may still be in flight; let the client read them
            sToC.clear();
            return new Pair(s, c, direct ? ByteBuffer.allocateDirect(netSize * 2) : ByteBuffer.allocate(netSize * 2),
                    ByteBuffer.allocate(appSize * 2));
        }

        private static boolean done(SSLEngine e) {
            SSLEngineResult.HandshakeStatus hs = e.getHandshakeStatus();
            return hs == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || hs == SSLEngineResult.HandshakeStatus.FINISHED;
        }

        /** One engine's turn: run its tasks, write what it wants to, read what the other wrote to it. */
        private static void step(SSLEngine e, ByteBuffer empty, ByteBuffer outgoing, ByteBuffer incoming, ByteBuffer app)
                throws SSLException {
            while (true) {
                SSLEngineResult.HandshakeStatus hs = e.getHandshakeStatus();
                if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    Runnable t;
                    while ((t = e.getDelegatedTask()) != null) {
                        t.run();
                    }
                } else if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                    e.wrap(empty, outgoing);
                } else if (hs == SSLEngineResult.HandshakeStatus.NEED_UNWRAP
                        || hs == SSLEngineResult.HandshakeStatus.NEED_UNWRAP_AGAIN) {
                    incoming.flip();
                    SSLEngineResult r = e.unwrap(incoming, app);
                    incoming.compact();
                    app.clear();
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
                            || (r.bytesConsumed() == 0 && r.getHandshakeStatus() == hs)) {
                        return;
                    }
                } else {
                    return;
                }
            }
        }

        String protocol() {
            return server.getSession().getProtocol();
        }

        /** The server encrypts {@code plain} (one record when it fits). */
        void wrap(byte[] plain) throws SSLException {
            ByteBuffer src = ByteBuffer.wrap(plain);
            while (src.hasRemaining()) {
                net.clear();
                SSLEngineResult r = server.wrap(src, net);
                if (r.getStatus() != SSLEngineResult.Status.OK) {
                    throw new SSLException("wrap: " + r);
                }
            }
        }

        /** A client's {@code <a/>}, encrypted. */
        ByteBuffer clientRecord() throws SSLException {
            net.clear();
            client.wrap(ByteBuffer.wrap(ACK), net);
            net.flip();
            ByteBuffer copy = ByteBuffer.allocate(net.remaining());
            copy.put(net).flip();
            return copy;
        }

        void unwrap(ByteBuffer record) throws SSLException {
            app.clear();
            SSLEngineResult r = server.unwrap(record, app);
            if (r.getStatus() != SSLEngineResult.Status.OK) {
                throw new SSLException("unwrap: " + r);
            }
        }
    }
}
