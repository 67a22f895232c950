package io.xmppgrid.ra;

import io.xmppgrid.ra.api.InboundStanza;
import io.xmppgrid.ra.api.PlatformCredentials;
import io.xmppgrid.ra.api.PlatformDirectory;
import io.xmppgrid.ra.api.SessionInfo;
import io.xmppgrid.security.CertificateIdentity;
import io.xmppgrid.security.SaslFailure;
import io.xmppgrid.security.ScramHash;
import io.xmppgrid.security.ScramServer;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.StanzaError;
import io.xmppgrid.xmpp.Stanzas;
import io.xmppgrid.xmpp.StreamError;
import io.xmppgrid.xmpp.XmlElement;
import io.xmppgrid.xmpp.XmlWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The RFC 6120 stream on one connection, from the first header to the last stanza: stream
 * headers and features (§4), STARTTLS (§5), SASL (§6), resource binding (§7), then stanzas
 * (§8) handed to the application. Runs on one worker at a time (the connection's serial
 * executor), so its fields need no locking.
 */
final class XmppStream implements Stream {

    private enum Phase { HEADER, NEGOTIATING, BOUND, CLOSED }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int BATCH = 64;
    private static final long BACKLOG_DEFER_MS = 1500;

    private final ClientConnection conn;
    private final XmppServer server;
    private final ServerConfig cfg;

    private StreamParser parser;
    private Phase phase = Phase.HEADER;
    private boolean headerSent;
    private boolean balanced;     // the connection's first header was offered to balancing
    private boolean authenticated;
    private String streamId;
    private Jid authenticatedJid; // bare
    private long authenticatedAt; // System.nanoTime()
    private PlatformCredentials credentials; // of the platform being authenticated
    private RateLimits.Buckets buckets;      // null: unlimited
    private long bytesSinceStanza;
    private Jid boundJid;         // full
    private int authFailures;
    private boolean suspended;    // waiting out an authentication-failure delay
    private ScramServer scram;
    private boolean externalPending;
    private Set<String> offeredMechanisms = Set.of();
    private BoundSession session;
    private boolean endedByStream; // a stream close or stream error ended it: not resumable
    private boolean peerClosed;    // the peer sent </stream:stream>
    private volatile boolean sessionEnded;
    private volatile String closeReason;
    private final ScheduledFuture<?> authTimer;

