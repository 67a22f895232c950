package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Attacks on the administration console and API (RFC 8600 §8.3.2: strong administrator
 * authentication; STYLE.md: no URL-pattern exclusions, Openfire CVE-2023-32315): no sign-in,
 * path tricks, a wrong or replayed TOTP code, too many failures, a form without its CSRF token,
 * an expired session, a bad token. Each is refused, and recorded in the audit log.
 */
@ExtendWith(ArquillianExtension.class)
class ConsoleSecurityIT {

    /** Bodies that would mean something protected leaked. */
    private static final List<String> SECRETS = List.of("actorKind", "@grid.local", "jakarta.faces.ViewState", "<h1>Platforms");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    @Test
    void everyPathAndTrickIsRefusedWithoutSignIn() throws Exception {
        Grid.platform(Grid.uniqueName("leak"), "leak-password-1"); // something to leak, if anything did
        List<String> targets = List.of("/grid-admin/", "/grid-admin", "/grid-admin/index.xhtml", "/grid-admin/platforms.xhtml",
                "/grid-admin/audit.xhtml", "/grid-admin/api/platforms", "/grid-admin/api/audit", "/grid-admin/api/roles",
                "/grid-admin/api/admins", "/grid-admin/jakarta.faces.resource/console.css.xhtml",
                // path parameters and dot segments (Openfire CVE-2023-32315 used these)
                "/grid-admin/api;/audit", "/grid-admin/api/audit;jsessionid=x", "/grid-admin;/api/audit",
                "/grid-admin/.;/api/audit", "/grid-admin/x/..;/api/audit", "/grid-admin/%2e/api/audit",
                "/grid-admin/x/%2e%2e/api/audit", "/grid-admin/x/%252e%252e/api/audit", "/grid-admin/api/%2e%2e/api/audit",
                "/grid-admin/x/%2e%2e%2fapi/audit", "/grid-admin/api/audit%3fformat=csv",
                // trailing and doubled slashes, case
                "/grid-admin/api/audit/", "/grid-admin/api//audit", "//grid-admin/api/audit", "/grid-admin/platforms.xhtml/",
                "/grid-admin/API/audit", "/grid-admin/WEB-INF/web.xml", "/grid-admin/index.xhtml%00.css");
        for (String t : targets) {
            for (String method : List.of("GET", "POST")) {
                String[] r = ConsoleClient.raw(method, t, method.equals("POST") ? "name=x&role=trusted" : null);
                int status = Integer.parseInt(r[0]);
                assertTrue(status >= 400 || status == 302 || status == 303 || status == 307,
                        method + " " + t + " answered " + r[0] + ":\n" + r[1]);
                for (String secret : SECRETS) {
                    assertFalse(r[1].contains(secret), method + " " + t + " leaked " + secret + ":\n" + r[1]);
                }
            }
        }
        // the same over plain HTTP, where only the administration token would be accepted
        for (String t : List.of("/grid-admin/api/audit", "/grid-admin/platforms.xhtml", "/grid-admin/api;/audit")) {
            var r = new ConsoleClient().http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(ConsoleClient.HTTP + t))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, r.statusCode(), t + ": " + r.body());
        }
        // recorded (one entry per address every few seconds, so a flood cannot fill the database)
        Grid.Result audit = Grid.api("GET", "/audit?action=admin.request&outcome=refused&limit=5", null);
        assertTrue(audit.out().contains("\"address\":\"127.0.0.1:"), audit.out());
    }

    @Test
    void theSignInFormIsServedForTheAskedPathWithSecurityHeaders() throws Exception {
        ConsoleClient c = new ConsoleClient();
        HttpResponse<String> r = c.get("/grid-admin/audit.xhtml");
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("action=\"/grid-admin/audit.xhtml\""), r.body());
        String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
                csp);
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(""));
        assertTrue(r.headers().firstValue("Strict-Transport-Security").isPresent());
        String cookie = r.headers().firstValue("Set-Cookie").orElse("").toLowerCase(java.util.Locale.ROOT);
        assertTrue(cookie.contains("; secure") && cookie.contains("; httponly") && cookie.contains("samesite=strict"), cookie);
        // issue 18 §11: a request that has not signed in makes the node keep nothing: no HTTP session, on pages and API
        for (String path : List.of("/grid-admin/audit.xhtml", "/grid-admin/api/platforms", "/grid-admin/")) {
            HttpResponse<String> anonymous = new ConsoleClient().get(path);
            assertEquals(401, anonymous.statusCode(), path);
            assertTrue(anonymous.headers().allValues("Set-Cookie").stream().noneMatch(v -> v.toUpperCase(java.util.Locale.ROOT)
                    .startsWith("JSESSIONID")), path + ": " + anonymous.headers().allValues("Set-Cookie"));
        }
    }

    /** RFC 6238: a wrong code, then the right code used twice (the second is a replay), are refused and recorded. */
    @Test
    void wrongAndReplayedTotpCodesAreRefusedAndRecorded() throws Exception {
        ConsoleClient.Admin a = ConsoleClient.newAdmin("totp");
        String good = a.code();
        String wrong = String.format("%06d", (Integer.parseInt(good) + 1) % 1_000_000);
        HttpResponse<String> r = new ConsoleClient().signIn("/grid-admin/", a.name(), a.password(), wrong);
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("Wrong name, password or code."), r.body());
        r = new ConsoleClient().signIn("/grid-admin/", a.name(), "not the password", good);
        assertEquals(401, r.statusCode());

        ConsoleClient ok = new ConsoleClient();
        r = ok.signIn("/grid-admin/platforms.xhtml", a.name(), a.password(), good);
        assertEquals(303, r.statusCode(), r.body());
        String location = r.headers().firstValue("Location").orElse("");
        assertTrue(location.endsWith("/grid-admin/platforms.xhtml"), "back to the page asked for: " + location);
        HttpResponse<String> page = ok.get("/grid-admin/platforms.xhtml");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains(a.name()), "the page names who is signed in");

        r = new ConsoleClient().signIn("/grid-admin/", a.name(), a.password(), good);
        assertEquals(401, r.statusCode(), "the same code twice is a replay");

        String entries = Grid.api("GET", "/audit?action=admin.signin&actor=" + a.name(), null).out();
        assertTrue(entries.contains("wrong, expired or reused TOTP code"), entries);
        assertTrue(entries.contains("wrong password"), entries);
        assertTrue(entries.contains("\"outcome\":\"ok\""), entries);
    }

    @Test
    void repeatedFailuresLockTheAdministratorUntilEnabled() throws Exception {
        ConsoleClient.Admin a = ConsoleClient.newAdmin("lock");
        for (int i = 0; i < 5; i++) {
            assertEquals(401, new ConsoleClient().signIn("/grid-admin/", a.name(), "wrong password " + i, a.code()).statusCode());
        }
        HttpResponse<String> r = new ConsoleClient().signIn("/grid-admin/", a.name(), a.password(), a.code());
        assertEquals(401, r.statusCode(), "locked: even the right password and code are refused");
        assertTrue(r.body().contains("Too many failed attempts"), r.body());
        assertTrue(Grid.api("GET", "/audit?action=admin.signin&outcome=locked&actor=" + a.name(), null).out()
                .contains("locked until"));
        assertEquals(200, Grid.api("POST", "/admins/" + a.name() + "/enable", null).status());
        assertEquals(303, new ConsoleClient().signIn("/grid-admin/", a.name(), a.password(), a.nextCode()).statusCode());
    }

    @Test
    void aFormWithoutTheCsrfTokenIsRefusedAndChangesNothing() throws Exception {
        ConsoleClient.Admin a = ConsoleClient.newAdmin("csrf");
        ConsoleClient c = new ConsoleClient();
        assertEquals(303, c.signIn("/grid-admin/platforms.xhtml", a.name(), a.password(), a.code()).statusCode());
        String page = c.get("/grid-admin/platforms.xhtml").body();
        String name = Grid.uniqueName("forged");
        Map<String, String> form = createPlatformForm(page, name);
        HttpResponse<String> r = c.post("/grid-admin/platforms.xhtml", form);
        assertEquals(403, r.statusCode(), r.body());
        assertEquals(404, Grid.api("GET", "/platforms/" + name + "/offline", null).status(), "not created");
        assertTrue(Grid.api("GET", "/audit?action=admin.csrf&actor=" + a.name(), null).out().contains("\"outcome\":\"refused\""));

        // the same form with the session's token is what the console sends: it works
        form.put("_csrf", ConsoleClient.csrf(page));
        r = c.post("/grid-admin/platforms.xhtml", form);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("Platform " + name + "@grid.local created"), r.body());
        assertTrue(Grid.api("GET", "/audit?action=admin.platform.create&actor=" + a.name(), null).out().contains(name));
    }

    /** The Platforms page's create form as the browser posts it, without the CSRF token. */
    private static Map<String, String> createPlatformForm(String page, String name) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("create", "create");
        form.put("create:name", name);
        form.put("create:pw", "");
        form.put("create:role", "consumer");
        form.put("create:create", "Create");
        form.put("jakarta.faces.ViewState", ConsoleClient.viewState(page));
        return form;
    }

    @Test
    void aSignInFormWithoutItsTokenIsRefused() throws Exception {
        ConsoleClient.Admin a = ConsoleClient.newAdmin("replay");
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grid-signin", "1");
        form.put("username", a.name());
        form.put("password", a.password());
        form.put("code", a.code());
        HttpResponse<String> r = new ConsoleClient().post("/grid-admin/", form);
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(Grid.api("GET", "/audit?action=admin.request&outcome=refused&limit=50", null).out()
                .contains("sign-in form without a valid token"));
    }

    /** The test server lets a session sit idle 20 s (grid.admin.sessionIdleSeconds); after that it is gone. */
    @Test
    void anIdleSessionExpires() throws Exception {
        ConsoleClient.Admin a = ConsoleClient.newAdmin("idle");
        ConsoleClient c = new ConsoleClient();
        assertEquals(303, c.signIn("/grid-admin/", a.name(), a.password(), a.code()).statusCode());
        assertEquals(200, c.get("/grid-admin/").statusCode());
        Thread.sleep(23_000);
        HttpResponse<String> r = c.get("/grid-admin/");
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("name=\"grid-signin\""), "the sign-in form again");
    }

    @Test
    void aBadAdministrationTokenIsRefusedAndRecorded() throws Exception {
        var r = new ConsoleClient().http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(ConsoleClient.HTTP + "/grid-admin/api/platforms/x/offline"))
                .header("Authorization", "Bearer not-the-token").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode());
        assertNotEquals("", r.body());
        Thread.sleep(2_100); // one record per address every 2 s
        r = new ConsoleClient().http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(ConsoleClient.HTTP + "/grid-admin/api/roles"))
                .header("Authorization", "Bearer still-not-the-token").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode());
        assertTrue(Grid.api("GET", "/audit?action=admin.request&limit=20", null).out()
                .contains("bad or missing administration token"));
    }

    private static final String P12_PASSWORD = "admin-p12-password";

    /** An administrator's certificate from the grid CA signs in (no password, no code); the sign-in is recorded. */
    @Test
    void anAdministratorsCertificateFromTheGridCaSignsIn() throws Exception {
        ConsoleClient.Admin a = ConsoleClient.newAdmin("cert");
        java.nio.file.Path p12 = java.nio.file.Files.createTempFile("admin", ".p12");
        Grid.Result r = Grid.admin("admin", "cert", a.name(), "--out", p12.toString(), "--p12-password", P12_PASSWORD);
        assertEquals(0, r.status(), r.err());
        ConsoleClient c = new ConsoleClient(ConsoleClient.keys(p12, P12_PASSWORD.toCharArray()));
        HttpResponse<String> page = c.get("/grid-admin/platforms.xhtml");
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("<h1>Platforms"), page.body());
        assertTrue(page.body().contains(a.name()));
        String entries = Grid.api("GET", "/audit?action=admin.signin&actor=" + a.name(), null).out();
        assertTrue(entries.contains("certificate: client certificate"), entries);

        // issue 19: the certificate itself can be revoked: it no longer signs in and is on the grid CA's CRL
        Grid.Result revoked = Grid.admin("admin", "cert-revoke", a.name());
        assertEquals(0, revoked.status(), revoked.out() + revoked.err());
        java.util.regex.Matcher rs = java.util.regex.Pattern.compile("\"revoked\":\"([0-9a-f]+)\"").matcher(revoked.out());
        assertTrue(rs.find(), revoked.out());
        assertEquals(401, new ConsoleClient(ConsoleClient.keys(p12, P12_PASSWORD.toCharArray())).get("/grid-admin/platforms.xhtml")
                .statusCode(), "a revoked certificate no longer signs in");
        long deadline = System.currentTimeMillis() + 10_000;
        boolean listed = false;
        while (!listed && System.currentTimeMillis() < deadline) {
            try (var in = java.nio.file.Files.newInputStream(Grid.dataDir().resolve("tls").resolve("crl.pem"))) {
                java.security.cert.X509CRL crl = (java.security.cert.X509CRL) java.security.cert.CertificateFactory
                        .getInstance("X.509").generateCRL(in);
                listed = crl.getRevokedCertificate(new java.math.BigInteger(rs.group(1), 16)) != null;
            }
            if (!listed) {
                Thread.sleep(200);
            }
        }
        assertTrue(listed, "serial " + rs.group(1) + " on the CRL");
        r = Grid.admin("admin", "cert", a.name(), "--out", p12.toString(), "--p12-password", P12_PASSWORD);
        assertEquals(0, r.status(), r.err());

        // disabled administrators' certificates no longer sign in
        assertEquals(200, Grid.api("POST", "/admins/" + a.name() + "/disable", null).status());
        HttpResponse<String> refused = new ConsoleClient(ConsoleClient.keys(p12, P12_PASSWORD.toCharArray()))
                .get("/grid-admin/platforms.xhtml");
        assertEquals(401, refused.statusCode());
    }

    /**
     * Issue 19 §1: a certificate alone never changes anything. A cross-site POST carrying an administrator's
     * certificate and no session (a SameSite=Strict cookie is not sent with it) signs in and is sent back as a GET
     * (303): nothing is created. On a session, a change the browser marks as coming from another site
     * ({@code Sec-Fetch-Site}, {@code Origin}) is refused and audited, even with the session's token; the same form
     * from the console itself works.
     */
    @Test
    void aCertificateAloneNeverChangesAnything() throws Exception {
        ConsoleClient.Admin a = ConsoleClient.newAdmin("xsite");
        java.nio.file.Path p12 = java.nio.file.Files.createTempFile("admin", ".p12");
        assertEquals(0, Grid.admin("admin", "cert", a.name(), "--out", p12.toString(), "--p12-password", P12_PASSWORD).status());
        ConsoleClient c = new ConsoleClient(ConsoleClient.keys(p12, P12_PASSWORD.toCharArray()));
        String forged = Grid.uniqueName("xsite-api");
        HttpResponse<String> r = c.http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(ConsoleClient.HTTPS + "/grid-admin/api/platforms"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", "https://attacker.example")
                .header("Sec-Fetch-Site", "cross-site")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("name=" + forged + "&role=service-admin")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(303, r.statusCode(), "sent back as a GET: " + r.body());
        assertEquals(404, Grid.api("GET", "/platforms/" + forged + "/offline", null).status(), "not created");

        String page = c.get("/grid-admin/platforms.xhtml").body(); // the session the certificate started
        String name = Grid.uniqueName("xsite-form");
        Map<String, String> form = createPlatformForm(page, name);
        form.put("_csrf", ConsoleClient.csrf(page));
        for (String[] header : new String[][] {{"Origin", "https://attacker.example"}, {"Sec-Fetch-Site", "cross-site"},
            {"Sec-Fetch-Site", "same-site"}}) {
            r = c.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(ConsoleClient.HTTPS + "/grid-admin/platforms.xhtml"))
                    .header("Content-Type", "application/x-www-form-urlencoded").header(header[0], header[1])
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(ConsoleClient.form(form))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, r.statusCode(), header[0] + ": " + header[1] + ": " + r.body());
            assertEquals(404, Grid.api("GET", "/platforms/" + name + "/offline", null).status(), "not created");
        }
        assertTrue(Grid.api("GET", "/audit?action=admin.csrf&actor=" + a.name(), null).out().contains("from another site"));
        r = c.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(ConsoleClient.HTTPS + "/grid-admin/platforms.xhtml"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", "null") // as a browser sends
                .header("Sec-Fetch-Site", "same-origin") // for the console's own form (its pages say no-referrer)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(ConsoleClient.form(form))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("Platform " + name + "@grid.local created"), r.body());
    }

    /** Presents a certificate to the console: -1 when the TLS handshake refuses it, else the HTTP status. */
    private static int foreignHandshake(java.nio.file.Path p12) throws Exception {
        try {
            return new ConsoleClient(ConsoleClient.keys(p12, P12_PASSWORD.toCharArray())).get("/grid-admin/").statusCode();
        } catch (java.io.IOException handshakeRefused) {
            return -1;
        }
    }

    /**
     * A certificate from another CA, even one whose subject names an administrator, never signs in: the TLS handshake
     * refuses it, and the refusal is audited with the peer's address and the certificate's subject (issue 19 §8), once
     * per address per ten seconds. Nor does a grid certificate that belongs to a platform rather than an administrator
     * sign in.
     */
    @Test
    void certificatesFromAnotherCaOrOfPlatformsAreRefused() throws Exception {
        ConsoleClient.Admin a = ConsoleClient.newAdmin("foreign");
        io.xmppgrid.security.GridPki.Issued otherCa = io.xmppgrid.security.GridPki.createCa("XMPP-Grid CA grid.local",
                java.time.Duration.ofDays(30));
        io.xmppgrid.security.GridPki.Issued forged = io.xmppgrid.security.GridPki.issueAdministrator(otherCa, a.name(),
                java.time.Duration.ofDays(30));
        java.nio.file.Path p12 = java.nio.file.Files.createTempFile("forged", ".p12");
        java.nio.file.Files.write(p12, io.xmppgrid.security.GridPki.toPkcs12(forged, "administrator", P12_PASSWORD.toCharArray()));
        // the TLS layer refuses it (only grid CA certificates are trusted), and the refusal is audited (issue 19 §8):
        // address and subject, once per address per ten seconds however often it is tried
        for (int i = 0; i < 8; i++) {
            assertEquals(-1, foreignHandshake(p12), "a foreign certificate must be refused in the handshake");
        }
        String refused = "";
        long tried = System.nanoTime();
        for (int i = 0; i < 120 && !refused.contains(a.name()); i++) {
            Thread.sleep(250);
            refused = Grid.api("GET", "/audit?action=admin.tls&outcome=refused&limit=1000", null).out();
            if (!refused.contains(a.name()) && System.nanoTime() - tried > 10_500_000_000L) {
                // another test's refusal from this address opened the ten-second window: ours was counted, not named
                assertEquals(-1, foreignHandshake(p12));
                tried = System.nanoTime();
            }
        }
        assertTrue(refused.contains(a.name()), "the refused handshake is in the audit log: " + refused);
        assertTrue(refused.contains("127.0.0.1"), "with the peer's address: " + refused);
        Thread.sleep(2_500); // the audit writer's next run
        String later = Grid.api("GET", "/audit?action=admin.tls&outcome=refused&limit=1000", null).out();
        assertEquals(1, later.split(a.name(), -1).length - 1, "eight refusals within ten seconds, one entry: " + later);

        String platform = Grid.uniqueName("certplat");
        java.nio.file.Path platformP12 = java.nio.file.Files.createTempFile("platform", ".p12");
        assertEquals(0, Grid.admin("cert", "issue", platform, "--out", platformP12.toString(), "--p12-password", P12_PASSWORD)
                .status());
        long before = Grid.api("GET", "/audit?action=admin.signin&outcome=refused&limit=1000", null).out()
                .split("belongs to no administrator", -1).length;
        ConsoleClient platformBrowser = new ConsoleClient(ConsoleClient.keys(platformP12, P12_PASSWORD.toCharArray()));
        HttpResponse<String> r = platformBrowser.get("/grid-admin/");
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("name=\"grid-signin\""), "only the sign-in form");
        // issue 18 §11: its browser presents it with every request; the refusal is recorded once every few seconds
        for (int i = 0; i < 5; i++) {
            assertEquals(401, platformBrowser.get("/grid-admin/platforms.xhtml").statusCode());
        }
        long after = Grid.api("GET", "/audit?action=admin.signin&outcome=refused&limit=1000", null).out()
                .split("belongs to no administrator", -1).length;
        assertTrue(after - before >= 1 && after - before <= 2, "six requests, " + (after - before) + " audit entries");
    }
}
