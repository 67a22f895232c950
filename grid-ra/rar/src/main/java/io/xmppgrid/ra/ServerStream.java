package io.xmppgrid.ra;

import io.xmppgrid.ra.api.InboundStanza;
import io.xmppgrid.ra.api.PeerCredentials;
import io.xmppgrid.security.PeerTrust;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.StanzaError;
import io.xmppgrid.xmpp.Stanzas;
import io.xmppgrid.xmpp.StreamError;
import io.xmppgrid.xmpp.XmlElement;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An inbound server-to-server stream of a peer grid (issue 24; RFC 6120 §4–§6, §13.7.2; XEP-0178):
 * the same connection, parser and limits as a client stream, with the trust model of RFC 8600
 * kept: the header must name a peer an administrator configured and has not revoked (anything else
 * is refused at once, with {@code <policy-violation/>}, and audited); TLS is required, with the
 * peer's certificate; the only SASL mechanism is EXTERNAL, and it succeeds only when that
 * certificate chains to the trust anchors configured for that very peer, names its domain and,
 * when pinned, carries the pinned key. Server dialback (XEP-0220) is not offered.
 *
 * <p>Stanzas over an authenticated link come from the peer's domain or a subdomain of it (its broker) and are for
 * this grid's domain or a subdomain; they go to the application as stanzas of those remote addresses (in
 * {@code jabber:client}), one at a time, and the peer may ask how many were handled (XEP-0198, the count resumable):
 * a stanza counts once the application's transaction for it ended.
 */
final class ServerStream implements Stream {

    private enum Phase { HEADER, NEGOTIATING, AUTHENTICATED, CLOSED }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int BATCH = 64;

    private final ClientConnection conn;
    private final XmppServer server;
    private final ServerConfig cfg;
    private final ScheduledFuture<?> authTimer;
    private StreamParser parser;
    private Phase phase = Phase.HEADER;
    private boolean headerSent;
    private String streamId;
    /** The peer's domain, from its first stream header (never changes afterwards). */
    private volatile String peerDomain;
    private PeerCredentials peer;
    private volatile boolean authenticated;
    private volatile String closeReason;
    private volatile boolean ended;
    private final Instant opened = Instant.now();
    private volatile long stanzas;
    /** XEP-0198: the count of stanzas this grid handled, when the peer asked for acknowledgements. */
    private XmppServer.S2sCount resumable;
    /** The peer's buckets on this node (its role template's rates), shared by its links; null: unlimited. */
    private RateLimits.Buckets buckets;
    private long bytesSinceStanza;
    private boolean suspended;