    XmppStream(ClientConnection conn, XmppServer server) {
        this.conn = conn;
        this.server = server;
        this.cfg = server.config();
        this.parser = newParser(false);
        this.authTimer = server.scheduler().schedule(this::authTimeout, cfg.authTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean hasWork() {
        if (closeReason != null) {
            return !sessionEnded;
        }
        return !suspended && phase != Phase.CLOSED
                && (conn.hasInbound() || (!parser.needsInput() && !parser.finished())
                || (session != null && session.backlogReady()));
    }

    /** Called by the worker: parse what has arrived and act on it. */
    @Override
    public synchronized void process() {
        if (closeReason != null) {
            endSession(closeReason);
            return;
        }
        try {
            parse();
        } finally {
            if (phase == Phase.BOUND && !conn.isClosed()) {
                drainBacklog();
            }
        }
    }

    private void parse() {
        int handled = 0;
        try {
            while (phase != Phase.CLOSED && !suspended && !conn.isClosed() && handled < BATCH) {
                StreamParser.Event ev = parser.next(conn::pollInbound, n -> bytesSinceStanza += n);
                if (ev == null) {
                    return;
                }
                handled++;
                switch (ev.kind()) {
                    case OPEN:
                        onStreamHeader(ev);
                        break;
                    case ELEMENT:
                        onElement(ev.element());
                        break;
                    case CLOSE:
                        Log.CONN.debugf("GRIDRA0106: %s peer closed the stream", conn.id());
                        phase = Phase.CLOSED;
                        endedByStream = true;
                        peerClosed = true;
                        // routing stops before our closing tag goes out: whatever is sent to the platform from
                        // now on is stored in order, not written to a closing stream and handed back behind later ones
                        endSession("peer closed the stream");
                        conn.writeAndClose("</stream:stream>");
                        return;
                    default:
                        break;
                }
            }
        } catch (StreamFault f) {
            fail(f.error(), f.getMessage(), f.applicationCondition());
        }
    }

    // ------------------------------------------------------------------ stream header (§4.7)

    private void onStreamHeader(StreamParser.Event ev) throws StreamFault {
        XmlElement h = ev.element();
        streamId = newId();
        if (!h.is("stream", Ns.STREAM)) {
            throw new StreamFault(StreamError.INVALID_NAMESPACE, "the root element must be stream:stream");
        }
        if (!Ns.CLIENT.equals(ev.defaultNamespace())) {
            throw new StreamFault(StreamError.INVALID_NAMESPACE, "the content namespace must be jabber:client");
        }
        String to = h.attribute("to");
        if (to != null) {
            Jid toJid = Jid.parseOrNull(to);
            if (toJid == null || !toJid.equals(server.domain())) {
                throw new StreamFault(StreamError.HOST_UNKNOWN, "this server serves " + server.domain());
            }
        }
        String version = h.attribute("version");
        if (version == null || !version.startsWith("1.")) {
            throw new StreamFault(StreamError.UNSUPPORTED_VERSION, "XMPP version 1.0 is required");
        }
        if (!balanced) {
            balanced = true; // a connection's first header only: not after STARTTLS or SASL
            String elsewhere = server.balance(conn.remoteHost());
            if (elsewhere != null) {
                // RFC 6120 §4.9.3.19: this node holds more than its share of the grid's sessions (issue 20)
                Log.CONN.infof("GRIDRA0016: %s from %s sent to %s (this node holds more than its share)", conn.id(),
                        conn.remoteAddress(), elsewhere);
                fail(StreamError.SEE_OTHER_HOST, "this node is busy: connect to " + elsewhere, null, elsewhere);
                return;
            }
        }
        sendHeader();
        phase = Phase.NEGOTIATING;
        StringBuilder f = new StringBuilder(512).append("<stream:features>");
        if (!conn.isSecure()) {
            // RFC 6120 §5.3.1: TLS is mandatory-to-negotiate here
            f.append("<starttls xmlns=\"").append(Ns.TLS).append("\"><required/></starttls>");
        } else if (!authenticated) {
            offeredMechanisms = mechanisms();
            f.append("<mechanisms xmlns=\"").append(Ns.SASL).append("\">");
            for (String m : offeredMechanisms) {
                f.append("<mechanism>").append(m).append("</mechanism>");
            }
            f.append("</mechanisms>");
            // XEP-0440: which channel-binding types we support
            f.append("<sasl-channel-binding xmlns=\"").append(Ns.SASL_CB).append("\">");
            for (String t : bindingTypes()) {
                f.append("<channel-binding type=\"").append(t).append("\"/>");
            }
            f.append("</sasl-channel-binding>");
            if (cfg.registration()) {
                // XEP-0077 §3.1: self-registration, approved by an administrator before the platform may log in
                f.append("<register xmlns=\"").append(Ns.REGISTER_FEATURE).append("\"/>");
            }
        } else {
            f.append("<bind xmlns=\"").append(Ns.BIND).append("\"/>");
            f.append("<sm xmlns=\"").append(Ns.SM).append("\"/>"); // XEP-0198
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
            streamId = newId();
        }
        conn.write("<?xml version='1.0'?><stream:stream xmlns=\"" + Ns.CLIENT + "\" xmlns:stream=\"" + Ns.STREAM
                + "\" id=\"" + streamId + "\" from=\"" + server.domain() + "\" version=\"1.0\" xml:lang=\"en\">");
    }

    private Set<String> mechanisms() {
        Set<String> m = new LinkedHashSet<>();
        m.add("SCRAM-SHA-256-PLUS");
        m.add("SCRAM-SHA-256");
        if (cfg.scramSha1()) {
            m.add("SCRAM-SHA-1-PLUS");
            m.add("SCRAM-SHA-1");
        }
        if (conn.peerCertificate() != null) {
            m.add("EXTERNAL"); // RFC 6120 §6.4.1: offered when the client presented a certificate
        }
        return m;
    }

    private List<String> bindingTypes() {
        List<String> types = new ArrayList<>(2);
        if (TlsContext.exporterBinding(conn.tlsSession()) != null) {
            types.add(TlsContext.TLS_EXPORTER);
        }
        types.add(TlsContext.TLS_SERVER_END_POINT);
        return types;
    }

    // ------------------------------------------------------------------ elements

    private void onElement(XmlElement e) throws StreamFault {
        if (phase == Phase.BOUND) {
            session.undefer();
            if (Ns.SM.equals(e.namespace())) {
                onSm(e);
            } else {
                onStanza(e);
                session.handled();
                throttle();
            }
            return;
        }
        if (!authenticated && (e.is("enable", Ns.SM) || e.is("resume", Ns.SM))) {
            // XEP-0198 §3: "The <enable/> element MUST NOT be sent before authentication has completed
            // successfully"; the server enforces the order with <failed/> (unexpected-request), and the
            // stream goes on (stream management errors are recoverable). <resume/> (§5) likewise needs the
            // authenticated identity whose session it resumes
            Log.CONN.debugf("GRIDRA0314: %s stream management refused before authentication", conn.id());
            smFailed(StanzaError.UNEXPECTED_REQUEST, null);
            return;
        }
        if (!conn.isSecure()) {
            if (e.is("starttls", Ns.TLS)) {
                resetParser();
                phase = Phase.HEADER;
                headerSent = false;
                conn.startTls("<proceed xmlns=\"" + Ns.TLS + "\"/>");
                return;
            }
            throw preNegotiation(e, "TLS is required first (STARTTLS)");
        }
        if (!authenticated) {
            if (Ns.SASL.equals(e.namespace())) {
                onSasl(e);
                return;
            }
            if (cfg.registration() && Stanzas.isIq(e) && e.child("query", Ns.REGISTER) != null) {
                onRegister(e);
                return;
            }
            throw preNegotiation(e, "authentication is required first");
        }
        if (Stanzas.isIq(e) && e.child("bind", Ns.BIND) != null && "set".equals(e.attribute("type"))) {
            onBind(e);
            return;
        }
        if (Ns.SM.equals(e.namespace())) {
            if (e.name().equals("resume")) {
                onResume(e);
            } else if (e.name().equals("enable")) {
                smFailed(StanzaError.UNEXPECTED_REQUEST, null); // XEP-0198 §3: after binding
            } else {
                throw new StreamFault(StreamError.UNSUPPORTED_STANZA_TYPE, "stream management is not enabled");
            }
            return;
        }
        if (Stanzas.isStanza(e)) {
            // RFC 6120 §7.1: nothing is processed before a resource is bound
            if (Stanzas.isIq(e) && !"error".equals(e.attribute("type")) && !"result".equals(e.attribute("type"))) {
                conn.write(XmlWriter.toXml(Stanzas.error(e.withAttribute("to", null), StanzaError.NOT_AUTHORIZED,
                        "bind a resource first"), Ns.CLIENT));
            }
            return;
        }
        throw new StreamFault(StreamError.UNSUPPORTED_STANZA_TYPE, "unexpected element " + e.name());
    }

    private StreamFault preNegotiation(XmlElement e, String text) {
        if (Stanzas.isStanza(e)) {
            return new StreamFault(StreamError.NOT_AUTHORIZED, text);
        }
        return new StreamFault(StreamError.POLICY_VIOLATION, text + " (got " + e.name() + ")");
    }

    // ------------------------------------------------------------------ XEP-0077 in-band registration

    private boolean registered;

    /**
     * XEP-0077 §3.1 before authentication (over TLS): the form, then one registration per stream,
     * at most {@value XmppServer#REGISTRATIONS_PER_ADDRESS} per address an hour. The platform is
     * created pending: it cannot log in until an administrator approves it.
     */
    private void onRegister(XmlElement iq) {
        String type = iq.attribute("type");
        XmlElement query = iq.child("query", Ns.REGISTER);
        XmlElement reply;
        if ("get".equals(type)) {
            reply = Stanzas.iqResult(iq, XmlElement.builder("query", Ns.REGISTER)
                    .textChild("instructions", "Choose a platform name and a password of at least 12 characters. "
                            + "An administrator must approve the platform before it can log in.")
                    .child(XmlElement.empty("username", Ns.REGISTER)).child(XmlElement.empty("password", Ns.REGISTER))
                    .build());
        } else if (!"set".equals(type)) {
            return; // results and errors are not answered
        } else if (query.child("remove", Ns.REGISTER) != null) {
            reply = Stanzas.error(iq, StanzaError.NOT_ALLOWED, "log in to remove an account");
        } else {
            reply = register(iq, query);
        }
        conn.write(XmlWriter.toXml(reply.withAttribute("to", null).withAttribute("from", null), Ns.CLIENT));
    }

    private XmlElement register(XmlElement iq, XmlElement query) {
        XmlElement u = query.child("username", Ns.REGISTER);
        XmlElement p = query.child("password", Ns.REGISTER);
        String password = p == null ? "" : p.text();
        String local;
        try {
            local = Jid.normalizeLocal(u == null ? "" : u.text().strip());
        } catch (IllegalArgumentException ex) {
            return Stanzas.error(iq, StanzaError.NOT_ACCEPTABLE, "the username is not a valid platform name");
        }
        if (password.length() < 12) {
            return Stanzas.error(iq, StanzaError.NOT_ACCEPTABLE, "the password needs at least 12 characters");
        }
        if (registered || !server.mayRegister(conn.remoteHost())) {
            Log.AUTH.warnf("GRIDRA0231: %s registration of %s refused: too many from %s", conn.id(), local, conn.remoteAddress());
            return Stanzas.error(iq, StanzaError.RESOURCE_CONSTRAINT, "too many registrations; try again later");
        }
        PlatformDirectory.Registration r;
        try {
            r = server.register(local, password, conn.remoteAddress());
        } catch (jakarta.resource.spi.UnavailableException ex) {
            return Stanzas.error(iq, StanzaError.SERVICE_UNAVAILABLE, "registration is not available now");
        }
        Log.AUTH.infof("GRIDRA0230: %s registration of %s from %s: %s", conn.id(), local, conn.remoteAddress(), r);
        return switch (r) {
            case PENDING -> {
                registered = true;
                yield Stanzas.iqResult(iq, null);
            }
            case CONFLICT -> Stanzas.error(iq, StanzaError.CONFLICT, "that name is taken");
            case TOO_MANY -> Stanzas.error(iq, StanzaError.RESOURCE_CONSTRAINT, "too many platforms await approval");
            case NOT_ACCEPTABLE -> Stanzas.error(iq, StanzaError.NOT_ACCEPTABLE, "the registration was not accepted");
        };
    }

    // ------------------------------------------------------------------ SASL (§6)

    private void onSasl(XmlElement e) throws StreamFault {
        switch (e.name()) {
            case "auth":
                onAuth(e);
                break;
            case "response":
                onResponse(e);
                break;
            case "abort":
                boolean inProgress = scram != null || externalPending;
                scram = null;
                externalPending = false;
                saslAborted(inProgress);
                break;
            default:
                throw new StreamFault(StreamError.UNSUPPORTED_STANZA_TYPE, "unexpected SASL element " + e.name());
        }
    }

    private void onAuth(XmlElement e) throws StreamFault {
        if (scram != null || externalPending) {
            throw new StreamFault(StreamError.POLICY_VIOLATION, "authentication already in progress");
        }
        String mech = e.attribute("mechanism");
        if (mech == null || !offeredMechanisms.contains(mech)) {
            conn.write(saslFailureXml("invalid-mechanism"));
            return;
        }
        byte[] initial;
        try {
            initial = decode(e.text());
        } catch (IllegalArgumentException ex) {
            conn.write(saslFailureXml("incorrect-encoding"));
            return;
        }
        if (mech.equals("EXTERNAL")) {
            if (initial == null) {
                externalPending = true;
                conn.write("<challenge xmlns=\"" + Ns.SASL + "\"/>");
                return;
            }
            external(initial);
            return;
        }
        ScramHash hash = mech.startsWith("SCRAM-SHA-256") ? ScramHash.SHA_256 : ScramHash.SHA_1;
        boolean plus = mech.endsWith("-PLUS");
        scram = new ScramServer(hash, plus, true, Set.copyOf(bindingTypes()), this::channelBinding,
                server.simulationSecret());
        if (initial == null) {
            conn.write("<challenge xmlns=\"" + Ns.SASL + "\"/>");
            return;
        }
        scramFirst(initial);
    }

    private void onResponse(XmlElement e) throws StreamFault {
        byte[] data;
        try {
            data = decode(e.text());
        } catch (IllegalArgumentException ex) {
            scram = null;
            externalPending = false;
            conn.write(saslFailureXml("incorrect-encoding"));
            return;
        }
        if (externalPending) {
            externalPending = false;
            external(data == null ? new byte[0] : data);
            return;
        }
        if (scram == null) {
            throw new StreamFault(StreamError.POLICY_VIOLATION, "SASL response without auth");
        }
        if (scram.username() == null) {
            scramFirst(data == null ? new byte[0] : data);
            return;
        }
        ScramServer s = scram;
        scram = null;
        try {
            byte[] serverFinal = s.clientFinal(data == null ? new byte[0] : data);
            succeed(Jid.of(s.username(), server.domain().domainPart(), null), s.mechanism(),
                    Base64.getEncoder().encodeToString(serverFinal));
        } catch (SaslFailure f) {
            saslFailure(f.condition(), s.username(), s.mechanism() + ": " + f.getMessage());
        }
    }

    private void scramFirst(byte[] clientFirst) throws StreamFault {
        ScramServer s = scram;
        try {
            ScramServer.ClientFirst cf = s.clientFirst(clientFirst);
            String local;
            try {
                local = Jid.normalizeLocal(cf.username());
            } catch (IllegalArgumentException ex) {
                throw SaslFailure.notAuthorized("username is not a valid localpart");
            }
            checkAuthzid(cf.authzid(), local);
            PlatformCredentials creds = server.lookup(local);
            credentials = creds;
            PlatformCredentials.ScramKeys keys = null;
            if (creds != null && creds.enabled()) {
                keys = creds.scramFor(s.mechanism().startsWith("SCRAM-SHA-256") ? "SHA-256" : "SHA-1");
            }
            // simulated (unknown name) per account name, as looked up, with an iteration count accounts have
            byte[] challenge = keys != null ? s.serverFirst(keys, local)
                    : s.serverFirst(null, local, server.scramIterations(s.mechanism().startsWith("SCRAM-SHA-256") ? "SHA-256" : "SHA-1"));
            conn.write("<challenge xmlns=\"" + Ns.SASL + "\">" + Base64.getEncoder().encodeToString(challenge) + "</challenge>");
        } catch (SaslFailure f) {
            scram = null;
            saslFailure(f.condition(), s.username(), s.mechanism() + ": " + f.getMessage());
        } catch (jakarta.resource.spi.UnavailableException ex) {
            scram = null;
            conn.write(saslFailureXml("temporary-auth-failure"));
        }
    }

    /** RFC 6120 §6.3.8: an authzid must name the authenticated identity itself. */
    private void checkAuthzid(String authzid, String local) throws SaslFailure {
        if (authzid == null || authzid.isEmpty()) {
            return;
        }
        Jid requested = Jid.parseOrNull(authzid);
        Jid self = Jid.of(local, server.domain().domainPart(), null);
        if (requested == null || !requested.equals(self)) {
            throw new SaslFailure("invalid-authzid", "authzid " + authzid + " is not " + self);
        }
    }

    /** SASL EXTERNAL with the TLS client certificate (XEP-0178). */
    private void external(byte[] authzidBytes) throws StreamFault {
        X509Certificate cert = conn.peerCertificate();
        String authzid = new String(authzidBytes, StandardCharsets.UTF_8);
        try {
            if (cert == null) {
                throw SaslFailure.notAuthorized("no client certificate");
            }
            List<Jid> ids = CertificateIdentity.clientIdentities(cert, server.domain());
            Jid identity;
            if (!authzid.isEmpty()) {
                Jid requested = Jid.parseOrNull(authzid);
                if (requested == null || !ids.contains(requested.bare()) || requested.resource() != null) {
                    throw new SaslFailure("invalid-authzid", "authzid " + authzid + " is not in the certificate");
                }
                identity = requested;
            } else if (ids.size() == 1) {
                identity = ids.get(0);
            } else {
                throw SaslFailure.notAuthorized(ids.isEmpty()
                        ? "the certificate has no xmppAddr for " + server.domain()
                        : "the certificate names several platforms and no authzid chose one");
            }
            String serial = cert.getSerialNumber().toString(16);
            PlatformCredentials creds = server.lookup(identity.local());
            credentials = creds;
            if (creds == null || !creds.enabled()) {
                throw SaslFailure.notAuthorized("platform " + identity + " unknown or disabled");
            }
            if (creds.revokedCertificateSerials().contains(serial)) {
                throw SaslFailure.notAuthorized("certificate " + serial + " of " + identity + " is revoked");
            }
            if (!server.tls().issuedByGridCa(cert)) {
                OperatorRevocation r = server.operatorRevocation();
                if (r != null) {
                    checkOperatorRevocation(r, identity, serial);
                    return;
                }
                succeed(identity, "EXTERNAL", null); // an operator CA's, revocation not checked (GRIDRA0015)
                return;
            }
            try {
                if (server.tls().crl().revoked(cert)) {
                    throw SaslFailure.notAuthorized("certificate " + serial + " of " + identity + " is on the CRL");
                }
            } catch (CrlCheck.Unusable u) {
                Log.AUTH.warnf("GRIDRA0207: %s EXTERNAL for %s refused: %s", conn.id(), identity, u.getMessage());
                conn.write(saslFailureXml("temporary-auth-failure"));
                return;
            }
            succeed(identity, "EXTERNAL", null);
        } catch (SaslFailure f) {
            saslFailure(f.condition(), authzid.isEmpty() ? null : authzid, "EXTERNAL: " + f.getMessage());
        } catch (jakarta.resource.spi.UnavailableException ex) {
            conn.write(saslFailureXml("temporary-auth-failure"));
        }
    }

    /**
     * RFC 8600 §8.3.1 for an operator CA's certificate (issue 19 §6): the stream reads nothing more until its status is
     * known (CRL distribution points, OCSP, on the revocation pool); good signs in, revoked is {@code <not-authorized/>},
     * undetermined is {@code <temporary-auth-failure/>} (fail closed).
     */
    private void checkOperatorRevocation(OperatorRevocation r, Jid identity, String serial) {
        suspended = true;
        java.util.concurrent.CompletableFuture<OperatorRevocation.Result> asked;
        try {
            asked = r.check(conn.peerChain());
        } catch (java.util.concurrent.RejectedExecutionException e) {
            asked = java.util.concurrent.CompletableFuture.completedFuture(
                    new OperatorRevocation.Result(OperatorRevocation.Status.UNKNOWN, "too many checks waiting"));
        }
        asked.orTimeout(30, TimeUnit.SECONDS).whenComplete((result, failure) -> {
            try {
                server.workers().execute(() -> {
                    synchronized (this) {
                        suspended = false;
                        if (phase == Phase.CLOSED || conn.isClosed() || closeReason != null) {
                            return;
                        }
                        OperatorRevocation.Result res = failure != null || result == null
                                ? new OperatorRevocation.Result(OperatorRevocation.Status.UNKNOWN, String.valueOf(failure)) : result;
                        switch (res.status()) {
                            case GOOD -> succeed(identity, "EXTERNAL", null);
                            case REVOKED -> saslFailure("not-authorized", identity.toString(), "EXTERNAL: certificate "
                                    + serial + " of " + identity + " is revoked by its CA: " + res.why());
                            default -> {
                                Log.AUTH.warnf("GRIDRA0208: %s EXTERNAL for %s refused: the revocation status of certificate"
                                        + " %s cannot be determined: %s", conn.id(), identity, serial, res.why());
                                conn.write(saslFailureXml("temporary-auth-failure"));
                            }
                        }
                    }
                    conn.schedule();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the listener stops
            }
        });
    }

    private byte[] channelBinding(String type) {
        if (TlsContext.TLS_SERVER_END_POINT.equals(type)) {
            return server.tls().serverEndPointBinding();
        }
        if (TlsContext.TLS_EXPORTER.equals(type)) {
            return TlsContext.exporterBinding(conn.tlsSession());
        }
        return null;
    }

    private void succeed(Jid jid, String mechanism, String additionalData) {
        authenticated = true;
        authenticatedJid = jid.bare();
        authenticatedAt = System.nanoTime();
        PlatformCredentials c = credentials;
        buckets = c == null ? null : server.rateLimits().update(authenticatedJid,
                new RateLimits.Limits(c.stanzasPerSecond(), c.bytesPerSecond()));
        server.throttle().success(conn.remoteHost(), jid.local());
        conn.authenticated();
        Log.AUTH.infof("GRIDRA0201: %s authenticated %s with %s from %s", conn.id(), authenticatedJid, mechanism,
                conn.remoteAddress());
        server.audit(authenticatedJid.toString(), "auth", "ok", mechanism, conn.remoteAddress());
        resetParser();
        phase = Phase.HEADER;
        headerSent = false;
        conn.write(additionalData == null ? "<success xmlns=\"" + Ns.SASL + "\"/>"
                : "<success xmlns=\"" + Ns.SASL + "\">" + additionalData + "</success>");
    }

    /**
     * RFC 6120 §6.4.3: the client aborts (an exchange, or nothing: it costs the same). Answered with {@code <aborted/>};
     * it counts as an attempt, so a stream that keeps aborting ends after {@code grid.maxAuthAttempts} with
     * {@code <policy-violation/>} (§6.4.5). Neither logged above DEBUG nor audited one by one: a flood of aborts would
     * otherwise cost every platform of the node its share of the workers and the log; the stream's end is logged.
     */
    private void saslAborted(boolean inProgress) {
        authFailures++;
        Log.AUTH.debugf("GRIDRA0202: %s authentication aborted by %s (%s, attempt %d)", conn.id(), conn.remoteAddress(),
                inProgress ? "exchange in progress" : "no exchange", authFailures);
        conn.write(saslFailureXml("aborted"));
        if (authFailures >= cfg.maxAuthAttempts()) {
            fail(StreamError.POLICY_VIOLATION, "too many failed or aborted authentication attempts");
        }
    }

    private void saslFailure(String condition, String username, String why) {
        authFailures++;
        Log.AUTH.warnf("GRIDRA0202: %s authentication failed from %s (%s, attempt %d): %s", conn.id(),
                conn.remoteAddress(), condition, authFailures, why);
        server.audit(username == null ? null : auditName(username), "auth", condition, why, conn.remoteAddress());
        long delay = server.throttle().failure(conn.remoteHost(), username, System.currentTimeMillis());
        suspended = true;
        boolean last = authFailures >= cfg.maxAuthAttempts();
        server.scheduler().schedule(() -> server.workers().execute(() -> {
            synchronized (this) {
                conn.write(saslFailureXml(condition));
                if (last) {
                    // RFC 6120 §6.4.5: too many retries
                    fail(StreamError.POLICY_VIOLATION, "too many failed authentication attempts");
                    return;
                }
                suspended = false;
            }
            conn.schedule();
        }), delay, TimeUnit.MILLISECONDS);
    }

    /** The platform a failed attempt named, as a bare JID when it is a valid localpart. */
    private String auditName(String username) {
        try {
            return Jid.of(Jid.normalizeLocal(username), server.domain().domainPart(), null).toString();
        } catch (IllegalArgumentException e) {
            return username.length() > 64 ? username.substring(0, 64) : username;
        }
    }

    private static String saslFailureXml(String condition) {
        return "<failure xmlns=\"" + Ns.SASL + "\"><" + condition + "/></failure>";
    }

    private static byte[] decode(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return null;
        }
        if (t.equals("=")) {
            return new byte[0];
        }
        return Base64.getDecoder().decode(t);
    }

    // ------------------------------------------------------------------ resource binding (§7)

    private void onBind(XmlElement iq) throws StreamFault {
        refuseIfEndedSinceAuthentication();
        XmlElement bind = iq.child("bind", Ns.BIND);
        XmlElement res = bind.child("resource", Ns.BIND);
        String requested = res == null ? "" : res.text().trim();
        Jid full;
        if (requested.isEmpty()) {
            full = authenticatedJid.withResource(newId());
        } else {
            try {
                full = authenticatedJid.withResource(requested);
            } catch (IllegalArgumentException ex) {
                conn.write(XmlWriter.toXml(Stanzas.error(iq, StanzaError.BAD_REQUEST, "invalid resourcepart"), Ns.CLIENT));
                return;
            }
        }
        BoundSession existing = server.sessions().session(full);
        if (ServerConfig.REFUSE.equals(cfg.resourceConflict())
                && (existing != null && existing.connection() != conn || existing == null && server.sessions().boundElsewhere(full))) {
            // RFC 6120 §7.7.2.2: refuse the new session
            conn.write(XmlWriter.toXml(Stanzas.error(iq, StanzaError.CONFLICT, "resource in use"), Ns.CLIENT));
            return;
        }
        SessionInfo info = new SessionInfo(full, cfg.nodeName(), conn.id(), Instant.now(), conn.remoteAddress(),
                cfg.availableOnBind(), 0);
        BoundSession s = new BoundSession(conn, info, cfg.maxOutboundBytes());
        // RFC 6120 §7.6.1: the result first; once the session is registered, stanzas routed to it (a notification from
        // another node, one rerouted from a stopping node) are written at once and must not overtake it
        XmlElement result = Stanzas.iqResult(iq.withAttribute("from", null).withAttribute("to", null),
                XmlElement.builder("bind", Ns.BIND).textChild("jid", full.toString()).build());
        conn.write(XmlWriter.toXml(result, Ns.CLIENT));
        if (cfg.availableOnBind()) {
            // live stanzas routed to it from now on wait behind its stored messages, as after initial presence
            s.wantBacklogDeferred();
        }
        BoundSession displaced = server.sessions().register(s);
        if (displaced != null && displaced != s) {
            // RFC 6120 §7.7.2.2: the older session is terminated with <conflict/>
            ClientConnection dc = displaced.connection();
            Log.CONN.infof("GRIDRA0301: %s replaces %s for %s", conn.id(), displaced.id(), full);
            if (dc != null) {
                dc.replaced();
            } else {
                server.workers().execute(() -> server.finish(displaced, displaced.endIfDetached(),
                        "replaced by a new session with the same resource", false));
            }
        }
        session = s;
        boundJid = full;
        phase = Phase.BOUND;
        authTimer.cancel(false);
        Log.CONN.infof("GRIDRA0300: %s bound %s", conn.id(), full);
        server.audit(full.bare().toString(), "session.start", "ok", full.resource(), conn.remoteAddress());
        if (cfg.availableOnBind()) {
            // stored messages for a platform that may never send presence: after its next element
            // (typically <enable/>) or a moment, so that stream management can cover them
            server.scheduler().schedule(() -> {
                if (s.undefer()) {
                    conn.schedule();
                }
            }, BACKLOG_DEFER_MS, TimeUnit.MILLISECONDS);
        }
    }

    // ------------------------------------------------------------------ stream management (XEP-0198)

    private void onSm(XmlElement e) throws StreamFault {
        switch (e.name()) {
            case "enable":
                if (session.smEnabled()) {
                    smFailed(StanzaError.UNEXPECTED_REQUEST, null);
                    return;
                }
                String resume = e.attribute("resume");
                boolean resumable = ("true".equals(resume) || "1".equals(resume)) && !cfg.resumeTimeout().isZero();
                String id = resumable ? server.resumptionIds().issue(boundJid) : null;
                String enabled = "<enabled xmlns=\"" + Ns.SM + "\""
                        + (resumable ? " id=\"" + id + "\" resume=\"true\" max=\"" + cfg.resumeTimeout().toSeconds() + "\"" : "")
                        + "/>";
                session.enableSm(id, enabled);
                if (resumable) {
                    server.sessions().resumable(id, session);
                }
                Log.CONN.debugf("GRIDRA0310: %s stream management enabled for %s%s", conn.id(), boundJid,
                        resumable ? " (resumable)" : "");
                return;
            case "r":
                if (!session.smEnabled()) {
                    throw new StreamFault(StreamError.UNSUPPORTED_STANZA_TYPE, "stream management is not enabled");
                }
                conn.write("<a xmlns=\"" + Ns.SM + "\" h=\"" + session.handledCount() + "\"/>");
                return;
            case "a":
                if (!session.smEnabled()) {
                    throw new StreamFault(StreamError.UNSUPPORTED_STANZA_TYPE, "stream management is not enabled");
                }
                long h = parseH(e.attribute("h"));
                long[] ids = session.acknowledge(h);
                if (ids == null) {
                    throw handledCountTooHigh(h);
                }
                server.delivered(session.info(), ids);
                return;
            case "resume":
                smFailed(StanzaError.UNEXPECTED_REQUEST, null);
                return;
            default:
                throw new StreamFault(StreamError.UNSUPPORTED_STANZA_TYPE, "unexpected element " + e.name());
        }
    }

    /** XEP-0198 §5: resumption instead of binding, on a newly authenticated stream. */
    private void onResume(XmlElement e) throws StreamFault {
        refuseIfEndedSinceAuthentication();
        long h = parseH(e.attribute("h"));
        String previd = e.attribute("previd");
        BoundSession s = previd == null ? null : server.sessions().byResumeId(previd);
        if (s == null && previd != null) {
            String issuer = server.resumptionIds().issuer(previd, authenticatedJid);
            if (issuer != null) {
                resumeElsewhere(issuer, previd, h);
                return;
            }
        }
        if (s == null || !s.jid().bare().equals(authenticatedJid)) {
            Log.CONN.infof("GRIDRA0312: %s resumption of %s by %s refused: no such session", conn.id(), previd,
                    authenticatedJid);
            smFailed(StanzaError.ITEM_NOT_FOUND, null);
            return;
        }
        long[][] confirmed = new long[1][];
        String resumed = "<resumed xmlns=\"" + Ns.SM + "\" previd=\"" + previd + "\" h=\"" + s.handledCount() + "\"/>";
        ClientConnection old = s.resume(conn, h, resumed, confirmed);
        server.sessions().changed(s);
        if (old == null) {
            if (s.isEnded()) {
                smFailed(StanzaError.ITEM_NOT_FOUND, null);
                return;
            }
            throw handledCountTooHigh(h);
        }
        session = s;
        boundJid = s.jid();
        phase = Phase.BOUND;
        authTimer.cancel(false);
        if (old != conn) {
            old.abort("session taken over by " + conn.id());
        }
        Log.CONN.infof("GRIDRA0313: %s resumed session %s of %s (peer had handled %d)", conn.id(), s.id(), boundJid, h);
        server.audit(boundJid.bare().toString(), "session.resume", "ok", boundJid.resource(), conn.remoteAddress());
        server.delivered(s.info(), confirmed[0]);
    }

    /** How long a stream waits for another node to hand a session over before it is told {@code <failed/>}. */
    private static final long TAKE_OVER_MS = 5_000;

    /**
     * XEP-0198 §5 across cluster nodes (issue 20): the id is genuine and this platform's, but the session is not here.
     * The stream reads nothing more until the node that holds it has handed it over (or said it does not hold it, at
     * once when its node is gone), then goes on as resumed or with {@code <failed/>}.
     */
    private void resumeElsewhere(String issuer, String previd, long h) {
        suspended = true;
        java.util.concurrent.CompletionStage<io.xmppgrid.ra.api.MovedSession> asked =
                server.sessions().takeOver(issuer, previd, authenticatedJid, h);
        asked.toCompletableFuture().orTimeout(TAKE_OVER_MS, TimeUnit.MILLISECONDS).whenComplete((moved, failure) -> {
            try {
                server.workers().execute(() -> {
                    synchronized (this) {
                        suspended = false;
                        tookOver(previd, h, moved, failure);
                    }
                    conn.schedule();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                handBack(moved); // the listener stops
            }
        });
    }

    private void tookOver(String previd, long h, io.xmppgrid.ra.api.MovedSession moved, Throwable failure) {
        if (phase == Phase.CLOSED || conn.isClosed() || closeReason != null) {
            handBack(moved); // the peer went away meanwhile: what it had not acknowledged is routed again
            return;
        }
        if (failure != null || moved == null || moved.outcome() == io.xmppgrid.ra.api.MovedSession.Outcome.NOT_FOUND) {
            Log.CONN.infof("GRIDRA0312: %s resumption of %s by %s refused: %s", conn.id(), previd, authenticatedJid,
                    failure != null ? "no node handed the session over: " + failure : "no node holds the session");
            smFailed(StanzaError.ITEM_NOT_FOUND, null);
            return;
        }
        if (moved.outcome() == io.xmppgrid.ra.api.MovedSession.Outcome.HANDLED_COUNT_TOO_HIGH) {
            StreamFault f = handledCountTooHigh(h, moved.sent());
            fail(f.error(), f.getMessage(), f.applicationCondition());
            return;
        }
        Jid full = Jid.parse(moved.fullJid());
        SessionInfo info = new SessionInfo(full, cfg.nodeName(), conn.id(), moved.since(), conn.remoteAddress(),
                moved.available(), moved.priority());
        BoundSession s = BoundSession.moved(conn, info, cfg.maxOutboundBytes(), previd, moved.handled(), h);
        BoundSession displaced = server.sessions().register(s);
        if (displaced != null && displaced != s) {
            ClientConnection dc = displaced.connection(); // bound here meanwhile: RFC 6120 §7.7.2.2, the older one goes
            if (dc != null) {
                dc.replaced();
            } else {
                server.workers().execute(() -> server.finish(displaced, displaced.endIfDetached(),
                        "replaced by a session resumed from another node", false));
            }
        }
        server.sessions().resumable(previd, s);
        session = s;
        boundJid = full;
        phase = Phase.BOUND;
        authTimer.cancel(false);
        s.resumeMoved("<resumed xmlns=\"" + Ns.SM + "\" previd=\"" + previd + "\" h=\"" + moved.handled() + "\"/>",
                parsed(moved.first()), parsed(moved.afterStored()));
        Log.CONN.infof("GRIDRA0318: %s resumed session %s of %s from another node (peer had handled %d; %d stanzas sent again)",
                conn.id(), previd, full, h, moved.first().size() + moved.afterStored().size());
        server.audit(full.bare().toString(), "session.resume", "ok", full.resource() + " (from another node)",
                conn.remoteAddress());
    }

    /** A session handed over to a stream that is gone: its stanzas go back to the application (offline storage). */
    private void handBack(io.xmppgrid.ra.api.MovedSession moved) {
        if (moved == null || moved.outcome() != io.xmppgrid.ra.api.MovedSession.Outcome.MOVED) {
            return;
        }
        List<XmlElement> all = new ArrayList<>(parsed(moved.first()));
        all.addAll(parsed(moved.afterStored()));
        List<XmlElement> messages = all.stream().filter(Stanzas::isMessage).toList();
        server.undeliveredLater(Jid.parse(moved.fullJid()), messages);
    }

    private static List<XmlElement> parsed(List<String> stanzas) {
        List<XmlElement> out = new ArrayList<>(stanzas.size());
        for (String x : stanzas) {
            out.add(io.xmppgrid.xmpp.XmlReader.parse(x, Ns.CLIENT));
        }
        return out;
    }

    /**
     * Rate limits (RFC 8600 §8.3.2): takes this stanza and the bytes read for it from the
     * platform's buckets; over the rate, the stream pauses until the debt is paid (throttled, not
     * dropped). Each second with throttling is a violation: recorded, and, past the operator's
     * limit within a minute, reported so the platform gets disabled.
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
        int here = b.violation(now);
        if (here > 0) {
            // the other nodes' seconds of throttling count too (a platform with sessions on several nodes)
            String key = "v:" + authenticatedJid.bare();
            server.sessions().counted(key, here);
            int recent = here + server.sessions().countedElsewhere(key);
            Log.AUTH.infof("GRIDRA0220: %s %s over its rate limits: throttled %d ms (%d seconds of throttling in the last "
                    + "minute)", conn.id(), authenticatedJid, TimeUnit.NANOSECONDS.toMillis(wait), recent);
            server.audit(authenticatedJid.toString(), "limit.exceeded", "throttled", recent
                    + " seconds throttled in the last minute", conn.remoteAddress());
            if (cfg.limitsDisableAfter() > 0 && recent >= cfg.limitsDisableAfter() && b.breachDue(now)) {
                server.limitsBreached(authenticatedJid, recent);
            }
        }
        suspended = true;
        server.scheduler().schedule(() -> {
            synchronized (this) {
                suspended = false;
            }
            conn.schedule();
        }, wait, TimeUnit.NANOSECONDS);
    }

    /** The platform was revoked or disabled after this stream authenticated: it gets no session. */
    private void refuseIfEndedSinceAuthentication() throws StreamFault {
        if (server.endedSince(authenticatedJid, authenticatedAt)) {
            throw new StreamFault(StreamError.NOT_AUTHORIZED, "the platform's sessions were ended by an administrator");
        }
    }

    private StreamFault handledCountTooHigh(long h) {
        return handledCountTooHigh(h, session.sentCount());
    }

    /** XEP-0198 §4: the peer acknowledged more than was sent. */
    private static StreamFault handledCountTooHigh(long h, long sent) {
        return new StreamFault(StreamError.UNDEFINED_CONDITION, "acknowledged " + h + " stanzas but only " + sent
                + " were sent", "<handled-count-too-high xmlns=\"" + Ns.SM + "\" h=\"" + h + "\" send-count=\"" + sent + "\"/>");
    }

    /** XEP-0198 §3, §5: {@code <failed/>} with a stanza error condition (and the handled count when known). */
    private void smFailed(StanzaError condition, Long h) {
        conn.write(XmlWriter.toXml(XmlElement.builder("failed", Ns.SM).attribute("h", h == null ? null : h.toString())
                .child(XmlElement.empty(condition.condition(), Ns.STANZA_ERRORS)).build(), Ns.CLIENT));
    }

    private static long parseH(String h) throws StreamFault {
        try {
            long v = Long.parseLong(h == null ? "" : h.trim());
            if (v < 0 || v > 0xFFFFFFFFL) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException ex) {
            throw new StreamFault(StreamError.BAD_FORMAT, "h must be an unsigned 32-bit integer");
        }
    }

    /** Stored messages, a batch at a time, while the session wants them and the peer keeps up. */
    private void drainBacklog() {
        BoundSession s = session;
        for (int i = 0; i < 4 && s != null && s.backlogReady(); i++) {
            boolean more;
            try {
                more = server.backlog(s.info());
            } catch (RuntimeException | jakarta.resource.spi.UnavailableException ex) {
                // kept in the queue; the batches pause (live traffic stays held behind them) and start again later
                int failures = s.backlogFailed();
                long delay = Math.min(30_000L, 500L << Math.min(6, failures - 1));
                Log.CONN.warnf("GRIDRA0308: %s stored messages for %s not delivered now (kept; trying again in %d ms, "
                        + "failure %d in a row): %s", conn.id(), s.jid(), delay, failures, ex.getMessage());
                server.scheduler().schedule(() -> {
                    if (s.undefer()) {
                        conn.schedule();
                    }
                }, delay, TimeUnit.MILLISECONDS);
                return;
            }
            s.backlogDone(more);
        }
    }

    // ------------------------------------------------------------------ stanzas (§8)

    private void onStanza(XmlElement e) throws StreamFault {
        if (!Stanzas.isStanza(e)) {
            throw new StreamFault(StreamError.UNSUPPORTED_STANZA_TYPE, "unsupported element " + e.name());
        }
        String from = e.attribute("from");
        if (from != null) {
            Jid f = Jid.parseOrNull(from);
            if (f == null || !(f.equals(boundJid) || f.equals(boundJid.bare()))) {
                throw new StreamFault(StreamError.INVALID_FROM, "from must be the session's own address");
            }
        }
        XmlElement stamped = e.withAttribute("from", boundJid.toString());
        String to = e.attribute("to");
        if (to != null && Jid.parseOrNull(to) == null) {
            if (!"error".equals(e.attribute("type"))) {
                session.send(Stanzas.error(stamped, StanzaError.JID_MALFORMED, "invalid 'to' address")
                        .withAttribute("from", null), BoundSession.UNTRACKED); // a stanza: XEP-0198 counts it
            }
            return;
        }
        try {
            server.deliver(new InboundStanza(conn.id(), boundJid, stamped));
        } catch (RuntimeException | jakarta.resource.spi.UnavailableException ex) {
            Log.CONN.errorf(ex, "GRIDRA0400: %s the application failed on a %s from %s", conn.id(), e.name(), boundJid);
            // nothing was stored or routed: the sender is told, so that a message is never dropped in silence while
            // the stream moves on (a ping answered after it would otherwise look like its acknowledgement)
            String type = e.attribute("type");
            boolean request = Stanzas.isIq(e) && ("get".equals(type) || "set".equals(type));
            boolean message = "message".equals(e.name()) && !"error".equals(type);
            if (request || message) {
                session.send(Stanzas.error(stamped, StanzaError.INTERNAL_SERVER_ERROR, null)
                        .withAttribute("from", to == null ? null : to), BoundSession.UNTRACKED);
            }
        }
    }

    // ------------------------------------------------------------------ ending

    /** Before authentication a stream gets small budgets: elements of 16 KiB, 64 distinct names. */
    private StreamParser newParser(boolean afterAuthentication) {
        return afterAuthentication
                ? new StreamParser(cfg.maxStanzaBytes(), cfg.maxDepth(), StreamParser.MAX_DISTINCT_NAMES)
                : new StreamParser(Math.min(cfg.maxStanzaBytes(), ServerConfig.UNAUTHENTICATED_STANZA_BYTES), cfg.maxDepth(),
                        StreamParser.MAX_DISTINCT_NAMES_UNAUTHENTICATED);
    }

    private void resetParser() {
        StreamParser old = parser;
        parser = newParser(authenticatedJid != null);
        if (!old.needsInput()) {
            // bytes pipelined after an element that restarts the stream: not allowed (RFC 6120 §5.4.3.3, §6.4.6)
            Log.CONN.debugf("%s data pipelined across a stream restart", conn.id());
        }
    }

    /** Ends the stream with a stream error (RFC 6120 §4.9). Worker thread. */
    @Override
    public synchronized void fail(StreamError error, String text) {
        fail(error, text, null);
    }

    private synchronized void fail(StreamError error, String text, String applicationCondition) {
        fail(error, text, applicationCondition, null);
    }

    private synchronized void fail(StreamError error, String text, String applicationCondition, String conditionContent) {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        endedByStream = true;
        Log.CONN.infof("GRIDRA0120: %s stream error <%s/> to %s: %s", conn.id(), error.condition(),
                conn.remoteAddress(), text);
        if (conn.isTlsPending()) {
            conn.abort(error.condition() + " during the TLS handshake"); // nothing can be said in the clear
            return;
        }
        endSession("stream error <" + error.condition() + "/>: " + text); // as for a peer's close: no routing here now
        sendHeader();
        conn.writeAndClose(error.toXml(conditionContent, text, applicationCondition) + "</stream:stream>");
    }

    /** Sends a XEP-0199 ping to the peer of a bound session (keepalive); false when not bound. */
    @Override
    public boolean keepalive() {
        BoundSession s = session;
        if (s == null || phase != Phase.BOUND) {
            return false;
        }
        XmlElement ping = XmlElement.builder("iq", Ns.CLIENT).attribute("from", server.domain().toString())
                .attribute("to", s.jid().toString()).attribute("type", "get").attribute("id", "keepalive-" + newId())
                .child(XmlElement.empty("ping", Ns.PING)).build();
        return s.send(ping, BoundSession.UNTRACKED); // through the session: XEP-0198 counts it
    }

    /** Same as {@link #fail} from a thread that is not this stream's worker. */
    @Override
    public void failFromOtherThread(StreamError error, String text) {
        failFromTimer(error, text);
    }

    /** Same as {@link #fail} from a timer thread: hands over to the connection's worker. */
    private void failFromTimer(StreamError error, String text) {
        try {
            server.workers().execute(() -> fail(error, text));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            conn.abort("listener stopping");
        }
    }

    private void authTimeout() {
        if (phase != Phase.BOUND && phase != Phase.CLOSED && !conn.isClosed()) {
            failFromTimer(StreamError.CONNECTION_TIMEOUT, "no authentication within " + cfg.authTimeout().toSeconds() + " s");
        }
    }

    /** Another connection bound the same full JID (RFC 6120 §7.7.2.2). */
    @Override
    public void replacedBySameResource() {
        failFromTimer(StreamError.CONFLICT, "replaced by a new session with the same resource");
    }

    /** Server shutdown. */
    /**
     * The listener stops: RFC 6120 §4.9.3.19 {@code <see-other-host/>} naming another node when there is one (a
     * cluster's graceful stop: the client reconnects there), else §4.9.3.21 {@code <system-shutdown/>}.
     */
    @Override
    public void shutdown(String alternate) {
        try {
            server.workers().execute(() -> {
                if (alternate == null) {
                    fail(StreamError.SYSTEM_SHUTDOWN, "server shutting down");
                } else {
                    fail(StreamError.SEE_OTHER_HOST, "this node stops: connect to " + alternate, null, alternate);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            conn.abort("listener stopping");
        }
    }

    /** The socket is gone; the worker then ends the session after the stanzas already handed over. */
    @Override
    public void connectionClosed(String reason) {
        closeReason = reason;
        authTimer.cancel(false);
    }

    private void endSession(String reason) {
        if (sessionEnded) {
            return;
        }
        sessionEnded = true;
        phase = Phase.CLOSED;
        BoundSession s = session;
        if (s == null || s.connection() != conn) {
            return; // never bound, or resumed on another connection meanwhile
        }
        if (s.resumeId() != null && !endedByStream) {
            // XEP-0198 §5: the connection dropped; the session waits to be resumed
            long ms = cfg.resumeTimeout().toMillis();
            ScheduledFuture<?> timer = server.scheduler().schedule(() -> server.workers().execute(() ->
                    server.finish(s, s.endIfDetached(), "not resumed within " + cfg.resumeTimeout().toSeconds() + " s",
                            false)), ms, TimeUnit.MILLISECONDS);
            Runnable tooMuch = () -> server.workers().execute(() ->
                    server.finish(s, s.endIfDetached(), "held too much while detached", false));
            if (s.detach(conn, timer, tooMuch)) {
                server.sessions().changed(s);
                Log.CONN.infof("GRIDRA0304: %s session %s detached (%s); resumable for %d s", conn.id(), boundJid,
                        reason, cfg.resumeTimeout().toSeconds());
                return;
            }
        }
        server.finish(s, s.end(), reason, peerClosed);
    }

    private static String newId() {
        return new BigInteger(80, RANDOM).toString(36);
    }
}
