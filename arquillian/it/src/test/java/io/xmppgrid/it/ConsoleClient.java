package io.xmppgrid.it;

import io.xmppgrid.security.Totp;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A browser-like HTTPS client of the administration console (cookies, the sign-in form, Faces
 * forms), and raw HTTP requests for path tricks. The test server's HTTPS certificate is
 * WildFly's self-signed one, so these clients trust any certificate: they test the console, not TLS.
 */
final class ConsoleClient {

    static final String HTTPS = "https://127.0.0.1:18443";
    static final String HTTP = "http://127.0.0.1:18080";
    static final int HTTPS_PORT = 18443;
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private static final Pattern VIEW_STATE = Pattern.compile("name=\"jakarta.faces.ViewState\"[^>]*value=\"([^\"]+)\"");

    final HttpClient http;
    /** The console's HTTPS origin (another test server's, for the cluster tests). */
    final String base;

    ConsoleClient() {
        this(null);
    }

    /** A client that presents this key and certificate chain when the server asks for one. */
    ConsoleClient(javax.net.ssl.KeyManager[] keys) {
        this(keys, HTTPS);
    }

    /** A client of the console at {@code base} ({@code https://host:port}); its cookies go to every port of the host. */
    ConsoleClient(javax.net.ssl.KeyManager[] keys, String base) {
        this.base = base;
        http = HttpClient.newBuilder().sslContext(trustAll(keys)).cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();
    }

    private ConsoleClient(HttpClient http, String base) {
        this.http = http;
        this.base = base;
    }

    /** The same browser (cookies, certificate) talking to the console at another origin: another node of a cluster. */
    ConsoleClient at(String otherBase) {
        return new ConsoleClient(http, otherBase);
    }

    /** Key managers for a PKCS#12 file. */
    static javax.net.ssl.KeyManager[] keys(java.nio.file.Path p12, char[] password) throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(p12)) {
            ks.load(in, password);
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, password);
        return kmf.getKeyManagers();
    }

    /** An administrator made through the API: name, password, TOTP secret. */
    record Admin(String name, String password, byte[] secret) {
        String code() {
            return Totp.code(secret, Totp.step(Instant.now()));
        }

        /** A code that is valid but not the current step's (so it is not a replay of {@link #code()}). */
        String nextCode() {
            return Totp.code(secret, Totp.step(Instant.now()) + 1);
        }
    }

    static Admin newAdmin(String prefix) throws Exception {
        String name = Grid.uniqueName(prefix);
        String pw = "console password " + name;
        Grid.Result r = Grid.api("POST", "/admins", "name=" + name + "&password=" + enc(pw));
        if (r.status() != 201) {
            throw new AssertionError("admin not created: " + r.status() + " " + r.out());
        }
        Matcher m = Pattern.compile("secret=([A-Z2-7]+)").matcher(r.out());
        if (!m.find()) {
            throw new AssertionError("no otpauth secret in " + r.out());
        }
        return new Admin(name, pw, Totp.fromBase32(m.group(1)));
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "text/html").GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, Map<String, String> form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "text/html")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(form))).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Signs in through the form the server shows for {@code path}; returns the sign-in POST's response. */
    HttpResponse<String> signIn(String path, String name, String password, String code) throws Exception {
        HttpResponse<String> page = get(path);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grid-signin", "1");
        form.put("_csrf", csrf(page.body()));
        form.put("username", name);
        form.put("password", password);
        form.put("code", code);
        return post(path, form);
    }

    static String csrf(String html) {
        Matcher m = CSRF.matcher(html);
        if (!m.find()) {
            throw new AssertionError("no CSRF token in " + html);
        }
        return m.group(1);
    }

    static String viewState(String html) {
        Matcher m = VIEW_STATE.matcher(html);
        if (!m.find()) {
            throw new AssertionError("no view state in " + html);
        }
        return m.group(1);
    }

    static String form(Map<String, String> form) {
        return form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A raw HTTP/1.1 request over TLS with the request target exactly as given (no normalisation). */
    static String[] raw(String method, String target, String body) throws Exception {
        try (SSLSocket s = (SSLSocket) trustAll().getSocketFactory().createSocket(Grid.HOST, HTTPS_PORT)) {
            s.setSoTimeout(10_000);
            String b = body == null ? "" : body;
            String req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + HTTPS_PORT
                    + "\r\nAccept: text/html,application/json\r\nConnection: close\r\n"
                    + (body == null ? "" : "Content-Type: application/x-www-form-urlencoded\r\n")
                    + "Content-Length: " + b.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + b;
            OutputStream out = s.getOutputStream();
            out.write(req.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            String status = text.isEmpty() ? "" : text.substring(9, Math.min(12, text.length()));
            return new String[] {status, text};
        }
    }

    static SSLContext trustAll() {
        return trustAll(null);
    }

    static SSLContext trustAll(javax.net.ssl.KeyManager[] keys) {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(keys, new TrustManager[] {new X509ExtendedTrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket s) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket s) {
                }

                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine e) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return c;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
