package io.xmppgrid.it;

import io.xmppgrid.security.ScramHash;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A deliberately simple XMPP client over a raw socket, for sending what no real client would:
 * it writes exact bytes and reads back text, so a test can assert the exact stream error.
 */
final class RawXmpp implements Closeable {

    static final String HEADER = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            + "xmlns:stream='http://etherx.jabber.org/streams' to='" + Grid.DOMAIN + "' version='1.0'>";

    private Socket socket;
    private Socket tcp; // the TCP socket under TLS, for dropping the connection like a network failure
    private InputStream in;
    private OutputStream out;
    private final StringBuilder received = new StringBuilder();
    private int consumed;
    private boolean eof;
    String features; // the last features read (PeerGrid.link sets those after authentication)

    private RawXmpp(Socket s) throws IOException {
        tcp = s;
        use(s);
    }

    private void use(Socket s) throws IOException {
        this.socket = s;
        s.setSoTimeout(200); // reads poll; awaits loop until their own deadline
        this.in = s.getInputStream();
        this.out = s.getOutputStream();
    }

    /** TCP to the STARTTLS port, nothing sent yet. */
    static RawXmpp plain() throws IOException {
        return plain(Grid.STARTTLS_PORT);
    }

    /** TCP to another server's STARTTLS port (a cluster's other node). */
    static RawXmpp plain(int port) throws IOException {
        return new RawXmpp(new Socket(Grid.HOST, port));
    }

    /** STARTTLS done, a new stream opened and its features read. */
    static RawXmpp secured() throws Exception {
        return secured(Grid.STARTTLS_PORT);
    }

    static RawXmpp secured(int port) throws Exception {
        return secured(port, "");
    }

    /**
     * STARTTLS, with {@code injected} sent in the clear right after {@code <starttls/>}, in the same write, before TLS:
     * what a man in the middle would inject (RFC 6120 §5.4.3.3).
     */
    static RawXmpp secured(int port, String injected) throws Exception {
        return startTls(port, HEADER, Grid.tls(), injected);
    }

    /** TCP to {@code port}, {@code header}, STARTTLS with {@code ctx} ({@code injected} right after it), the header again. */
    private static RawXmpp startTls(int port, String header, SSLContext ctx, String injected) throws Exception {
        RawXmpp x = plain(port);
        x.send(header);
        x.await("</stream:features>");
        x.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>" + injected);
        x.await("<proceed");
        SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(x.socket, Grid.HOST, port, true);
        tls.setSoTimeout(15_000); // the handshake may take longer than one poll interval
        tls.startHandshake();
        x.use(tls);
        x.skipAll();
        x.send(header);
        x.features = x.await("</stream:features>");
        return x;
    }

    /**
     * A peer grid's server-to-server stream (issue 24): TCP to {@code port}, {@code header} (a {@code jabber:server}
     * one), STARTTLS presenting the key of {@code ctx} (the peer server's), and the header again; its features read.
     */
    static RawXmpp s2s(int port, String header, SSLContext ctx) throws Exception {
        return startTls(port, header, ctx, "");
    }

    /** XEP-0368 direct TLS to {@code port} with {@code ctx}'s key, then {@code header}; its features read. */
    static RawXmpp s2sDirect(int port, String header, SSLContext ctx) throws Exception {
        SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(Grid.HOST, port);
        tls.setSoTimeout(15_000);
        tls.startHandshake();
        RawXmpp x = new RawXmpp(tls);
        x.send(header);
        x.features = x.await("</stream:features>");
        return x;
    }

    /** The stream features the server sent after TLS (for {@link #secured()}). */
    String lastFeatures() {
        return features;
    }

    /** Authenticated with SCRAM-SHA-256 and bound, ready for stanzas. */
    static RawXmpp bound(String user, String password) throws Exception {
        return bound(user, password, null);
    }

    /** Bound with the given resource (null: server-generated). */
    static RawXmpp bound(String user, String password, String resource) throws Exception {
        return bound(Grid.STARTTLS_PORT, user, password, resource);
    }

