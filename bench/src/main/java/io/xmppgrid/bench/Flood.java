package io.xmppgrid.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;

/**
 * Issue 18, "seen from outside": unauthenticated clients attack one node, phase after phase, while an authenticated
 * witness platform pings it every 100 ms over XEP-0368 direct TLS. Per phase: the witness's round trips (p50, p99,
 * max, lost), the attackers' connections and how many the node ended, and the node's resident memory and CPU. The
 * goal: the witness does not notice (p99 within 2× of idle) and memory stays bounded. Runs against a node that is
 * already running, with the witness account provisioned ({@code bench/README.md}, "Flood").
 */
final class Flood {

    private static final String SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
    private static final Pattern PONG = Pattern.compile("id=\"w(\\d+)\"");

    private Flood() {
    }

    /** One phase: what its attackers do on one connection, until the node ends it or the phase ends. */
    private interface Attack {
        void on(Socket s, OutputStream out, InputStream in, long deadline) throws IOException;
    }

    static int run(Map<String, String> o, PrintStream out) throws Exception {
        String host = o.getOrDefault("host", "127.0.0.1");
        int port = Integer.parseInt(o.getOrDefault("port", "5222"));
        int tlsPort = Integer.parseInt(o.getOrDefault("tls-port", Integer.toString(port + 1)));
        String domain = o.getOrDefault("domain", "grid.local");
        String user = o.getOrDefault("witness", "bench-c0");
        String password = o.getOrDefault("password", "bench-password-1");
        int seconds = Integer.parseInt(o.getOrDefault("seconds", "30"));
        int attackers = Integer.parseInt(o.getOrDefault("attackers", "6"));
        long pid = Long.parseLong(o.getOrDefault("pid", "0"));
        if (pid == 0) {
            pid = ProcessCpu.listening(port);
        }
        String header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'"
                + " to='" + domain + "' version='1.0'>";
        Map<String, Attack> phases = new java.util.LinkedHashMap<>();
        phases.put("idle", null);
        phases.put("SASL <abort/> in a loop", (s, w, r, deadline) -> {
            send(w, header);
            readUntil(r, "</stream:features>", deadline);
            byte[] aborts = ("<abort xmlns='" + SASL + "'/>").repeat(200).getBytes(StandardCharsets.UTF_8);
            while (System.currentTimeMillis() < deadline) {
                w.write(aborts);
                w.flush();
            }
        });
        phases.put("<auth/> with distinct 100 KB names", (s, w, r, deadline) -> {
            send(w, header);
            readUntil(r, "</stream:features>", deadline);
            send(w, "<auth xmlns='" + SASL + "' mechanism='SCRAM-SHA-256'>");
            while (System.currentTimeMillis() < deadline) {
                String name = "n" + Long.toHexString(System.nanoTime()) + "x".repeat(100_000);
                send(w, "<" + name + "/>");
            }
        });
        phases.put("header with 12,000 namespace declarations", (s, w, r, deadline) -> {
            StringBuilder h = new StringBuilder("<?xml version='1.0'?><stream:stream xmlns='jabber:client'"
                    + " xmlns:stream='http://etherx.jabber.org/streams' to='" + domain + "' version='1.0'");
            for (int i = 0; i < 12_000; i++) {
                h.append(" xmlns:p").append(i).append("='urn:x:").append(i).append('\'');
            }
            send(w, h.append('>').toString());
            readUntil(r, "</stream:stream>", deadline);
        });
        phases.put("slowloris (a byte a second)", (s, w, r, deadline) -> {
            for (int i = 0; i < header.length() && System.currentTimeMillis() < deadline; i++) {
                w.write(header.charAt(i));
                w.flush();
                sleep(1000);
            }
        });
        phases.put("idle again", null);

        Witness witness = new Witness(host, tlsPort, domain, user, password, header, out);
        witness.start();
        List<String> rows = new ArrayList<>();
        rows.add("| phase | witness p50 ms | p99 ms | max ms | lost | attack connections | ended by the node | node RSS MB"
                + " | heap after GC MB | node CPU s |");
        rows.add("|---|---|---|---|---|---|---|---|---|---|");
        for (Map.Entry<String, Attack> phase : phases.entrySet()) {
            witness.reset();
            double cpu0 = ProcessCpu.seconds(pid);
            AtomicLong opened = new AtomicLong();
            AtomicLong ended = new AtomicLong();
            long deadline = System.currentTimeMillis() + seconds * 1000L;
            List<Thread> threads = new ArrayList<>();
            int n = phase.getValue() == null ? 0 : phase.getKey().startsWith("slowloris") ? attackers * 50 : attackers;
            for (int i = 0; i < n; i++) {
                Attack a = phase.getValue();
                Thread t = new Thread(() -> attackUntil(host, tlsPort, a, deadline, opened, ended), "attacker-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
            while (System.currentTimeMillis() < deadline) {
                sleep(200);
            }
            for (Thread t : threads) {
                t.join(10_000);
            }
            sleep(1000); // the witness's last pings come back
            double[] rtt = witness.figures();
            double cpu = ProcessCpu.seconds(pid) - cpu0;
            String row = String.format("| %s | %.1f | %.1f | %.1f | %d | %d | %d | %d | %d | %.1f |", phase.getKey(), rtt[0],
                    rtt[1], rtt[2], (long) rtt[3], opened.get(), ended.get(), ProcessCpu.rss(pid) >> 20,
                    ProcessCpu.heapAfterGc(pid) >> 20, cpu);
            rows.add(row);
            out.println(row);
        }
        witness.close();
        String stamp = o.getOrDefault("stamp", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Path dir = Path.of(o.getOrDefault("out", "bench/results"));
        Files.createDirectories(dir);
        Path report = dir.resolve(stamp + "-flood.md");
        Files.writeString(report, "# Flood: hostile clients while a witness pings\n\n" + attackers + " attackers per phase (slowloris: "
                + attackers * 50 + " connections), " + seconds + " s per phase, witness ping every 100 ms over direct TLS, node pid "
                + pid + ".\n\n" + String.join("\n", rows) + "\n");
        out.println("report: " + report);
        return 0;
    }

    /** Connections, one after another, each attacked until the node ends it or the phase ends. */
    private static void attackUntil(String host, int tlsPort, Attack a, long deadline, AtomicLong opened, AtomicLong ended) {
        while (System.currentTimeMillis() < deadline) {
            try (SSLSocket s = (SSLSocket) XmppLoops.TLS.getSocketFactory().createSocket(host, tlsPort)) {
                s.setSoTimeout(2000);
                s.startHandshake();
                opened.incrementAndGet();
                try {
                    a.on(s, s.getOutputStream(), s.getInputStream(), deadline);
                } catch (IOException e) {
                    ended.incrementAndGet(); // the node closed it (or reset it) while it attacked
                }
            } catch (IOException e) {
                ended.incrementAndGet(); // refused at once (caps), or the handshake cut off
                sleep(10);
            }
        }
    }

    private static void send(OutputStream w, String s) throws IOException {
        w.write(s.getBytes(StandardCharsets.UTF_8));
        w.flush();
    }

    /** Reads until {@code marker} (or the end of the stream, or the deadline); returns what was read. */
    static String readUntil(InputStream in, String marker, long deadline) throws IOException {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[8192];
        while (sb.indexOf(marker) < 0 && System.currentTimeMillis() < deadline) {
            int n;
            try {
                n = in.read(buf);
            } catch (java.net.SocketTimeoutException e) {
                continue;
            }
            if (n < 0) {
                throw new IOException("closed by the node after: " + tail(sb));
            }
            sb.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    private static String tail(StringBuilder sb) {
        return sb.length() > 200 ? sb.substring(sb.length() - 200) : sb.toString();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The authenticated platform that pings every 100 ms and times the answers. */
    private static final class Witness implements AutoCloseable {
        private final SSLSocket socket;
        private final Map<Long, Long> sent = new ConcurrentHashMap<>();
        private final List<Long> rtts = Collections.synchronizedList(new ArrayList<>());
        private volatile boolean closed;
        /** Where the witness says that it lost its stream: the scenario's output, beside the figures. */
        private final PrintStream log;
        private long next;
        private Thread pinger;
        private Thread reader;

        Witness(String host, int tlsPort, String domain, String user, String password, String header, PrintStream log)
                throws IOException {
            this.log = log;
            socket = (SSLSocket) XmppLoops.TLS.getSocketFactory().createSocket(host, tlsPort);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            OutputStream w = socket.getOutputStream();
            InputStream r = socket.getInputStream();
            long deadline = System.currentTimeMillis() + 30_000;
            send(w, header);
            readUntil(r, "</stream:features>", deadline);
            ScramClient scram = new ScramClient(user, password);
            send(w, "<auth xmlns='" + SASL + "' mechanism='SCRAM-SHA-256'>" + b64(scram.clientFirst()) + "</auth>");
            String challenge = readUntil(r, "</challenge>", deadline);
            Matcher m = Pattern.compile("<challenge[^>]*>([^<]*)</challenge>").matcher(challenge);
            if (!m.find()) {
                throw new IOException("no SCRAM challenge for the witness: " + challenge);
            }
            String serverFirst = new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8);
            send(w, "<response xmlns='" + SASL + "'>" + b64(scram.clientFinal(serverFirst)) + "</response>");
            String outcome = readUntil(r, "<success", deadline);
            if (!outcome.contains("<success")) {
                throw new IOException("the witness could not sign in: " + outcome);
            }
            send(w, header);
            readUntil(r, "</stream:features>", deadline);
            send(w, "<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
            readUntil(r, "</iq>", deadline);
            socket.setSoTimeout(0);
        }

        void start() {
            reader = new Thread(() -> {
                byte[] buf = new byte[8192];
                StringBuilder pending = new StringBuilder();
                try {
                    InputStream r = socket.getInputStream();
                    for (int n; !closed && (n = r.read(buf)) > 0; ) {
                        long now = System.nanoTime();
                        pending.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                        Matcher m = PONG.matcher(pending);
                        int end = 0;
                        while (m.find()) {
                            Long at = sent.remove(Long.parseLong(m.group(1)));
                            if (at != null) {
                                rtts.add(now - at);
                            }
                            end = m.end();
                        }
                        pending.delete(0, Math.max(end, pending.length() - 64));
                    }
                } catch (IOException e) {
                    if (!closed) {
                        log.println("the witness's stream ended (its pings count as lost from now on): " + e);
                    }
                }
            }, "witness-reader");
            reader.setDaemon(true);
            reader.start();
            pinger = new Thread(() -> {
                try {
                    OutputStream w = socket.getOutputStream();
                    while (!closed) {
                        long id = next++;
                        sent.put(id, System.nanoTime());
                        send(w, "<iq type='get' id='w" + id + "'><ping xmlns='urn:xmpp:ping'/></iq>");
                        Thread.sleep(100);
                    }
                } catch (IOException | InterruptedException e) {
                    if (!closed) {
                        log.println("the witness could not ping any more: " + e);
                    }
                }
            }, "witness-pinger");
            pinger.setDaemon(true);
            pinger.start();
        }

        /** From now on, a new phase's figures. */
        void reset() {
            rtts.clear();
            sent.clear();
        }

        /** p50, p99, max (ms) and pings without an answer (more than 5 s old). */
        double[] figures() {
            List<Long> copy;
            synchronized (rtts) {
                copy = new ArrayList<>(rtts);
            }
            Collections.sort(copy);
            long now = System.nanoTime();
            long lost = sent.values().stream().filter(at -> now - at > 5_000_000_000L).count();
            if (copy.isEmpty()) {
                return new double[] {-1, -1, -1, lost};
            }
            return new double[] {copy.get(copy.size() / 2) / 1e6, copy.get(Math.min(copy.size() - 1, (int) (copy.size() * 0.99))) / 1e6,
                copy.get(copy.size() - 1) / 1e6, lost};
        }

        @Override
        public void close() throws IOException {
            closed = true;
            socket.close();
        }

        private static String b64(String s) {
            return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
        }
    }
}
