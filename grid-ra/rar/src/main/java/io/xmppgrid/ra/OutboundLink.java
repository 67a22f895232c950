package io.xmppgrid.ra;

import io.xmppgrid.ra.api.PeerCredentials;
import io.xmppgrid.ra.api.PeerProbe;
import io.xmppgrid.security.PeerTrust;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.XmlElement;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import javax.net.ssl.SSLSocket;

/**
 * A link from this node to a peer grid (issue 24; RFC 6120 §4.7, §5, §6.4; XEP-0178): TCP, a
 * {@code jabber:server} header, STARTTLS (required: a peer that does not offer it is not linked),
 * TLS presenting this server's certificate, the peer server's chain judged against that peer's own
 * anchors, name and pin before anything else is sent, then SASL EXTERNAL and the restarted stream.
 * Blocking I/O with a timeout on every step; what the peer sends is parsed with the client streams'
 * parser and bounds. It serves {@link #probe} (how far a link gets, for an administrator) and {@link PeerOutbound}
 * (the node's link that carries stanzas to the peer, acknowledged with XEP-0198).
 */
final class OutboundLink implements Closeable {

    /** Why a link stopped, and at which step. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final String stage;

        Failure(String stage, String message) {
            super(message, null, false, false);
            this.stage = stage;
        }
    }

    private final XmppServer server;
    private final PeerCredentials peer;
    private final Socket tcp;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private StreamParser parser;
    private final byte[] buffer = new byte[8192];
    private String certificateSha256;
    private String protocol;
    /** The features of the current stream. */
    private XmlElement features;

    private OutboundLink(XmppServer server, PeerCredentials peer, Socket tcp) throws IOException {
        this.server = server;
        this.peer = peer;
        this.tcp = tcp;
        use(tcp);
    }