    /** Bound on the server listening on this STARTTLS port (a cluster's other node). */
    static RawXmpp bound(int port, String user, String password, String resource) throws Exception {
        RawXmpp x = secured(port);
        x.scramSha256(user, password);
        x.send(HEADER);
        x.await("</stream:features>");
        x.send("<iq type='set' id='bind1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                + (resource == null ? "" : "<resource>" + resource + "</resource>") + "</bind></iq>");
        x.bindResult = x.await("</iq>");
        return x;
    }

    private String bindResult = "";

    /** The answer to the bind request of {@link #bound} (with the full JID the server assigned). */
    String bindResult() {
        return bindResult;
    }

    /** RFC 5802 client side, enough to log in; fails if the server does not answer with success. */
    void scramSha256(String user, String password) throws Exception {
        scram(user, password, null, null, null);
    }

    /**
     * SCRAM-SHA-256, or SCRAM-SHA-256-PLUS when {@code cbType} is given, with the channel-binding
     * data the caller supplies (possibly wrong, on purpose).
     */
    void scram(String user, String password, String authzid, String cbType, byte[] cbData) throws Exception {
        ScramHash h = ScramHash.SHA_256;
        byte[] nonceBytes = new byte[18];
        new SecureRandom().nextBytes(nonceBytes);
        String cnonce = Base64.getEncoder().encodeToString(nonceBytes);
        String bare = "n=" + user + ",r=" + cnonce;
        String gs2 = (cbType == null ? "n" : "p=" + cbType) + "," + (authzid == null ? "" : "a=" + authzid) + ",";
        send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256" + (cbType == null ? "" : "-PLUS") + "'>"
                + b64(gs2 + bare) + "</auth>");
        String first = awaitAny("</challenge>", "</failure>");
        if (first.contains("</failure>")) {
            throw new AssertionError("authentication failed: " + first);
        }
        String challenge = new String(Base64.getDecoder().decode(textOf(first, "challenge")), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("r=([^,]+),s=([^,]+),i=(\\d+)").matcher(challenge);
        if (!m.find()) {
            throw new AssertionError("bad server-first-message " + challenge);
        }
        byte[] header = gs2.getBytes(StandardCharsets.UTF_8);
        byte[] cb = cbData == null ? new byte[0] : cbData;
        byte[] cbind = new byte[header.length + cb.length];
        System.arraycopy(header, 0, cbind, 0, header.length);
        System.arraycopy(cb, 0, cbind, header.length, cb.length);
        String withoutProof = "c=" + Base64.getEncoder().encodeToString(cbind) + ",r=" + m.group(1);
        byte[] salted = h.saltedPassword(password.toCharArray(), Base64.getDecoder().decode(m.group(2)),
                Integer.parseInt(m.group(3)));
        byte[] clientKey = h.hmac(salted, "Client Key");
        String authMessage = bare + "," + challenge + "," + withoutProof;
        byte[] sig = h.hmac(h.hash(clientKey), authMessage);
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ sig[i]);
        }
        send("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                + b64(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)) + "</response>");
        String outcome = awaitAny("<success", "</failure>");
        if (!outcome.contains("<success")) {
            throw new AssertionError("authentication failed: " + outcome);
        }
        skipAll();
    }

