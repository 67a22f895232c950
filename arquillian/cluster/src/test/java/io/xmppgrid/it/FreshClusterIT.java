package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.StreamError;
import org.jivesoftware.smack.sasl.SASLErrorException;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 16, start-up and revocation with three nodes: the README's cluster command ({@code config/run-cluster.sh},
 * {@code GRID_NODES=3}, {@code GRID_STAGGER=0}) starts three nodes at the same moment on an empty PostgreSQL database
 * and an empty shared directory, without TLS material made beforehand. They race for the schema (Flyway), the grid CA,
 * the administration token and the audit key, and must agree on one of each. Then a platform with sessions on nodes A
 * and B and an authenticated, not yet bound stream on node C is revoked through C (RFC 8600 §8.3.3): every session
 * closes within a second, the stream on C cannot bind, no node lets the platform sign in, and the nodes' CRLs come
 * from one numbering (RFC 5280 §5.2.3) and list the certificate.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FreshClusterIT {

    private static final int NODES = 3;
    /** Ports of node i: WildFly's defaults shifted by OFFSET + 100·(i−1) (run-cluster.sh). */
    private static final int OFFSET = 2000;
    private static final String DATABASE = "grid_fresh";
    private static final String PASSWORD = "fresh-cluster-pw-1";

    private static Path dir;
    private static Process cluster;
    private static final List<ClusterIT.Node> NODE = new ArrayList<>();

    private static ClusterIT.Node node(int i) {
        int shift = OFFSET + 100 * (i - 1);
        return new ClusterIT.Node("node-" + i, 9990 + shift, 8080 + shift, 5222 + shift, 5223 + shift);
    }

    @BeforeAll
    static void startThreeNodesAtOnce() throws Exception {
        Path props = Path.of(System.getProperty("grid.cluster.nodes.dir"), "database.properties");
        Assumptions.assumeTrue(Files.size(props) > 0, "no PostgreSQL on 127.0.0.1:5432: a cluster needs a shared database");
        dir = Path.of(System.getProperty("grid.cluster.nodes.dir")).resolveSibling("fresh-cluster");
        run("rm", "-rf", dir.toString());
        run("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", "drop database if exists " + DATABASE);
        Files.createDirectories(dir);
        ProcessBuilder pb = new ProcessBuilder("bash", Path.of(System.getProperty("grid.project.dir"), "config", "run-cluster.sh").toString(),
                System.getProperty("jboss.home"), dir.toString(), System.getProperty("grid.ear.file"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("run-cluster.log").toFile());
        pb.environment().put("GRID_NODES", Integer.toString(NODES));
        pb.environment().put("GRID_STAGGER", "0");
        pb.environment().put("GRID_PORT_OFFSET", Integer.toString(OFFSET));
        pb.environment().put("GRID_PG_DB", DATABASE);
        pb.environment().put("GRID_OPTS", "-Dgrid.xmpp.bind=127.0.0.1");
        pb.environment().put("JAVA_HOME", System.getProperty("grid.server.java.home"));
        cluster = pb.start();
        for (int i = 1; i <= NODES; i++) {
            NODE.add(node(i));
        }
        long end = System.currentTimeMillis() + 300_000;
        for (int i = 1; i <= NODES; i++) {
            Path log = dir.resolve("node-" + i).resolve("log").resolve("server.log");
            // this node's own boot (its base directory is copied from the provisioned server's, logs included, first)
            Pattern booted = Pattern.compile("(?s).*node\\.name=node-" + i + "\\b.*WFLYSRV002[56].*");
            while (!(Files.exists(log) && booted.matcher(Files.readString(log)).matches())) {
                assertTrue(cluster.isAlive(), "run-cluster.sh ended: " + Files.readString(dir.resolve("run-cluster.log")));
                assertTrue(System.currentTimeMillis() < end, "node-" + i + " did not start within 300 s");
                Thread.sleep(500);
            }
            String text = Files.readString(log);
            assertFalse(text.contains("WFLYSRV0026"), "node-" + i + " started with errors: see " + log + "\n" + errors(text));
            assertTrue(text.contains("GRIDRA0001"), "node-" + i + " listens for XMPP");
        }
        System.setProperty("grid.test.data.dir", dir.resolve("shared").toString()); // the clients trust this grid's CA
    }

    /** The ERROR lines of a server log (each cut to 600 characters, at most 8 KB): CI shows this message only. */
    private static String errors(String log) {
        StringBuilder b = new StringBuilder();
        for (String line : log.split("\n")) {
            if ((line.contains(" ERROR ") || line.contains("WFLYCTL0")) && b.length() < 8192) {
                b.append(line, 0, Math.min(line.length(), 600)).append('\n');
            }
        }
        return b.toString();
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty("grid.test.data.dir");
        if (cluster == null) {
            return;
        }
        List<ProcessHandle> all = new ArrayList<>(cluster.descendants().toList());
        cluster.destroy(); // SIGTERM: the script stops every node gracefully
        if (!cluster.waitFor(120, TimeUnit.SECONDS)) {
            cluster.destroyForcibly();
        }
        all.forEach(ProcessHandle::destroyForcibly); // nothing left behind, whatever happened
    }

    /**
     * One view of three members; one grid CA (every node's server certificate, presented over XEP-0368 direct TLS,
     * is signed by the one CA in the shared directory); one administration token (accepted by every node's API); one
     * audit key (every node verifies the one chain); one schema (each Flyway migration applied once, every node
     * reports the same version).
     */
    @Test
    @Order(1)
    void threeNodesStartedAtOnceOnAnEmptyDatabaseAgreeOnOneIdentityAndOneSchema() throws Exception {
        ClusterIT.awaitViewSize(NODE.get(0), NODES, 120_000);
        X509Certificate ca = Grid.caCertificate();
        String token = Files.readString(Grid.tokenFile()).trim();
        for (ClusterIT.Node n : NODE) {
            try (SSLSocket s = (SSLSocket) Grid.tls().getSocketFactory().createSocket("127.0.0.1", n.directTls())) {
                s.startHandshake(); // trusts only the shared CA
                X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
                leaf.verify(ca.getPublicKey());
            }
            HttpResponse<String> r = ClusterIT.get(n, "/platforms", token);
            assertEquals(200, r.statusCode(), n.name() + " accepts the one administration token: " + r.body());
            HttpResponse<String> v = ClusterIT.get(n, "/audit/verify", token);
            assertEquals(200, v.statusCode(), n.name() + ": " + v.body());
            assertTrue(v.body().contains("\"intact\":true"), n.name() + " verifies the one audit chain: " + v.body());
        }
        try (var files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            for (int i = 1; i <= NODES; i++) {
                assertFalse(Files.exists(dir.resolve("node-" + i).resolve("data").resolve("grid").resolve("tls").resolve("ca.p12")),
                        "node-" + i + " made no CA of its own: " + names);
            }
        }
        String history = psql("select version || ':' || count(*) || ':' || bool_and(success) from flyway_schema_history"
                + " where version is not null group by version order by min(installed_rank)");
        assertFalse(history.isBlank(), "migrations ran");
        String last = null;
        for (String row : history.split("\n")) {
            String[] f = row.split(":");
            assertEquals("1", f[1], "migration " + f[0] + " applied once: " + history);
            assertEquals("true", f[2], "migration " + f[0] + " succeeded: " + history);
            last = f[0];
        }
        Pattern schema = Pattern.compile("GRID0001: .*version (\\S+)");
        for (int i = 1; i <= NODES; i++) {
            Matcher m = schema.matcher(Files.readString(dir.resolve("node-" + i).resolve("log").resolve("server.log")));
            assertTrue(m.find(), "node-" + i + " logged its schema version");
            assertEquals(last, m.group(1), "node-" + i + " reports the schema version of the one history");
        }
    }

    /**
     * Revocation through node C (RFC 8600 §8.3.3, issue 16 §4): the platform's sessions on A and B end with
     * {@code <not-authorized/>} within a second of the API's answer; its stream on C, authenticated before, cannot bind
     * (RFC 6120 §7); no node lets it sign in again; every node published a CRL listing its certificate, numbered from
     * the one cluster-wide sequence (no two publications share a number).
     */
    @Test
    @Order(2)
    void revocationThroughNodeCEndsEverySessionAndStreamAndEveryCrlListsTheCertificate() throws Exception {
        ClusterIT.awaitViewSize(NODE.get(0), NODES, 60_000);
        String token = Files.readString(Grid.tokenFile()).trim();
        ClusterIT.Node a = NODE.get(0);
        ClusterIT.Node b = NODE.get(1);
        ClusterIT.Node c = NODE.get(2);
        String name = Grid.uniqueName("fresh-rev");
        HttpResponse<String> created = form(a, "/platforms", token, "name=" + name + "&password=" + PASSWORD + "&role=trusted");
        assertEquals(201, created.statusCode(), created.body());
        HttpResponse<byte[]> issued = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(b.api() + "/platforms/"
                        + name + "/certificates")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString("days=30"))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, issued.statusCode());
        BigInteger serial = new BigInteger(issued.headers().firstValue("X-Grid-Serial").orElseThrow(), 16);
        Map<Integer, Integer> before = crlLines();

        XMPPTCPConnection onA = Smack.connect(Smack.starttls(name, PASSWORD, "SCRAM-SHA-256").setPort(a.starttls()).setResource("a"));
        XMPPTCPConnection onB = Smack.connect(Smack.starttls(name, PASSWORD, "SCRAM-SHA-256").setPort(b.starttls()).setResource("b"));
        RawXmpp onC = RawXmpp.authenticated(c.starttls(), name, PASSWORD); // authenticated, not bound
        CompletableFuture<Long> closedA = Smack.closedOnError(onA).thenApply(e -> check(e));
        CompletableFuture<Long> closedB = Smack.closedOnError(onB).thenApply(e -> check(e));

        HttpResponse<String> r = ClusterIT.post(c, "/platforms/" + name + "/revoke", token);
        long answered = System.nanoTime();
        assertEquals(200, r.statusCode(), r.body());
        long msA = (closedA.get(10, TimeUnit.SECONDS) - answered) / 1_000_000;
        long msB = (closedB.get(10, TimeUnit.SECONDS) - answered) / 1_000_000;
        System.out.println("CLUSTER revocation through node-3: node-1 session closed " + Math.max(0, msA) + " ms, node-2 session "
                + Math.max(0, msB) + " ms after the API answered");
        assertTrue(msA < 1000 && msB < 1000, "sessions closed after " + msA + " / " + msB + " ms");

        String bind;
        try {
            onC.send("<iq type='set' id='late-bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>c</resource></bind></iq>");
            bind = onC.nextStanza(java.time.Duration.ofSeconds(10));
        } catch (IOException | AssertionError e) {
            bind = "closed: " + e; // the stream was ended: no bind either
        }
        assertFalse(bind.contains("type=\"result\""), "the stream authenticated on node-3 before the revocation cannot bind: " + bind);
        onC.close();
        for (ClusterIT.Node n : NODE) {
            assertThrows(SASLErrorException.class,
                    () -> Smack.connect(Smack.starttls(name, PASSWORD, "SCRAM-SHA-256").setPort(n.starttls())),
                    "no sign-in on " + n.name());
        }

        // every node published a CRL after the revocation (the node that revoked, and the others when told), each with
        // a number of its own from the one sequence, listing the certificate
        long end = System.currentTimeMillis() + 15_000;
        Map<Integer, Integer> after = crlLines();
        while (!publishedByAll(before, after) && System.currentTimeMillis() < end) {
            Thread.sleep(200);
            after = crlLines();
        }
        assertTrue(publishedByAll(before, after), "every node published the CRL again: " + before + " -> " + after);
        TreeSet<String> numbers = new TreeSet<>();
        int publications = 0;
        Pattern p = Pattern.compile("GRID0211: CRL (\\d+) published with (\\d+) revoked");
        for (int i = 1; i <= NODES; i++) {
            Matcher m = p.matcher(Files.readString(dir.resolve("node-" + i).resolve("log").resolve("server.log")));
            while (m.find()) {
                numbers.add(m.group(1));
                publications++;
            }
        }
        assertEquals(publications, numbers.size(), "no two CRL publications share a number: " + numbers);
        X509CRL crl;
        try (InputStream in = Files.newInputStream(dir.resolve("shared").resolve("tls").resolve("crl.pem"))) {
            crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
        }
        crl.verify(Grid.caCertificate().getPublicKey());
        assertTrue(crl.getRevokedCertificate(serial) != null, "the CRL lists the revoked certificate " + serial.toString(16));
    }

    private static boolean publishedByAll(Map<Integer, Integer> before, Map<Integer, Integer> after) {
        for (int i = 1; i <= NODES; i++) {
            if (after.getOrDefault(i, 0) <= before.getOrDefault(i, 0)) {
                return false;
            }
        }
        return true;
    }

    /** How many CRL publications (GRID0211) each node has logged. */
    private static Map<Integer, Integer> crlLines() throws IOException {
        Map<Integer, Integer> n = new HashMap<>();
        for (int i = 1; i <= NODES; i++) {
            String log = Files.readString(dir.resolve("node-" + i).resolve("log").resolve("server.log"));
            n.put(i, log.split("GRID0211: CRL ", -1).length - 1);
        }
        return n;
    }

    private static long check(Exception e) {
        assertTrue(e instanceof XMPPException.StreamErrorException, "closed by a stream error: " + e);
        assertEquals(StreamError.Condition.not_authorized, ((XMPPException.StreamErrorException) e).getStreamError().getCondition());
        return System.nanoTime();
    }

    private static HttpResponse<String> form(ClusterIT.Node n, String path, String token, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(n.api() + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String psql(String sql) throws Exception {
        Process p = new ProcessBuilder("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DATABASE, "-Atqc", sql)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }
}