    ServerStream(ClientConnection conn, XmppServer server) {
        this.conn = conn;
        this.server = server;
        this.cfg = server.config();
        this.parser = newParser();
        this.authTimer = server.scheduler().schedule(this::authTimeout, cfg.authTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean hasWork() {
        if (closeReason != null) {
            return !ended;
        }
        return phase != Phase.CLOSED && !suspended && (conn.hasInbound() || (!parser.needsInput() && !parser.finished()));
    }

    @Override
    public synchronized void process() {
        if (closeReason != null) {
            end(closeReason);
            return;
        }
        int handled = 0;
        try {
            while (phase != Phase.CLOSED && !suspended && !conn.isClosed() && handled < BATCH) {
                StreamParser.Event ev = parser.next(conn::pollInbound, n -> bytesSinceStanza += n);
                if (ev == null) {
                    return;
                }
                handled++;
                switch (ev.kind()) {
                    case OPEN -> onStreamHeader(ev);
                    case ELEMENT -> onElement(ev.element());
                    case CLOSE -> {
                        phase = Phase.CLOSED;
                        end("the peer closed the stream");
                        conn.writeAndClose("</stream:stream>");
                        return;
                    }
                    default -> {
                    }
                }
            }
        } catch (StreamFault f) {
            fail(f.error(), f.getMessage());
        }
    }

    // ------------------------------------------------------------------ stream header (RFC 6120 §4.7, §4.8.2)

    private void onStreamHeader(StreamParser.Event ev) throws StreamFault {
        XmlElement h = ev.element();
        streamId = new BigInteger(80, RANDOM).toString(36);
        if (!h.is("stream", Ns.STREAM)) {
            throw new StreamFault(StreamError.INVALID_NAMESPACE, "the root element must be stream:stream");
        }
        if (!Ns.SERVER.equals(ev.defaultNamespace())) {
            throw new StreamFault(StreamError.INVALID_NAMESPACE, "the content namespace of this port is jabber:server");
        }
        String version = h.attribute("version");
        if (version == null || !version.startsWith("1.")) {
            throw new StreamFault(StreamError.UNSUPPORTED_VERSION, "XMPP version 1.0 is required (no dialback)");
        }
        Jid to = Jid.parseOrNull(h.attribute("to"));
        if (to == null || !to.equals(server.domain())) {
            throw new StreamFault(StreamError.HOST_UNKNOWN, "this server serves " + server.domain());
        }
        Jid from = Jid.parseOrNull(h.attribute("from"));
        if (from == null || !from.isDomain()) {
            throw new StreamFault(StreamError.INVALID_FROM, "a peer grid names its domain in 'from'");
        }
        if (peerDomain == null) {
            peerDomain = from.domainPart();
            PeerCredentials p;
            try {
                p = server.peer(peerDomain);
            } catch (jakarta.resource.spi.UnavailableException e) {
                throw new StreamFault(StreamError.RESOURCE_CONSTRAINT, "the peer list cannot be read now: try again");
            }
            if (p == null || !p.enabled()) {
                String why = p == null ? "not a peer of this grid" : "this grid revoked the peer";
                Log.CONN.warnf("GRIDRA0500: %s server-to-server stream from %s claiming %s refused: %s", conn.id(),
                        conn.remoteAddress(), peerDomain, why);
                server.audit(peerDomain, "s2s.link", "refused", why, conn.remoteAddress());
                throw new StreamFault(StreamError.POLICY_VIOLATION, why);
            }
            peer = p;
        } else if (!from.domainPart().equals(peerDomain)) {
            throw new StreamFault(StreamError.INVALID_FROM, "this stream belongs to " + peerDomain);
        }
        sendHeader();
        phase = Phase.NEGOTIATING;
        StringBuilder f = new StringBuilder(256).append("<stream:features>");
        if (!conn.isSecure()) {
            f.append("<starttls xmlns=\"").append(Ns.TLS).append("\"><required/></starttls>"); // RFC 6120 §5.3.1
        } else if (!authenticated) {
            if (conn.peerCertificate() == null) {
                throw new StreamFault(StreamError.POLICY_VIOLATION, "a peer grid authenticates with its certificate");
            }
            f.append("<mechanisms xmlns=\"").append(Ns.SASL).append("\"><mechanism>EXTERNAL</mechanism></mechanisms>");
        } else {
            phase = Phase.AUTHENTICATED; // RFC 6120 §6.4.6: after SASL, a server-to-server stream needs nothing more
            f.append("<sm xmlns=\"").append(Ns.SM).append("\"/>"); // XEP-0198 §2: acknowledgements, no resumption
        }
        f.append("</stream:features>");
        conn.write(f.toString());
    }

    private void sendHeader() {
        if (headerSent) {
            return;
        }
        headerSent = true;
        if (streamId == null) {
            streamId = new BigInteger(80, RANDOM).toString(36);
        }
        conn.write("<?xml version='1.0'?><stream:stream xmlns=\"" + Ns.SERVER + "\" xmlns:stream=\"" + Ns.STREAM
                + "\" id=\"" + streamId + "\" from=\"" + server.domain() + "\""
                + (peerDomain == null ? "" : " to=\"" + peerDomain + "\"") + " version=\"1.0\">");
    }

    // ------------------------------------------------------------------ negotiation

    private void onElement(XmlElement e) throws StreamFault {
        if (!conn.isSecure()) {
            if (e.is("starttls", Ns.TLS)) {
                parser = newParser();
                phase = Phase.HEADER;
                headerSent = false;
                conn.startTls("<proceed xmlns=\"" + Ns.TLS + "\"/>");
                return;
            }
            throw new StreamFault(StreamError.POLICY_VIOLATION, "TLS is required first (STARTTLS)");
        }
        if (!authenticated) {
            if (e.is("auth", Ns.SASL)) {
                external(e);
                return;
            }
            if (Ns.SASL.equals(e.namespace())) {
                conn.write(failure("aborted"));
                throw new StreamFault(StreamError.POLICY_VIOLATION, "authentication ended");
            }
            throw new StreamFault(StreamError.NOT_AUTHORIZED, "authentication is required first");
        }
        if (phase != Phase.AUTHENTICATED) {
            throw new StreamFault(StreamError.NOT_AUTHORIZED, "the stream restarts after authentication");
        }
        if (Ns.SM.equals(e.namespace())) {
            acknowledgements(e);
            return;
        }
        if (!Ns.SERVER.equals(e.namespace()) || !("message".equals(e.name()) || "presence".equals(e.name())
                || "iq".equals(e.name()))) {
            throw new StreamFault(StreamError.UNSUPPORTED_STANZA_TYPE, "unsupported element " + e.name());
        }
        // RFC 6120 §4.9.3.9, §8.1.2.1: whatever a peer sends must come from its own domain (or a service of it, such
        // as its broker) and be for ours
        Jid from = Jid.parseOrNull(e.attribute("from"));
        if (from == null || !within(from.domainPart(), peerDomain)) {
            throw new StreamFault(StreamError.INVALID_FROM, "stanzas over this link come from " + peerDomain);
        }
        Jid to = Jid.parseOrNull(e.attribute("to"));
        if (to == null || !within(to.domainPart(), server.domain().domainPart())) {
            throw new StreamFault(StreamError.HOST_UNKNOWN, "this link is for " + server.domain());
        }
        stanzas++;
        throttle();
        XmlElement stanza = Stanzas.inNamespace(e, Ns.SERVER, Ns.CLIENT); // the application handles jabber:client
        try {
            server.deliver(new InboundStanza(conn.id(), from, stanza));
        } catch (RuntimeException | jakarta.resource.spi.UnavailableException ex) {
            Log.CONN.errorf(ex, "GRIDRA0513: %s the application failed on a %s from %s (peer grid %s)", conn.id(),
                    e.name(), from, peerDomain);
            // nothing was stored or routed: the sender is told over this node's link to its grid
            String type = e.attribute("type");
            if (!"error".equals(type) && !"result".equals(type) && !"presence".equals(e.name())) {
                server.sendToPeer(peerDomain, Stanzas.error(stanza, StanzaError.INTERNAL_SERVER_ERROR, null));
            }
        }
        XmppServer.S2sCount count = resumable;
        if (count != null) {
            count.handledBy(this); // counted once the application is done with it: its transaction committed (XEP-0198 §4)
        }
    }

    /**
     * Rate limits per peer grid (issue 24): its links on this node share the buckets of its role template's rates; over
     * them the link pauses until the debt is paid (throttled, never dropped), and each second of it is audited once.
     */
    private void throttle() {
        RateLimits.Buckets b = buckets;
        long size = bytesSinceStanza;
        bytesSinceStanza = 0;
        if (b == null) {
            return;
        }
        long now = System.nanoTime();
        long wait = b.take(1, size, now);
        if (wait <= 0) {
            return;
        }
        int recent = b.violation(now);
        if (recent > 0) {
            Log.AUTH.infof("GRIDRA0514: %s peer grid %s over its rate limits: throttled %d ms (%d seconds of throttling in "
                    + "the last minute)", conn.id(), peerDomain, TimeUnit.NANOSECONDS.toMillis(wait), recent);
            server.audit(peerDomain, "limit.exceeded", "throttled", recent + " seconds throttled in the last minute",
                    conn.remoteAddress());
        }
        suspended = true;
        server.scheduler().schedule(() -> {
            synchronized (this) {
                suspended = false;
            }
            conn.schedule();
        }, wait, TimeUnit.NANOSECONDS);
    }

    /**
     * XEP-0198 on a server-to-server stream: the peer learns what this grid has handled, and a peer whose link broke
     * resumes the count on its next one (§5), so that it sends again only what this grid did not handle: nothing
     * twice, nothing lost. The count outlives the stream on this node for {@link XmppServer#S2S_RESUME_SECONDS}.
     */
    private void acknowledgements(XmlElement e) {
        if (e.is("enable", Ns.SM) || e.is("resume", Ns.SM)) {
            if (resumable != null) {
                conn.write("<failed xmlns=\"" + Ns.SM + "\"><unexpected-request xmlns=\"" + Ns.STANZA_ERRORS
                        + "\"/></failed>");
                return;
            }
            if (e.is("resume", Ns.SM)) {
                XmppServer.S2sCount previous = server.resumeS2s(e.attribute("previd"), peerDomain, this);
                if (previous == null) {
                    conn.write("<failed xmlns=\"" + Ns.SM + "\"><item-not-found xmlns=\"" + Ns.STANZA_ERRORS
                            + "\"/></failed>");
                    return;
                }
                resumable = previous;
                conn.write("<resumed xmlns=\"" + Ns.SM + "\" previd=\"" + previous.id + "\" h=\""
                        + (previous.handled() & 0xFFFFFFFFL) + "\"/>");
                return;
            }
            resumable = server.newS2sCount(peerDomain, this);
            conn.write("<enabled xmlns=\"" + Ns.SM + "\" id=\"" + resumable.id + "\" resume=\"true\"/>");
        } else if (e.is("r", Ns.SM) && resumable != null) {
            conn.write("<a xmlns=\"" + Ns.SM + "\" h=\"" + (resumable.handled() & 0xFFFFFFFFL) + "\"/>");
        }
        // <a/>: this stream carries nothing of ours to acknowledge
    }

    /** Whether {@code domain} is {@code base} or a subdomain of it. */
    private static boolean within(String domain, String base) {
        return domain.equals(base) || (domain.length() > base.length() + 1 && domain.endsWith(base)
                && domain.charAt(domain.length() - base.length() - 1) == '.');
    }

    /** SASL EXTERNAL (RFC 6120 §6.4, XEP-0178 §3): the certificate of the TLS handshake, judged for this peer alone. */
    private void external(XmlElement auth) throws StreamFault {
        if (!"EXTERNAL".equals(auth.attribute("mechanism"))) {
            conn.write(failure("invalid-mechanism"));
            return;
        }
        String text = auth.text().trim();
        if (!text.isEmpty() && !text.equals("=")) {
            String authzid;
            try {
                authzid = new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException ex) {
                conn.write(failure("incorrect-encoding"));
                throw new StreamFault(StreamError.POLICY_VIOLATION, "the authorization identity is not base64");
            }
            if (!authzid.equalsIgnoreCase(peerDomain)) {
                refuse("invalid-authzid", "asked to act as " + authzid);
            }
        }
        long lookedUp = System.nanoTime();
        try {
            peer = server.peer(peerDomain); // as it is now, not as it was at the header
        } catch (jakarta.resource.spi.UnavailableException ex) {
            conn.write(failure("temporary-auth-failure"));
            throw new StreamFault(StreamError.RESOURCE_CONSTRAINT, "the peer list cannot be read now: try again");
        }
        if (peer == null || !peer.enabled()) {
            refuse("not-authorized", "no longer a peer of this grid");
        }
        try {
            PeerTrust.of(peerDomain, peer.trustAnchorsPem(), peer.pin()).verify(conn.peerChain(), Instant.now());
        } catch (CertificateException | IllegalArgumentException ex) {
            refuse("not-authorized", ex.getMessage());
        }
        authenticated = true;
        if (server.endedSince(Jid.domain(peerDomain), lookedUp)) {
            authenticated = false; // revoked or removed while this stream authenticated: its end did not see it
            refuse("not-authorized", "revoked while authenticating");
        }
        authTimer.cancel(false);
        conn.authenticated();
        buckets = server.rateLimits().update(Jid.domain(peerDomain),
                new RateLimits.Limits(peer.stanzasPerSecond(), peer.bytesPerSecond()));
        parser = newParser();
        phase = Phase.HEADER;
        headerSent = false;
        conn.write("<success xmlns=\"" + Ns.SASL + "\"/>");
        Log.CONN.infof("GRIDRA0501: %s peer grid %s linked in from %s (certificate of its CA)", conn.id(), peerDomain,
                conn.remoteAddress());
        server.audit(peerDomain, "s2s.link", "up", "inbound, node " + cfg.nodeName(), conn.remoteAddress());
    }

    /** A failed EXTERNAL ends the stream: a peer grid has one certificate, and a second try would not change it. */
    private void refuse(String condition, String why) throws StreamFault {
        Log.AUTH.warnf("GRIDRA0502: %s peer grid %s from %s not authenticated: %s", conn.id(), peerDomain,
                conn.remoteAddress(), why);
        server.audit(peerDomain, "s2s.link", "refused", why, conn.remoteAddress());
        conn.write(failure(condition));
        throw new StreamFault(StreamError.NOT_AUTHORIZED, "not authenticated as " + peerDomain);
    }

    /** This stream as a link of its peer (null before its header named one). */
    io.xmppgrid.ra.api.PeerLink link(String connectionId, String remoteAddress) {
        String d = peerDomain;
        return d == null ? null : new io.xmppgrid.ra.api.PeerLink(d, "in", connectionId, remoteAddress, opened,
                authenticated, stanzas, 0);
    }

    /** The domain the peer's stream header named, or null before it. */
    String peerDomain() {
        return peerDomain;
    }

    private static String failure(String condition) {
        return "<failure xmlns=\"" + Ns.SASL + "\"><" + condition + "/></failure>";
    }

    private StreamParser newParser() {
        return authenticated
                ? new StreamParser(cfg.maxStanzaBytes(), cfg.maxDepth(), StreamParser.MAX_DISTINCT_NAMES)
                : new StreamParser(Math.min(cfg.maxStanzaBytes(), ServerConfig.UNAUTHENTICATED_STANZA_BYTES), cfg.maxDepth(),
                        StreamParser.MAX_DISTINCT_NAMES_UNAUTHENTICATED);
    }

    // ------------------------------------------------------------------ ending

    @Override
    public synchronized void fail(StreamError error, String text) {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        Log.CONN.infof("GRIDRA0120: %s stream error <%s/> to %s (server-to-server%s): %s", conn.id(), error.condition(),
                conn.remoteAddress(), peerDomain == null ? "" : ", " + peerDomain, text);
        if (conn.isTlsPending()) {
            conn.abort(error.condition() + " during the TLS handshake");
            return;
        }
        end("stream error <" + error.condition() + "/>: " + text);
        sendHeader();
        conn.writeAndClose(error.toXml(null, text, null) + "</stream:stream>");
    }

    @Override
    public void failFromOtherThread(StreamError error, String text) {
        try {
            server.workers().execute(() -> fail(error, text));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            conn.abort("listener stopping");
        }
    }

    @Override
    public void replacedBySameResource() {
        // a server-to-server stream binds no resource
    }

    @Override
    public void shutdown(String alternate) {
        failFromOtherThread(StreamError.SYSTEM_SHUTDOWN, "server shutting down");
    }

    @Override
    public boolean keepalive() {
        if (phase != Phase.AUTHENTICATED || conn.isClosed()) {
            return false;
        }
        conn.write(" "); // RFC 6120 §4.6.1: whitespace keepalive (the peer's stream is one-way)
        return false;
    }

    @Override
    public void connectionClosed(String reason) {
        closeReason = reason;
        authTimer.cancel(false);
    }

    private void authTimeout() {
        if (!authenticated && phase != Phase.CLOSED && !conn.isClosed()) {
            failFromOtherThread(StreamError.CONNECTION_TIMEOUT, "no authentication within " + cfg.authTimeout().toSeconds()
                    + " s");
        }
    }

    private void end(String reason) {
        if (ended) {
            return;
        }
        ended = true;
        phase = Phase.CLOSED;
        authTimer.cancel(false);
        if (authenticated) {
            Log.CONN.infof("GRIDRA0503: %s link from peer grid %s ended: %s", conn.id(), peerDomain, reason);
            server.audit(peerDomain, "s2s.link", "down", "inbound, node " + cfg.nodeName() + ": " + reason,
                    conn.remoteAddress());
        }
    }
}
