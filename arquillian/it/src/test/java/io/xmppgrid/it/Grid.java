package io.xmppgrid.it;

import io.xmppgrid.admin.cli.GridAdmin;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.UUID;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;

/** Where the test server is and how to reach it: ports, files, onboarding, TLS contexts. */
final class Grid {

    static final String HOST = "127.0.0.1";
    // system properties so that other test modules (arquillian/durability, arquillian/cluster) can point these
    // clients at their own servers
    static final int STARTTLS_PORT = Integer.getInteger("grid.test.xmpp.port", 15222);
    static final int DIRECT_TLS_PORT = Integer.getInteger("grid.test.xmpp.tls-port", 15223);
    static final String DOMAIN = "grid.local";
    static final String ADMIN_URL = "http://127.0.0.1:" + Integer.getInteger("grid.test.http.port", 18080)
            + "/grid-admin/api";

    private Grid() {
    }

    /** The EAR the build produced, as Arquillian deploys it (name fixed: the MDBs bind to it). */
    static EnterpriseArchive ear() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("grid.ear")));
    }

    /** The grid's shared identity (CA, token) the tests read: {@code grid.test.data.dir} when set, for another grid. */
    static Path dataDir() {
        String other = System.getProperty("grid.test.data.dir");
        return other != null ? Path.of(other) : Path.of(System.getProperty("grid.test.base.dir"), "data", "grid");
    }

    static Path caPem() {
        return dataDir().resolve("tls").resolve("ca.pem");
    }

    static Path tokenFile() {
        return dataDir().resolve("admin-token");
    }

    /** A fresh platform name: the database outlives deployments. */
    static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Runs the onboarding command in-process; returns exit status and standard output. */
    static Result admin(String... args) {
        String[] full = new String[args.length + 4];
        full[0] = "--url";
        full[1] = ADMIN_URL;
        full[2] = "--token-file";
        full[3] = tokenFile().toString();
        System.arraycopy(args, 0, full, 4, args.length);
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        synchronized (Grid.class) {
            try {
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                rc = GridAdmin.run(full);
            } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
            }
        }
        return new Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    record Result(int status, String out, String err) {
    }

    /**
     * Creates a platform with this password and the role template {@code trusted} (everything its
     * XEP-0060 affiliations allow) through the onboarding command; fails the test if refused.
     */
    static String platform(String name, String password) {
        return platform(name, password, "trusted");
    }

    /** Creates a platform with this password and role template. */
    static String platform(String name, String password, String role) {
        Result r = admin("platform", "add", name, "--password", password, "--role", role);
        if (r.status() != 0) {
            throw new AssertionError("onboarding refused " + name + ": " + r.err());
        }
        return name;
    }

    /** An administration API call with the bearer token; returns status and body. */
    static Result api(String method, String path, String form) throws Exception {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(ADMIN_URL + path))
                .header("Authorization", "Bearer " + Files.readString(tokenFile()).trim());
        if (form == null) {
            b.method(method, java.net.http.HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/x-www-form-urlencoded")
                    .method(method, java.net.http.HttpRequest.BodyPublishers.ofString(form));
        }
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient()
                .send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        return new Result(r.statusCode(), r.body(), "");
    }

    /** A number from the platform's offline-queue status (GET /api/platforms/{name}/offline). */
    static long offline(String platform, String field) throws Exception {
        Result r = api("GET", "/platforms/" + platform + "/offline", null);
        if (r.status() != 200) {
            throw new AssertionError("offline status of " + platform + ": " + r.status() + " " + r.out());
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + field + "\":(\\d+)").matcher(r.out());
        if (!m.find()) {
            throw new AssertionError("no " + field + " in " + r.out());
        }
        return Long.parseLong(m.group(1));
    }

    /** Waits (up to 30 s) until the platform's offline queue holds {@code depth} messages. */
    static void awaitOfflineDepth(String platform, long depth) throws Exception {
        long end = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        long now;
        while ((now = offline(platform, "messages")) != depth) {
            if (System.nanoTime() > end) {
                throw new AssertionError("offline queue of " + platform + " holds " + now + ", expected " + depth);
            }
            Thread.sleep(100);
        }
    }

    static X509Certificate caCertificate() throws Exception {
        try (InputStream in = Files.newInputStream(caPem())) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** TLS trusting only the grid CA, optionally presenting a PKCS#12 client certificate. */
    static SSLContext tls(Path p12, char[] password) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("grid-ca", caCertificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (p12 != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                ks.load(in, password);
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
        return ctx;
    }

    static SSLContext tls() throws Exception {
        return tls(null, null);
    }
}