    /** Opens a link and reports how far it got; the link is closed again (an administrator's check). */
    static PeerProbe probe(XmppServer server, PeerCredentials peer, PeerCredentials.Endpoint at, int timeoutMillis) {
        long t0 = System.nanoTime();
        String address = at.toString();
        OutboundLink link = null;
        try {
            link = open(server, peer, at, timeoutMillis);
            Log.CONN.infof("GRIDRA0504: link to peer grid %s at %s authenticated both ways (probe)", peer.domain(), address);
            server.audit(peer.domain(), "s2s.link", "probed", "outbound to " + address + ", node "
                    + server.config().nodeName(), address);
            return new PeerProbe(true, "linked", "authenticated both ways", address, link.certificateSha256, link.protocol,
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (Failure f) {
            Log.CONN.warnf("GRIDRA0505: link to peer grid %s at %s failed at %s: %s", peer.domain(), address, f.stage,
                    f.getMessage());
            server.audit(peer.domain(), "s2s.link", "failed", "outbound to " + address + " at " + f.stage + ": "
                    + f.getMessage(), address);
            return new PeerProbe(false, f.stage, f.getMessage(), address, link == null ? null : link.certificateSha256,
                    link == null ? null : link.protocol, (System.nanoTime() - t0) / 1_000_000);
        } finally {
            if (link != null) {
                link.close();
            }
        }
    }

    /** Opens a link to {@code at}: STARTTLS, or TLS from the first byte (XEP-0368) when the endpoint says so. */
    static OutboundLink open(XmppServer server, PeerCredentials peer, PeerCredentials.Endpoint at, int timeoutMillis)
            throws Failure {
        String host = at.host();
        int port = at.port();
        if (!peer.enabled()) {
            throw new Failure("connect", "the peer is revoked");
        }
        Socket tcp = new Socket();
        OutboundLink link;
        try {
            tcp.connect(new InetSocketAddress(host, port), timeoutMillis);
            tcp.setSoTimeout(timeoutMillis);
            tcp.setTcpNoDelay(true);
            link = new OutboundLink(server, peer, tcp);
        } catch (IOException e) {
            closeQuietly(tcp);
            throw new Failure("connect", e.toString());
        }
        try {
            link.negotiate(at.directTls());
            return link;
        } catch (Failure f) {
            link.close();
            throw f;
        }
    }

    private void negotiate(boolean directTls) throws Failure {
        if (!directTls) {
            // RFC 6120 §5: TLS first, required
            XmlElement offered = restart("stream");
            if (offered.child("starttls", Ns.TLS) == null) {
                throw new Failure("starttls", "the peer offers no STARTTLS");
            }
            write("starttls", "<starttls xmlns=\"" + Ns.TLS + "\"/>");
            XmlElement proceed = element("starttls");
            if (!proceed.is("proceed", Ns.TLS)) {
                throw new Failure("starttls", "the peer answered <" + proceed.name() + "/>");
            }
        }
        startTls(); // XEP-0368: with direct TLS, before any byte of the stream
        // RFC 6120 §6.4, XEP-0178 §3: EXTERNAL with this server's certificate, the authzid left to the stream's 'from'
        XmlElement offered = restart("stream");
        XmlElement mechanisms = offered.child("mechanisms", Ns.SASL);
        boolean external = mechanisms != null && mechanisms.elements().stream()
                .anyMatch(m -> m.is("mechanism", Ns.SASL) && "EXTERNAL".equals(m.text().trim()));
        if (!external) {
            throw new Failure("sasl", "the peer does not offer SASL EXTERNAL");
        }
        write("sasl", "<auth xmlns=\"" + Ns.SASL + "\" mechanism=\"EXTERNAL\">=</auth>");
        XmlElement outcome = element("sasl");
        if (!outcome.is("success", Ns.SASL)) {
            XmlElement condition = outcome.elements().isEmpty() ? null : outcome.elements().get(0);
            throw new Failure("sasl", "the peer refused this grid: " + (condition == null ? outcome.name() : condition.name()));
        }
        restart("sasl");
    }

    /**
     * TLS presenting this server's certificate (SNI: the peer's domain), and the peer server's chain judged against the
     * peer's own anchors, name and pin: nothing goes over the link before the peer server is known to be the peer.
     */
    private void startTls() throws Failure {
        SSLSocket tls;
        try {
            tls = server.tls().s2sClient(tcp, peer.domain());
            tls.startHandshake();
            use(tls);
            protocol = tls.getSession().getProtocol();
        } catch (IOException e) {
            throw new Failure("tls", e.toString());
        }
        try {
            Certificate[] got = tls.getSession().getPeerCertificates();
            X509Certificate[] chain = Arrays.copyOf(got, got.length, X509Certificate[].class);
            certificateSha256 = PeerTrust.fingerprint(chain[0]);
            PeerTrust.of(peer.domain(), peer.trustAnchorsPem(), peer.pin()).verify(chain, Instant.now());
        } catch (IOException | CertificateException | IllegalArgumentException | ArrayStoreException e) {
            throw new Failure("certificate", e.getMessage());
        }
    }

    /**
     * Asks the peer to acknowledge stanzas (XEP-0198 §3 on a server-to-server stream): the id under which it keeps
     * its count for a later link to resume ("" when it cannot be resumed), or null when the peer does not acknowledge
     * stanzas (then a written stanza counts as delivered).
     */
    String enableAcks(int timeoutMillis) throws Failure {
        if (!features.elements().stream().anyMatch(f -> f.is("sm", Ns.SM))) {
            return null;
        }
        write("acks", "<enable xmlns=\"" + Ns.SM + "\" resume=\"true\"/>");
        XmlElement answer = element("acks", timeoutMillis);
        if (answer.is("enabled", Ns.SM)) {
            String id = answer.attribute("id");
            return id == null || !"true".equals(answer.attribute("resume")) && !"1".equals(answer.attribute("resume")) ? "" : id;
        }
        if (answer.is("failed", Ns.SM)) {
            return null;
        }
        throw new Failure("acks", "the peer answered <enable/> with <" + answer.name() + "/>");
    }

    /**
     * XEP-0198 §5: continues the count of the earlier link {@code previd}; returns how many of that link's stanzas the
     * peer handled, or -1 when it does not know that link any more (then acknowledgements are enabled afresh).
     */
    long resume(String previd, int timeoutMillis) throws Failure {
        if (!features.elements().stream().anyMatch(f -> f.is("sm", Ns.SM))) {
            return -1;
        }
        write("acks", "<resume xmlns=\"" + Ns.SM + "\" previd=\"" + previd + "\" h=\"0\"/>");
        XmlElement answer = element("acks", timeoutMillis);
        if (answer.is("resumed", Ns.SM)) {
            try {
                return Long.parseLong(answer.attribute("h"));
            } catch (NumberFormatException e) {
                throw new Failure("acks", "the peer's <resumed/> has no count");
            }
        }
        if (answer.is("failed", Ns.SM)) {
            return -1;
        }
        throw new Failure("acks", "the peer answered <resume/> with <" + answer.name() + "/>");
    }

    /** Writes stanzas (each a whole stanza, serialized) in one go. */
    void send(java.util.List<byte[]> stanzas) throws Failure {
        try {
            for (byte[] s : stanzas) {
                out.write(s);
            }
            out.flush();
        } catch (IOException e) {
            throw new Failure("send", e.toString());
        }
    }

    /**
     * XEP-0198 §4: asks the peer how many stanzas of this stream it has handled and waits for the answer (whitespace
     * keepalives and nothing else are skipped); the peer handles in order, so the answer covers everything before it.
     */
    long handled(int timeoutMillis) throws Failure {
        write("ack", "<r xmlns=\"" + Ns.SM + "\"/>");
        while (true) {
            XmlElement e = element("ack", timeoutMillis);
            if (e.is("a", Ns.SM)) {
                try {
                    return Long.parseLong(e.attribute("h"));
                } catch (NumberFormatException ex) {
                    throw new Failure("ack", "the peer's <a/> has no count");
                }
            }
            if (e.is("r", Ns.SM)) {
                write("ack", "<a xmlns=\"" + Ns.SM + "\" h=\"0\"/>"); // nothing of the peer's goes over this stream
            } else {
                throw new Failure("ack", "the peer sent <" + e.name() + "/> over a one-way stream");
            }
        }
    }

    /** The peer's address as connected. */
    String remoteAddress() {
        return String.valueOf(tcp.getRemoteSocketAddress());
    }

    /** Sends a new stream header and reads the peer's header and features (a new parser for the new stream). */
    private XmlElement restart(String stage) throws Failure {
        parser = new StreamParser(ServerConfig.UNAUTHENTICATED_STANZA_BYTES, server.config().maxDepth(),
                StreamParser.MAX_DISTINCT_NAMES_UNAUTHENTICATED);
        write(stage, "<?xml version='1.0'?><stream:stream xmlns=\"" + Ns.SERVER + "\" xmlns:stream=\"" + Ns.STREAM
                + "\" from=\"" + server.domain() + "\" to=\"" + peer.domain() + "\" version=\"1.0\">");
        StreamParser.Event header = event(stage);
        if (header.kind() != StreamParser.Kind.OPEN || !Ns.SERVER.equals(header.defaultNamespace())) {
            throw new Failure(stage, "the peer did not open a jabber:server stream");
        }
        XmlElement f = element(stage);
        if (!f.is("features", Ns.STREAM)) {
            throw new Failure(stage, "the peer sent <" + f.name() + "/> instead of its features");
        }
        features = f;
        return f;
    }

    private XmlElement element(String stage, int timeoutMillis) throws Failure {
        try {
            socket.setSoTimeout(timeoutMillis);
        } catch (IOException e) {
            throw new Failure(stage, e.toString());
        }
        return element(stage);
    }

    private XmlElement element(String stage) throws Failure {
        StreamParser.Event ev = event(stage);
        if (ev.kind() != StreamParser.Kind.ELEMENT) {
            throw new Failure(stage, "the peer closed the stream");
        }
        XmlElement e = ev.element();
        if (e.is("error", Ns.STREAM)) {
            XmlElement condition = e.elements().isEmpty() ? null : e.elements().get(0);
            throw new Failure(stage, "stream error <" + (condition == null ? "?" : condition.name()) + "/> from the peer");
        }
        return e;
    }

    private StreamParser.Event event(String stage) throws Failure {
        try {
            StreamParser.Event ev = parser.next(this::read, n -> { });
            if (ev == null) {
                throw new Failure(stage, "the peer closed the connection");
            }
            return ev;
        } catch (StreamFault f) {
            throw new Failure(stage, "the peer sent bad XML: " + f.getMessage());
        } catch (UncheckedIOException e) {
            throw new Failure(stage, e.getCause() instanceof SocketTimeoutException ? "no answer in time" : e.getCause().toString());
        }
    }

    /** A chunk from the socket, or null at its end (the parser's source). */
    private byte[] read() {
        try {
            int n = in.read(buffer);
            return n < 0 ? null : Arrays.copyOf(buffer, n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(String stage, String xml) throws Failure {
        try {
            out.write(xml.getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new Failure(stage, e.toString());
        }
    }

    private void use(Socket s) throws IOException {
        socket = s;
        in = s.getInputStream();
        out = s.getOutputStream();
    }

    @Override
    public void close() {
        try {
            out.write("</stream:stream>".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException ignored) {
            // closing anyway
        }
        closeQuietly(socket);
        closeQuietly(tcp);
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
