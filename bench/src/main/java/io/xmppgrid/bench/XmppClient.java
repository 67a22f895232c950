package io.xmppgrid.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A lean XMPP client for load: one TLS socket (STARTTLS, TLS 1.3), SCRAM-SHA-256, a bound
 * resource, then stanzas as text to a handler called on the client's reader thread. It trusts any
 * server certificate: the benchmark measures servers, not PKI (all targets get the same treatment).
 */
final class XmppClient implements AutoCloseable {

    private static final Pattern CHALLENGE = Pattern.compile("<challenge[^>]*>([^<]*)</challenge>");
    private static final Pattern SUCCESS = Pattern.compile("<success[^>]*>([^<]*)</success>|<success[^>]*/>");
    private static final SSLContext TLS = trustAll();

    private final Socket plain;
    private SSLSocket tls;
    private OutputStream out;
    private InputStream in;
    private final BlockingQueue<String> handshake = new LinkedBlockingQueue<>();
    private volatile Consumer<String> handler;
    private final StanzaSplitter splitter = new StanzaSplitter(handshake::add);
    private final String domain;
    private Thread reader;
    private volatile boolean closing;
    final String jid;

    /** Connects, negotiates TLS, authenticates and binds; stanzas then go to {@link #onStanza}. */
    XmppClient(String host, int port, String domain, String user, String password, String resource) throws IOException {
        this.domain = domain;
        plain = new Socket();
        plain.connect(new InetSocketAddress(host, port), 10_000);
        plain.setTcpNoDelay(true);
        plain.setSoTimeout(30_000);
        out = plain.getOutputStream();
        in = plain.getInputStream();
        openStream();
        expect("<stream:features", "starttls");
        write("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        expect("<proceed", "TLS");
        tls = (SSLSocket) TLS.getSocketFactory().createSocket(plain, host, port, true);
        tls.setEnabledProtocols(new String[] {"TLSv1.3"});
        tls.startHandshake();
        out = tls.getOutputStream();
        in = tls.getInputStream();
        splitter.reset();
        openStream();
        expect("<stream:features", "SASL features");
        ScramClient scram = new ScramClient(user, password);
        write("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256'>"
                + b64(scram.clientFirst()) + "</auth>");
        String challenge = next("SASL challenge");
        Matcher m = CHALLENGE.matcher(challenge);
        if (!m.find()) {
            throw new IOException("SCRAM-SHA-256 refused for " + user + ": " + challenge);
        }
        write("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                + b64(scram.clientFinal(new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8)))
                + "</response>");
        String outcome = next("SASL outcome");
        Matcher s = SUCCESS.matcher(outcome);
        if (!s.find()) {
            throw new IOException("authentication failed for " + user + ": " + outcome);
        }
        String data = s.group(1);
        if (data != null && !data.isEmpty()
                && !scram.verifyServerFinal(new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8))) {
            throw new IOException("the server's SCRAM signature is wrong");
        }
        splitter.reset();
        openStream();
        expect("<stream:features", "bind features");
        write("<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>" + resource
                + "</resource></bind></iq>");
        String bound = next("bind");
        Matcher j = Pattern.compile("<jid>([^<]+)</jid>").matcher(bound);
        if (!j.find()) {
            throw new IOException("bind failed: " + bound);
        }
        jid = j.group(1);
        write("<presence/>"); // RFC 6121 §4.2: available, so that messages to the bare JID reach this session
        (tls == null ? plain : tls).setSoTimeout(0);
    }

    /** Starts handing stanzas to {@code h} on a reader thread of this client. */
    void onStanza(Consumer<String> h) {
        handler = h;
        handshake.forEach(h);
        handshake.clear();
        splitter.sink(h);
        reader = new Thread(this::read, "bench-" + jid);
        reader.setDaemon(true);
        reader.start();
    }

    /** Waits for the next element during setup (or after {@link #onStanza} was not called). */
    String next(String what) throws IOException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        byte[] b = new byte[16384];
        while (true) {
            String s = handshake.poll();
            if (s != null) {
                return s;
            }
            if (System.nanoTime() > end) {
                throw new IOException("timeout waiting for " + what);
            }
            int n = in.read(b);
            if (n < 0) {
                throw new IOException("closed while waiting for " + what);
            }
            splitter.feed(b, 0, n);
        }
    }

    /** Reads elements until one starts with {@code prefix} (the stream header is skipped). */
    private void expect(String prefix, String what) throws IOException {
        while (true) {
            String e = next(what);
            if (e.startsWith(prefix)) {
                return;
            }
            if (e.startsWith("<stream:error") || e.startsWith("<failure")) {
                throw new IOException(what + ": " + e);
            }
        }
    }

    private void openStream() throws IOException {
        write("<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' "
                + "to='" + domain + "' version='1.0'>");
    }

    void write(String xml) throws IOException {
        byte[] b = xml.getBytes(StandardCharsets.UTF_8);
        synchronized (this) {
            out.write(b);
            out.flush();
        }
    }

    private void read() {
        byte[] b = new byte[65536];
        try {
            int n;
            while ((n = in.read(b)) >= 0) {
                splitter.feed(b, 0, n);
                if (splitter.closed()) {
                    break;
                }
            }
        } catch (IOException e) {
            if (!closing) {
                handler.accept("<bench-closed reason='" + e.getMessage() + "'/>");
            }
        }
    }

    @Override
    public void close() {
        closing = true;
        try {
            write("</stream:stream>");
        } catch (IOException ignored) {
            // already gone
        }
        try {
            (tls == null ? plain : tls).close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static SSLContext trustAll() {
        try {
            SSLContext c = SSLContext.getInstance("TLSv1.3");
            c.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
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