    /**
     * Starts SCRAM-SHA-256 for {@code user} and returns the server-first-message's salt and iteration count
     * ("s=...,i=..."), or the failure it got instead; the exchange is then aborted.
     */
    String scramSaltOf(String user) throws IOException {
        byte[] nonce = new byte[18];
        new SecureRandom().nextBytes(nonce);
        send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256'>"
                + b64("n,,n=" + user + ",r=" + Base64.getEncoder().encodeToString(nonce)) + "</auth>");
        String first = awaitAny("</challenge>", "</failure>");
        if (first.contains("</failure>")) {
            return first;
        }
        String challenge = new String(Base64.getDecoder().decode(textOf(first, "challenge")), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("s=([^,]+),i=(\\d+)").matcher(challenge);
        return m.find() ? "s=" + m.group(1) + ",i=" + m.group(2) : challenge;
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String textOf(String xml, String element) {
        Matcher m = Pattern.compile("<" + element + "[^>]*>([^<]*)</" + element + ">").matcher(xml);
        if (!m.find()) {
            throw new AssertionError("no <" + element + "> in " + xml);
        }
        return m.group(1);
    }

    /** The TLS session of this connection (after STARTTLS), or null. */
    javax.net.ssl.SSLSession tlsSession() {
        return socket instanceof SSLSocket ? ((SSLSocket) socket).getSession() : null;
    }

    /**
     * A ping round trip (XEP-0199): the server handles a stream's stanzas in order, so everything it sent in answer
     * to what came before has arrived once this returns. Returns the stanzas that arrived before the ping's answer.
     */
    String sync() throws IOException {
        send("<iq type='get' id='sync'><ping xmlns='urn:xmpp:ping'/></iq>");
        StringBuilder before = new StringBuilder();
        while (true) {
            String s = nextStanza(Topics.WAIT);
            if (s.contains("id=\"sync\"")) {
                return before.toString();
            }
            before.append(s);
        }
    }

    void send(String xml) throws IOException {
        send(xml.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads until the text received since the last await contains {@code marker}; returns that text. */
    String await(String marker) throws IOException {
        return await(marker, Duration.ofSeconds(15));
    }

    String await(String marker, Duration timeout) throws IOException {
        return awaitAny(timeout, marker);
    }

    String awaitAny(String... markers) throws IOException {
        return awaitAny(Duration.ofSeconds(15), markers);
    }

    String awaitAny(Duration timeout, String... markers) throws IOException {
        long end = System.nanoTime() + timeout.toNanos();
        String marker = String.join("|", markers);
        while (true) {
            for (String mk : markers) {
                int idx = received.indexOf(mk, consumed);
                if (idx >= 0) {
                    String s = received.substring(consumed, idx + mk.length());
                    consumed = idx + mk.length();
                    return s;
                }
            }
            if (eof) {
                throw new AssertionError("connection closed before '" + marker + "'; received: " + unread());
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("no '" + marker + "' within " + timeout + "; received: " + unread());
            }
            readSome();
        }
    }

    /**
     * The next complete top-level element the server sent (a stanza), as text. A small tag scanner:
     * the server writes no comments, CDATA or processing instructions.
     */
    String nextStanza(Duration timeout) throws IOException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            int endIdx = stanzaEnd();
            if (endIdx > 0) {
                int start = received.indexOf("<", consumed);
                String s = received.substring(start, endIdx);
                consumed = endIdx;
                return s;
            }
            if (eof || System.nanoTime() > end) {
                throw new AssertionError("no complete stanza; received: " + unread());
            }
            readSome();
        }
    }

    private int stanzaEnd() {
        int i = received.indexOf("<", consumed);
        if (i < 0) {
            return -1;
        }
        int depth = 0;
        while (i >= 0 && i < received.length()) {
            int close = tagEnd(i);
            if (close < 0) {
                return -1;
            }
            boolean endTag = received.charAt(i + 1) == '/';
            boolean selfClosing = received.charAt(close - 1) == '/';
            if (endTag) {
                depth--;
            } else if (!selfClosing) {
                depth++;
            }
            if (depth == 0) {
                return close + 1;
            }
            i = received.indexOf("<", close);
        }
        return -1;
    }

    private int tagEnd(int start) {
        char quote = 0;
        for (int j = start + 1; j < received.length(); j++) {
            char c = received.charAt(j);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                return j;
            }
        }
        return -1;
    }

    /** Waits for the server to close the connection; returns everything not yet consumed. */
    String awaitClose(Duration timeout) throws IOException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!eof) {
            if (System.nanoTime() > end) {
                throw new AssertionError("server did not close within " + timeout + "; received: " + unread());
            }
            readSome();
        }
        return unread();
    }

    /** Everything received on this stream so far (for assertion messages). */
    String transcript() {
        return received.toString();
    }

    String unread() {
        return received.substring(consumed);
    }

    private void skipAll() {
        consumed = received.length();
    }

    private void readSome() throws IOException {
        byte[] buf = new byte[8192];
        try {
            int n = in.read(buf);
            if (n < 0) {
                eof = true;
            } else {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.write(buf, 0, n);
                received.append(b.toString(StandardCharsets.UTF_8));
            }
        } catch (SocketTimeoutException e) {
            // nothing yet
        } catch (IOException e) {
            eof = true; // reset by peer counts as closed
        }
    }

    /** Drops the connection the way a network failure does: a TCP reset, no TLS close, no stream close. */
    void kill() throws IOException {
        tcp.setSoLinger(true, 0);
        tcp.close();
    }

    /** Closes the stream cleanly (RFC 6120 §4.4) and waits for the server's closing tag. */
    void closeStream() throws IOException {
        send("</stream:stream>");
        await("</stream:stream>");
        socket.close();
    }

    /** Authenticated but not bound: the features after SASL read, ready for bind or XEP-0198 resume. */
    static RawXmpp authenticated(String user, String password) throws Exception {
        return authenticated(Grid.STARTTLS_PORT, user, password);
    }

    static RawXmpp authenticated(int port, String user, String password) throws Exception {
        RawXmpp x = secured(port);
        x.scramSha256(user, password);
        x.send(HEADER);
        x.features = x.await("</stream:features>");
        return x;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
