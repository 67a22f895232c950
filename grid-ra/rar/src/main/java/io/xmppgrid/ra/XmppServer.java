package io.xmppgrid.ra;

import io.xmppgrid.ra.api.InboundStanza;
import io.xmppgrid.ra.api.PlatformCredentials;
import io.xmppgrid.ra.api.PlatformDirectory;
import io.xmppgrid.ra.api.SessionInfo;
import io.xmppgrid.ra.api.StanzaListener;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.StreamError;
import io.xmppgrid.xmpp.XmlElement;
import io.xmppgrid.xmpp.XmlWriter;
import jakarta.resource.spi.UnavailableException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client-to-server listener of one node: the acceptors on the STARTTLS and direct-TLS
 * ports, the I/O loops, the worker pool that runs streams, and the bridge to the
 * application's message endpoints.
 */
final class XmppServer {

    private final ServerConfig cfg;
    private final TlsContext tls;
    private final Jid domain;
    private final EndpointPool<StanzaListener> stanzaEndpoints;
    private final EndpointPool<PlatformDirectory> directoryEndpoints;
    private final LocalSessionRegistry sessions = new LocalSessionRegistry();
    private final java.util.concurrent.atomic.LongAdder stanzasIn = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder stanzasOut = new java.util.concurrent.atomic.LongAdder();
    private final AuthThrottle throttle = new AuthThrottle(new AuthThrottle.Shared() {
        @Override
        public int elsewhere(String key) {
            return sessions.countedElsewhere(key);
        }

        @Override
        public void counted(String key, int failures) {
            sessions.counted(key, failures);
        }
    });
    /** An address's connections on this node are shared with the other nodes from this many on (fewer: no traffic). */
    static final int SHARED_CONNECTIONS_FROM = 8;
    /**
     * Seconds a stopping listener (drain, undeploy, shutdown) gives its streams to end properly before it cuts the rest
     * ({@code grid.xmpp.stopSeconds}).
     */
    static final int STOP_SECONDS = Integer.getInteger("grid.xmpp.stopSeconds", 30);
    private final java.util.Map<Jid, Long> revokedAt = new ConcurrentHashMap<>();
    private final RateLimits rateLimits = new RateLimits(bare -> sessions.nodesWithSessions(bare));
    private final java.util.Map<String, AtomicInteger> connectionsPerHost = new ConcurrentHashMap<>();
    private final java.util.Map<String, Long> refusalReported = new ConcurrentHashMap<>();
    private final Set<ClientConnection> connections = ConcurrentHashMap.newKeySet();
    private final byte[] simulationSecret = new byte[32];
    private final List<IoLoop> loops = new ArrayList<>();
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final java.util.concurrent.locks.ReentrantLock[] orderingLocks = newLocks(1024);
    private ExecutorService workers;
    /**
     * TLS handshakes' work (key exchange, signatures, certificate checks: the SSLEngine's delegated tasks), off the I/O
     * loops, on a few threads of its own (issue 18 §9): a flood of handshakes takes at most these threads' CPU, and
     * the loops keep reading and writing for established connections.
     */
    private ExecutorService handshakes;
    private ScheduledThreadPoolExecutor scheduler;

    XmppServer(ServerConfig cfg, TlsContext tls, EndpointPool<StanzaListener> stanzaEndpoints,
               EndpointPool<PlatformDirectory> directoryEndpoints) {
        this.cfg = cfg;
        this.tls = tls;
        this.domain = Jid.domain(cfg.domain());
        this.stanzaEndpoints = stanzaEndpoints;
        this.directoryEndpoints = directoryEndpoints;
        // cluster nodes share the secret (grid.secretFile), so an unknown user gets the same fake salt from
        // every node; a single node keeps its own beside its TLS material, so the fake salt survives restarts (a salt
        // that changed at a restart would tell an unknown name from an account)
        byte[] k = io.xmppgrid.security.GridSecrets.derive(io.xmppgrid.security.GridSecrets.SCRAM_SIMULATION,
                cfg.tlsDirectory().toAbsolutePath().resolveSibling("grid-secret"));
        System.arraycopy(k, 0, simulationSecret, 0, simulationSecret.length);
        this.resumptionIds = new ResumptionIds(io.xmppgrid.security.GridSecrets.derive(
                io.xmppgrid.security.GridSecrets.SM_RESUMPTION, cfg.tlsDirectory().toAbsolutePath().resolveSibling("grid-secret")),
                cfg.nodeName());
    }

    /** Client addresses sent to another node lately (balancing): each at most once a minute. */
    private final java.util.Map<String, Long> redirected = java.util.Collections.synchronizedMap(Lru.of(10_000));

    /**
     * Balancing (issue 20): the node to send a new connection from {@code host} to, or null to serve it here; a client
     * address is sent away at most once a minute (a client that does not follow the redirect is served the next time).
     */
    String balance(String host) {
        String to = sessions.redirect();
        if (to == null) {
            return null;
        }
        long now = System.nanoTime();
        Long last = redirected.get(host);
        if (last != null && now - last < TimeUnit.MINUTES.toNanos(1)) {
            return null;
        }
        redirected.put(host, now);
        return to;
    }

    /** Revocation of operator CAs' certificates; null without operator anchors, or when switched off. */
    private OperatorRevocation revocation;
    private ThreadPoolExecutor revocationPool;

    OperatorRevocation operatorRevocation() {
        return revocation;
    }

    /** XEP-0198 resumption ids: issued here, verified on any node of the grid. */
    private final ResumptionIds resumptionIds;

    ResumptionIds resumptionIds() {
        return resumptionIds;
    }

    /**
     * XEP-0198 §5 across nodes, on the node that holds the session: hands it over to the node where the peer resumes
     * it ({@link io.xmppgrid.ra.api.XmppConnection#handOff}). What {@code h} acknowledges is confirmed, the session ends
     * here (its stored messages' leases are released, so the new node fetches them again) and its connection closes.
     */
    io.xmppgrid.ra.api.MovedSession handOff(String resumeId, Jid bare, long h) {
        BoundSession s = resumeId == null ? null : sessions.byResumeId(resumeId);
        if (s == null || !s.jid().bare().equals(bare.bare())) {
            return io.xmppgrid.ra.api.MovedSession.notFound();
        }
        BoundSession.HandOff out = s.handOff(h);
        if (out == null) {
            return io.xmppgrid.ra.api.MovedSession.notFound(); // ended meanwhile, or handed to another node first
        }
        if (out.moved().outcome() != io.xmppgrid.ra.api.MovedSession.Outcome.MOVED) {
            return out.moved();
        }
        ClientConnection old = out.connection();
        if (old != null) {
            old.abort("session resumed on another node");
        }
        delivered(s.info(), out.confirmed());
        finish(s, List.of(), "resumed on another node", false);
        Log.CONN.infof("GRIDRA0317: %s session %s handed to another node (%d stanzas to send again)", s.id(), s.jid(),
                out.moved().first().size() + out.moved().afterStored().size());
        return out.moved();
    }

    void start() throws IOException {
        connectionRate = new ConnectionRate(cfg.connectionRatePerAddress(), cfg.connectionBurstPerAddress());
        workers = new ThreadPoolExecutor(cfg.workerThreads(), cfg.workerThreads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads("grid-worker"));
        handshakes = new ThreadPoolExecutor(cfg.tlsThreads(), cfg.tlsThreads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threads("grid-tls"));
        scheduler = new ScheduledThreadPoolExecutor(1, threads("grid-timer"));
        scheduler.setRemoveOnCancelPolicy(true);
        if (!tls.operatorAnchors().isEmpty()) {
            if (cfg.operatorRevocation()) {
                // its own small pool: fetching CRLs and asking OCSP responders holds no stream worker; what waits
                // beyond the queue is refused (its login is told to try again)
                revocationPool = new ThreadPoolExecutor(2, 2, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(1000),
                        threads("grid-revocation"));
                java.util.Set<java.security.cert.TrustAnchor> anchors = new java.util.HashSet<>();
                tls.operatorAnchors().forEach(a -> anchors.add(new java.security.cert.TrustAnchor(a, null)));
                revocation = new OperatorRevocation(anchors, revocationPool, java.time.Duration.ofSeconds(10));
                Log.SERVER.infof("GRIDRA0015: certificates of %d operator CAs are checked for revocation (CRL distribution"
                        + " points, OCSP; fail closed)", anchors.size());
            } else {
                Log.SERVER.warnf("GRIDRA0015: certificates of %d operator CAs are NOT checked for revocation "
                        + "(grid.operatorRevocation=off): a revoked one signs in until its CA is removed from the trust store",
                        tls.operatorAnchors().size());
            }
        }
        if (!cfg.idleTimeout().isZero()) {
            long idle = cfg.idleTimeout().toNanos();
            long answer = Math.min(idle, TimeUnit.SECONDS.toNanos(60));
            long every = Math.max(1, Math.min(15, cfg.idleTimeout().toSeconds() / 4));
            scheduler.scheduleWithFixedDelay(() -> {
                long now = System.nanoTime();
                for (ClientConnection c : connections) {
                    c.checkIdle(now, idle, answer);
                }
            }, every, every, TimeUnit.SECONDS);
        }
        for (int i = 0; i < cfg.ioThreads(); i++) {
            IoLoop l = new IoLoop("grid-io-" + i);
            loops.add(l);
            l.start();
        }
        try {
            listen(cfg.starttlsPort(), false, false);
            listen(cfg.directTlsPort(), true, false);
            listen(cfg.s2sPort(), false, true);
            listen(cfg.s2sDirectTlsPort(), true, true);
        } catch (IOException e) {
            stop();
            throw e;
        }
        Log.SERVER.infof("GRIDRA0001: XMPP domain %s listening on %s:%d (STARTTLS) and %s:%d (direct TLS), node %s, "
                        + "channel bindings: tls-server-end-point%s",
                domain, cfg.bindAddress(), cfg.starttlsPort(), cfg.bindAddress(), cfg.directTlsPort(), cfg.nodeName(),
                TlsContext.exporterAvailable() ? ", tls-exporter" : "");
        if (cfg.s2sPort() > 0 || cfg.s2sDirectTlsPort() > 0) {
            Log.SERVER.infof("GRIDRA0018: peer grids (server-to-server) accepted on %s:%d (STARTTLS) and %s:%d (direct TLS);"
                    + " only configured peers, authenticated by their own CA", cfg.bindAddress(), cfg.s2sPort(),
                    cfg.bindAddress(), cfg.s2sDirectTlsPort());
        }
    }

    private void listen(int port, boolean directTls, boolean s2s) throws IOException {
        if (port <= 0) {
            return;
        }
        ServerSocketChannel ssc = ServerSocketChannel.open();
        ssc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        ssc.bind(new InetSocketAddress(cfg.bindAddress(), port), 1024);
        ssc.configureBlocking(false);
        listeners.add(ssc);
        IoLoop acceptLoop = loops.get(0);
        IoLoop.Acceptor acceptor = () -> {
            SocketChannel ch;
            while ((ch = ssc.accept()) != null) {
                accepted(ch, directTls, s2s);
            }
        };
        acceptLoop.execute(() -> {
            try {
                ssc.register(acceptLoop.selector(), SelectionKey.OP_ACCEPT, acceptor);
            } catch (IOException e) {
                Log.SERVER.errorf(e, "GRIDRA0002: cannot accept on port %d", port);
            }
        });
    }

    /** Connections that have not authenticated yet (each counted once, until it authenticates or closes). */
    private final AtomicInteger unauthenticated = new AtomicInteger();
    private volatile long nodeRefusalReported;
    private volatile long rateRefusalReported;
    private ConnectionRate connectionRate;
    /** Connections refused as they were accepted, by the setting that refused them (for metrics). */
    private final java.util.Map<String, java.util.concurrent.atomic.LongAdder> refused = new ConcurrentHashMap<>();

    private void countRefused(String setting) {
        refused.computeIfAbsent(setting, k -> new java.util.concurrent.atomic.LongAdder()).increment();
    }

    /**
     * Refuses a connection as it is accepted: on a STARTTLS port with a stream error (RFC 6120 §4.9.1.3: the header
     * and the error, written in the clear as the stream's first bytes would be), on a direct TLS port with a plain
     * close (an error there would cost the handshake the refusal spares).
     */
    private void refuse(SocketChannel ch, boolean directTls, String condition, String text) throws IOException {
        if (!directTls) {
            ch.write(java.nio.ByteBuffer.wrap(("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                    + "xmlns:stream='http://etherx.jabber.org/streams' version='1.0' from='" + domain + "'><stream:error>"
                    + "<" + condition + " xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
                    + (text == null ? "" : "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>" + text + "</text>")
                    + "</stream:error></stream:stream>")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8))); // fits any socket buffer: one non-blocking write
        }
        ch.close();
    }

    /**
     * More new connections from this address than grid.connectionRatePerAddress allows: RFC 6120 §4.9.3.14
     * {@code <policy-violation/>}; logged and audited at most every 10 s for the node.
     */
    private boolean refusedForRate(SocketChannel ch, boolean directTls) throws IOException {
        String host = hostOf(ch);
        if (connectionRate.allow(host, System.nanoTime())) {
            return false;
        }
        refuse(ch, directTls, "policy-violation", "too many new connections from your address; retry later");
        countRefused("grid.connectionRatePerAddress");
        long now = System.currentTimeMillis();
        if (now - rateRefusalReported > 10_000) {
            rateRefusalReported = now;
            Log.CONN.warnf("GRIDRA0224: new connections from %s refused: more than %d a second (grid.connectionRatePerAddress)",
                    host, cfg.connectionRatePerAddress());
            audit(null, "connection", "too-many-new-connections", "more than " + cfg.connectionRatePerAddress()
                    + " new connections a second from " + host, host);
        }
        return true;
    }

    /** A connection authenticated: it no longer counts against grid.maxUnauthenticatedConnections. */
    void authenticated(ClientConnection c) {
        if (c.unauthenticated.compareAndSet(true, false)) {
            unauthenticated.decrementAndGet();
        }
    }

    /**
     * The node is full (grid.maxConnections) or has as many unauthenticated connections as it takes
     * (grid.maxUnauthenticatedConnections): RFC 6120 §4.9.3.17 {@code <resource-constraint/>} on a STARTTLS port
     * (written in the clear, as the stream's first bytes would be), a plain close on a direct TLS port; logged and
     * audited at most every 10 s.
     */
    private boolean refusedAsFull(SocketChannel ch, boolean directTls) throws IOException {
        int max = cfg.maxConnections();
        int maxUnauthenticated = cfg.maxUnauthenticatedConnections();
        String why = max > 0 && connections.size() >= max ? connections.size() + " connections (grid.maxConnections)"
                : maxUnauthenticated > 0 && unauthenticated.get() >= maxUnauthenticated
                ? unauthenticated.get() + " unauthenticated connections (grid.maxUnauthenticatedConnections)" : null;
        if (why == null) {
            return false;
        }
        String host = hostOf(ch);
        refuse(ch, directTls, "resource-constraint", null);
        countRefused(max > 0 && connections.size() >= max ? "grid.maxConnections" : "grid.maxUnauthenticatedConnections");
        long now = System.currentTimeMillis();
        if (now - nodeRefusalReported > 10_000) {
            nodeRefusalReported = now;
            Log.CONN.warnf("GRIDRA0223: new connections refused: the node holds %s", why);
            audit(null, "connection", "node-full", "the node holds " + why, host);
        }
        return true;
    }

    private void accepted(SocketChannel ch, boolean directTls, boolean s2s) {
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            if (refusedForRate(ch, directTls) || refusedAsFull(ch, directTls)) {
                return;
            }
            int max = cfg.maxConnectionsPerAddress();
            String host = max > 0 ? hostOf(ch) : null;
            int here = max > 0 ? connectionsPerHost.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet() : 0;
            // the cap holds cluster-wide: what the other nodes last published of this address counts too
            if (max > 0 && (here > max || here + sessions.countedElsewhere("c:" + host) > max)) {
                connectionsPerHost.computeIfPresent(host, (h, n) -> n.decrementAndGet() <= 0 ? null : n);
                ch.close(); // before any state is made for it: a flood costs little
                countRefused("grid.maxConnectionsPerAddress");
                long now = System.currentTimeMillis();
                Long last = refusalReported.get(host);
                if (last == null || now - last > 10_000) { // log and audit at most every 10 s per address
                    refusalReported.put(host, now);
                    if (refusalReported.size() > 10_000) {
                        refusalReported.clear();
                    }
                    Log.CONN.warnf("GRIDRA0221: connections from %s refused: %d from that address already", host, max);
                    audit(null, "connection", "too-many-connections", max + " connections from " + host + " already", host);
                }
                return;
            }
            if (here >= SHARED_CONNECTIONS_FROM) {
                sessions.counted("c:" + host, here);
            }
            IoLoop l = loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
            ClientConnection c = new ClientConnection(this, l, ch, directTls, s2s);
            c.countedHost = host;
            c.unauthenticated.set(true);
            unauthenticated.incrementAndGet();
            connections.add(c);
            l.execute(() -> {
                try {
                    c.register();
                    Log.CONN.debugf("GRIDRA0100: %s accepted from %s (%s%s)", c.id(), c.remoteAddress(),
                            directTls ? "direct TLS" : "STARTTLS", s2s ? ", server-to-server" : "");
                } catch (IOException e) {
                    c.abort("register failed: " + e.getMessage());
                }
            });
        } catch (IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }

    private volatile io.xmppgrid.ra.api.StopHandover handover;
    /** Set when the listener starts to stop: what sessions had goes to the handover, not the deactivated bean. */
    private volatile boolean stopping;

    void handover(io.xmppgrid.ra.api.StopHandover h) {
        handover = h;
    }

    /** Another node's listener for this one's clients, from the application (null: none known, or no handover). */
    private String alternate() {
        io.xmppgrid.ra.api.StopHandover h = handover;
        if (h == null) {
            return null;
        }
        try {
            String a = h.alternate();
            if (a != null) {
                Log.SERVER.infof("GRIDRA0013: sessions are sent to %s (<see-other-host/>)", a);
            }
            return a;
        } catch (RuntimeException e) {
            Log.SERVER.warnf("GRIDRA0012: the application did not say where clients may go: %s", e.toString());
            return null;
        }
    }

    /** The listener is about to stop: the application is told before any session ends. */
    void stopping() {
        if (stopping) {
            return;
        }
        stopping = true;
        io.xmppgrid.ra.api.StopHandover h = handover;
        if (h != null) {
            try {
                h.stopping();
            } catch (RuntimeException e) {
                Log.SERVER.warnf("GRIDRA0012: the application was not told that the listener stops: %s", e.toString());
            }
        }
    }

    void stop() {
        stopping();
        String alternate = alternate();
        for (ServerSocketChannel ssc : listeners) {
            try {
                ssc.close();
            } catch (IOException e) {
                Log.SERVER.debugf("listener close: %s", e.getMessage());
            }
        }
        listeners.clear();
        for (PeerOutbound o : outbound.values()) {
            o.close("the listener stopped", false);
        }
        outbound.clear();
        int open = connections.size();
        for (ClientConnection c : connections) {
            c.shutdown(alternate);
        }
        // each stream ends on a worker: its stream error written (the peer told where to go), its session's end reported
        // and audited, what it had not acknowledged handed over. A thousand of them take seconds on a busy node; the
        // ones still open at the deadline are cut (a peer that does not read gets 2 s after its error anyway).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_SECONDS);
        try {
            while (!connections.isEmpty() && System.nanoTime() - deadline < 0) {
                Thread.sleep(20);
            }
            if (workers != null) {
                workers.shutdown(); // what the ended sessions queued (audit records, hand-overs) still runs
                workers.awaitTermination(Math.max(5_000_000_000L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!connections.isEmpty()) {
            Log.SERVER.warnf("GRIDRA0017: %d of %d connections still open %d s after the listener began to stop: closed",
                    connections.size(), open, STOP_SECONDS);
        }
        for (ClientConnection c : connections) {
            c.abort("server stopped");
        }
        for (BoundSession s : sessions.all()) {
            finish(s, s.endIfDetached(), "server stopped", false);
        }
        for (IoLoop l : loops) {
            l.shutdown();
        }
        loops.clear();
        if (workers != null) {
            List<Runnable> dropped = workers.shutdownNow();
            if (!dropped.isEmpty()) {
                Log.SERVER.warnf("GRIDRA0017: %d tasks of ended sessions (audit records, reports) not run: the workers stopped",
                        dropped.size());
            }
        }
        if (handshakes != null) {
            handshakes.shutdownNow();
        }
        if (revocationPool != null) {
            revocationPool.shutdownNow();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        io.xmppgrid.ra.api.StopHandover h = handover;
        if (h != null) {
            try {
                h.stopped();
            } catch (RuntimeException e) {
                Log.SERVER.warnf("GRIDRA0012: the application was not told that the listener stopped: %s", e.toString());
            }
        }
        Log.SERVER.infof("GRIDRA0003: XMPP listener for %s stopped", domain);
    }

    /** The peer's IP address, as {@link ClientConnection#remoteHost()} gives it. */
    private static String hostOf(SocketChannel ch) {
        try {
            java.net.SocketAddress a = ch.getRemoteAddress();
            if (a instanceof InetSocketAddress isa && isa.getAddress() != null) {
                return isa.getAddress().getHostAddress();
            }
            return String.valueOf(a);
        } catch (IOException e) {
            return "?";
        }
    }

    void connectionClosed(ClientConnection c) {
        connections.remove(c);
        authenticated(c); // no longer counted either way
        if (c.countedHost != null) {
            AtomicInteger left = connectionsPerHost.computeIfPresent(c.countedHost, (h, n) -> n.decrementAndGet() <= 0 ? null : n);
            int now = left == null ? 0 : left.get();
            if (now >= SHARED_CONNECTIONS_FROM) {
                sessions.counted("c:" + c.countedHost, now);
            } else if (now == SHARED_CONNECTIONS_FROM - 1) {
                sessions.counted("c:" + c.countedHost, 0); // below the threshold: no longer shared
            }
        }
    }

    // ------------------------------------------------------------------ application bridge

    PlatformCredentials lookup(String localpart) throws UnavailableException {
        return directoryEndpoints.call(d -> d.lookup(localpart));
    }

    /** The peer grid configured for {@code domain} (issue 24), or null. */
    io.xmppgrid.ra.api.PeerCredentials peer(String domain) throws UnavailableException {
        return directoryEndpoints.call(d -> d.peer(domain));
    }

    private record Iterations(java.util.Map<Integer, Long> inUse, long at) {
    }

    private final java.util.Map<String, Iterations> iterations = new ConcurrentHashMap<>();

    /**
     * The iteration counts accounts keep for this hash (for simulated SCRAM exchanges), asked of the directory at most
     * once a minute; empty when the directory cannot answer.
     */
    java.util.Map<Integer, Long> scramIterations(String hash) {
        long now = System.nanoTime();
        Iterations known = iterations.get(hash);
        if (known != null && now - known.at() < java.util.concurrent.TimeUnit.MINUTES.toNanos(1)) {
            return known.inUse();
        }
        try {
            java.util.Map<Integer, Long> inUse = java.util.Map.copyOf(directoryEndpoints.call(d -> d.scramIterations(hash)));
            iterations.put(hash, new Iterations(inUse, now)); // "SHA-256" or "SHA-1": two entries at most
            return inUse;
        } catch (UnavailableException e) {
            return known == null ? java.util.Map.of() : known.inUse();
        }
    }

    /** Self-registrations per address per hour (XEP-0077 §3.1; the rest are refused). */
    static final int REGISTRATIONS_PER_ADDRESS = 3;
    /** Addresses remembered for self-registration; past this the least recently seen is forgotten, never all. */
    static final int REGISTRATION_ADDRESSES = 100_000;
    private final java.util.Map<String, long[]> registrations = Lru.of(REGISTRATION_ADDRESSES);

    /** Whether this address may register another platform now (counted). */
    boolean mayRegister(String host) {
        long now = System.nanoTime();
        long hour = java.util.concurrent.TimeUnit.HOURS.toNanos(1);
        synchronized (registrations) {
            long[] r = registrations.compute(host, (k, v) -> v == null || now - v[1] > hour ? new long[] {1, now}
                    : new long[] {v[0] + 1, v[1]});
            return r[0] <= REGISTRATIONS_PER_ADDRESS;
        }
    }

    PlatformDirectory.Registration register(String localpart, String password, String address) throws UnavailableException {
        return directoryEndpoints.call(d -> d.register(localpart, password, address));
    }

    void deliver(InboundStanza stanza) throws UnavailableException {
        stanzasIn.increment();
        BoundSession from = sessions.session(stanza.sender());
        if (from != null) {
            from.stanzasIn.increment();
        }
        stanzaEndpoints.call(l -> {
            l.onStanza(stanza);
            return null;
        });
    }

    /** Asks the application for the next batch of a session's stored messages; true when more remain. */
    boolean backlog(SessionInfo info) throws UnavailableException {
        return stanzaEndpoints.call(l -> l.onBacklogWanted(info));
    }

    /** Confirmations per call of the application (each its own transaction, holding the queue's lock briefly). */
    private static final int CONFIRM_CHUNK = 2000;

    void delivered(SessionInfo info, long[] trackingIds) {
        for (int from = 0; from < trackingIds.length; from += CONFIRM_CHUNK) {
            long[] chunk = Arrays.copyOfRange(trackingIds, from, Math.min(trackingIds.length, from + CONFIRM_CHUNK));
            try {
                stanzaEndpoints.call(l -> {
                    l.onDelivered(info, chunk);
                    return null;
                });
            } catch (UnavailableException | RuntimeException e) {
                // the stored copies stay queued and are delivered again: at least once, never lost
                Log.CONN.warnf("GRIDRA0305: %s could not confirm %d stored stanzas delivered to %s (they will be sent "
                        + "again): %s", info.connectionId(), chunk.length, info.jid(), e.getMessage());
            }
        }
    }

    /** Hands messages that reached no peer back to the application, which routes them again. */
    void undelivered(Jid fullJid, List<XmlElement> stanzas) {
        if (stanzas.isEmpty()) {
            return;
        }
        io.xmppgrid.ra.api.StopHandover h = handover;
        if (stopping && h != null) {
            // the server suspends: the stanza bean is deactivated before the sessions end
            try {
                h.undelivered(fullJid, stanzas);
                Log.CONN.debugf("GRIDRA0306: %d unacknowledged stanzas for %s handed over by the stopping listener",
                        stanzas.size(), fullJid);
            } catch (RuntimeException e) {
                Log.CONN.errorf("GRIDRA0307: %d stanzas for %s could not be handed back and are lost: %s", stanzas.size(),
                        fullJid, e.toString());
            }
            return;
        }
        try {
            stanzaEndpoints.call(l -> {
                l.onUndelivered(fullJid, stanzas);
                return null;
            });
            Log.CONN.debugf("GRIDRA0306: %d unacknowledged stanzas for %s handed back for routing", stanzas.size(), fullJid);
        } catch (UnavailableException | RuntimeException e) {
            Log.CONN.errorf("GRIDRA0307: %d stanzas for %s could not be handed back and are lost: %s", stanzas.size(),
                    fullJid, e.getMessage());
        }
    }

    /** {@link #undelivered} on a worker: for callers inside another transaction's completion. */
    void undeliveredLater(Jid fullJid, List<XmlElement> stanzas) {
        try {
            workers.execute(() -> undelivered(fullJid, stanzas));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            if (stopping && handover != null) {
                undelivered(fullJid, stanzas); // the workers are gone: the handover takes them on this thread
                return;
            }
            Log.CONN.errorf("GRIDRA0307: %d stanzas for %s could not be handed back and are lost: listener stopping",
                    stanzas.size(), fullJid);
        }
    }

    RateLimits rateLimits() {
        return rateLimits;
    }

    /** A platform over its limits too often: the application disables it (on a worker). */
    void limitsBreached(Jid bare, int violations) {
        workers.execute(() -> {
            try {
                stanzaEndpoints.call(l -> {
                    l.onLimitsBreached(bare.toString(), violations);
                    return null;
                });
            } catch (UnavailableException | RuntimeException e) {
                Log.AUTH.warnf("GRIDRA0222: %s could not be disabled after %d seconds over its limits: %s", bare,
                        violations, e.getMessage());
            }
        });
    }

    /** An audit record, handed to the application on a worker (never delays the stream). */
    void audit(String actor, String action, String outcome, String detail, String address) {
        try {
            workers.execute(() -> writeAudit(actor, action, outcome, detail, address));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the listener stops: the record is written on this thread, while the application still takes it
            writeAudit(actor, action, outcome, detail, address);
        }
    }

    private void writeAudit(String actor, String action, String outcome, String detail, String address) {
        try {
            stanzaEndpoints.call(l -> {
                l.onAudit(actor, action, outcome, detail, address);
                return null;
            });
        } catch (UnavailableException | RuntimeException e) {
            Log.AUTH.warnf("GRIDRA0204: audit record %s %s %s not stored: %s", action, actor, outcome, e.getMessage());
        }
    }

    void sessionEnded(SessionInfo info, String reason) {
        try {
            stanzaEndpoints.call(l -> {
                l.onSessionEnded(info, reason);
                return null;
            });
        } catch (UnavailableException | RuntimeException e) {
            Log.CONN.warnf("GRIDRA0303: %s could not report the end of session %s: %s", info.connectionId(),
                    info.jid(), e.getMessage());
        }
    }

    /**
     * Ends a session for good: unregisters it, confirms what a clean close confirms, hands back
     * what may not have arrived, and tells the application. Call on a worker, without locks.
     */
    void finish(BoundSession s, List<XmlElement> lost, String reason, boolean cleanClose) {
        if (lost == null) {
            return; // already ended, or resumed meanwhile
        }
        sessions.unregister(s);
        SessionInfo info = s.info();
        Log.CONN.infof("GRIDRA0302: %s session %s ended: %s", s.id(), s.jid(), reason);
        audit(s.jid().bare().toString(), "session.end", "ok", s.jid().resource() + ": " + reason, info.remoteAddress());
        if (cleanClose) {
            delivered(info, s.writtenTracked());
        }
        undelivered(s.jid(), lost);
        sessionEnded(info, reason);
        // stored messages this session held unconfirmed are free again: the platform's other sessions take them
        for (BoundSession other : sessions.sessionsOf(s.jid())) {
            ClientConnection c = other.connection();
            if (other.info().available() && c != null) {
                other.wantBacklog();
                c.schedule();
            }
        }
    }

    /**
     * Ends every session of a platform now: connected ones with {@code <not-authorized/>},
     * detached ones directly. Streams that authenticated before this moment cannot bind or resume.
     */
    /**
     * Ends the sessions of a bare JID (all of them, and streams of that platform that authenticated
     * before now cannot bind), or of a full JID (that one session only).
     */
    /** RFC 6120 §7.7.2.2: the resource was bound on another node; the session here ends with {@code <conflict/>}. */
    boolean replaceSession(Jid full) {
        BoundSession s = sessions.session(full);
        if (s == null) {
            return false;
        }
        Log.CONN.infof("GRIDRA0315: %s session %s replaced by a session of the same resource on another node", s.id(), full);
        ClientConnection c = s.connection();
        if (c != null) {
            c.replaced();
        } else {
            workers.execute(() -> finish(s, s.endIfDetached(), "replaced by a session with the same resource on another node", false));
        }
        return true;
    }

    /** The platform's available connected sessions here that are not fetching its stored messages fetch them; how many. */
    int fetchStored(Jid bare) {
        int n = 0;
        for (BoundSession s : sessions.sessionsOf(bare.bare())) {
            ClientConnection c = s.connection();
            if (c != null && s.info().available() && s.wantBacklog()) { // not while it fetches already
                c.schedule();
                n++;
            }
        }
        return n;
    }

    void endSessions(Jid jid, String reason) {
        long t0 = System.nanoTime();
        Jid bare = jid.bare();
        if (jid.isBare()) {
            revokedAt.put(bare, t0);
        }
        int n = 0;
        for (BoundSession s : sessions.sessionsOf(bare)) {
            if (!jid.isBare() && !jid.equals(s.info().jid())) {
                continue;
            }
            ClientConnection c = s.connection();
            if (c != null) {
                c.fail(StreamError.NOT_AUTHORIZED, reason);
            } else {
                workers.execute(() -> finish(s, s.endIfDetached(), reason, false));
            }
            n++;
        }
        if (jid.isDomain() && !jid.equals(domain)) {
            // a peer grid revoked or removed (issue 24): its links end, and one authenticating now is refused
            for (ClientConnection c : connections) {
                if (c.s2s() && jid.domainPart().equals(c.peerDomain())) {
                    c.fail(StreamError.NOT_AUTHORIZED, reason);
                    n++;
                }
            }
            PeerOutbound o = outbound.remove(jid.domainPart());
            if (o != null) {
                n += o.open() ? 1 : 0;
                o.close(reason, true);
            }
        }
        Log.AUTH.infof("GRIDRA0203: %s: %d %s ended (%s)%s", jid, n, jid.isDomain() ? "peer links" : "sessions", reason,
                jid.isBare() ? ", streams authenticated before now refused" : "");
        long horizon = t0 - cfg.authTimeout().toNanos() * 2;
        revokedAt.values().removeIf(at -> at - horizon < 0); // older ones can no longer matter
    }

    /** How long the count of an inbound server-to-server stream outlives it, for the peer to resume it (XEP-0198 §5). */
    static final int S2S_RESUME_SECONDS = 600;

    /**
     * The count of stanzas of a peer grid's stream that this node handled (XEP-0198 on a server-to-server stream):
     * kept after the stream ends so that the peer, linking again, learns what it need not send again. Only the stream
     * that owns it counts; a resumption moves it to the new stream.
     */
    static final class S2sCount {
        final String id;
        final String peer;
        private long handled;
        private Stream owner;
        private long touched = System.nanoTime();

        S2sCount(String id, String peer, Stream owner) {
            this.id = id;
            this.peer = peer;
            this.owner = owner;
        }

        synchronized long handled() {
            return handled;
        }

        synchronized void handledBy(Stream stream) {
            if (owner == stream) {
                handled++;
                touched = System.nanoTime();
            }
        }
    }

    /** Counts by id; bounded (one per inbound link of a peer, a peer's input never makes one by itself). */
    private final java.util.Map<String, S2sCount> s2sCounts = Lru.of(4096);

    S2sCount newS2sCount(String peer, Stream stream) {
        S2sCount c = new S2sCount(new java.math.BigInteger(120, new java.security.SecureRandom()).toString(36), peer, stream);
        synchronized (s2sCounts) {
            s2sCounts.put(c.id, c);
        }
        return c;
    }

    /**
     * The count {@code id} of this peer's earlier stream, now owned by {@code stream}; null when unknown, another peer's,
     * or unused for {@link #S2S_RESUME_SECONDS}. The earlier stream, if it is still open, ends.
     */
    S2sCount resumeS2s(String id, String peer, Stream stream) {
        S2sCount c;
        synchronized (s2sCounts) {
            c = id == null ? null : s2sCounts.get(id);
        }
        if (c == null || !c.peer.equals(peer)) {
            return null;
        }
        Stream earlier;
        synchronized (c) {
            earlier = c.owner;
        }
        if (earlier != null && earlier != stream) {
            synchronized (earlier) {
                // the earlier stream finishes the stanza it handles now (ServerStream.process holds this monitor) and
                // counts no more: what it would handle later is the peer's to send again
                synchronized (c) {
                    if (System.nanoTime() - c.touched > TimeUnit.SECONDS.toNanos(S2S_RESUME_SECONDS) || c.owner != earlier) {
                        return null;
                    }
                    c.owner = stream;
                    c.touched = System.nanoTime();
                }
            }
        } else {
            return null;
        }
        if (earlier != null && earlier != stream) {
            earlier.failFromOtherThread(StreamError.CONFLICT, "the peer resumed this stream's count on another link");
        }
        return c;
    }

    /** This node's stanzas for each peer grid and its link to it (issue 24). */
    private final java.util.Map<String, PeerOutbound> outbound = new ConcurrentHashMap<>();

    /** The queue and link of this peer grid on this node (made when first needed). */
    PeerOutbound outbound(String peerDomain) {
        return outbound.computeIfAbsent(peerDomain, d -> new PeerOutbound(this, d));
    }

    void forgetOutbound(String peerDomain, PeerOutbound o) {
        outbound.remove(peerDomain, o);
    }

    /** Queues a stanza for a peer grid at once (outside a transaction); false when its queue is full. */
    boolean sendToPeer(String peerDomain, XmlElement stanza) {
        return sendToPeer(peerDomain, stanza, 0);
    }

    boolean sendToPeer(String peerDomain, XmlElement stanza, long trackingId) {
        return !stopping && outbound(peerDomain).offer(peerBytes(stanza), trackingId);
    }

    /** Queues a stored stanza for a peer grid (the application's backlog, beyond the queue's bound). */
    boolean sendStoredToPeer(String peerDomain, String stanzaXml, long trackingId) {
        if (stopping) {
            return false;
        }
        outbound(peerDomain).putStored(stanzaXml.getBytes(java.nio.charset.StandardCharsets.UTF_8), trackingId);
        return true;
    }

    /** The peer has these (or they are dropped for good): the application forgets its copies (on a worker). */
    void peerDelivered(String peerDomain, long[] trackingIds) {
        Runnable tell = () -> {
            try {
                stanzaEndpoints.call(l -> {
                    l.onPeerDelivered(peerDomain, trackingIds);
                    return null;
                });
            } catch (UnavailableException | RuntimeException e) {
                // the stored copies stay and are sent again when the listener starts: at least once, never lost
                Log.CONN.warnf("GRIDRA0516: %d stanzas acknowledged by peer grid %s not forgotten (sent again at the next "
                        + "start): %s", trackingIds.length, peerDomain, e.toString());
            }
        };
        try {
            workers.execute(tell);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            tell.run();
        }
    }

    /** Whether the application has more stored for peer grids than it handed over, and whether it is being asked. */
    private volatile boolean peerBacklogMore;
    private final java.util.concurrent.atomic.AtomicBoolean peerBacklogAsked = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * At a start, and when a peer's queue ran empty while more was stored: the application hands over the next part
     * of what this node still has to send to peer grids (on a worker; one request at a time).
     */
    void peerBacklog() {
        if (!peerBacklogAsked.compareAndSet(false, true)) {
            return;
        }
        try {
            workers.execute(() -> {
                try {
                    peerBacklogMore = stanzaEndpoints.call(StanzaListener::onPeerOutboxWanted);
                } catch (UnavailableException | RuntimeException e) {
                    peerBacklogMore = true; // asked again when a queue runs empty, and at the next start
                    Log.CONN.warnf("GRIDRA0517: the stored stanzas for peer grids were not handed over: %s", e.toString());
                } finally {
                    peerBacklogAsked.set(false);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            peerBacklogAsked.set(false); // the listener stops
        }
    }

    /** The application holds more for peers than it handed over: it is asked for it now. */
    void peerOutboxChanged() {
        peerBacklogMore = true;
        peerBacklog();
    }

    /** A peer's queue ran empty: if the application holds more for peers, it is asked for it. */
    void peerQueueEmpty() {
        if (peerBacklogMore) {
            peerBacklog();
        }
    }

    /** A stanza as a server-to-server stream carries it (jabber:client elements in the stream's jabber:server). */
    static byte[] peerBytes(XmlElement stanza) {
        return io.xmppgrid.xmpp.XmlWriter.toUtf8(stanza, io.xmppgrid.xmpp.Ns.CLIENT);
    }

    /** This node's links of peer grids (issue 24), sorted by domain. */
    java.util.List<io.xmppgrid.ra.api.PeerLink> peerLinkList() {
        java.util.List<io.xmppgrid.ra.api.PeerLink> out = new ArrayList<>();
        for (PeerOutbound o : outbound.values()) {
            io.xmppgrid.ra.api.PeerLink l = o.link(cfg.nodeName() + ">" + o.domain());
            if (l != null) {
                out.add(l);
            }
        }
        for (ClientConnection c : connections) {
            io.xmppgrid.ra.api.PeerLink l = c.peerLink();
            if (l != null) {
                out.add(l);
            }
        }
        out.sort(java.util.Comparator.comparing(io.xmppgrid.ra.api.PeerLink::domain));
        return out;
    }

    /** The links of this peer grid (its domain) on this node. */
    int peerLinks(String peerDomain) {
        PeerOutbound o = outbound.get(peerDomain);
        int n = o != null && o.open() ? 1 : 0;
        for (ClientConnection c : connections) {
            if (c.s2s() && peerDomain.equals(c.peerDomain())) {
                n++;
            }
        }
        return n;
    }

    /** Whether the platform's sessions were ended after a stream authenticated at {@code authenticatedAt}. */
    boolean endedSince(Jid bare, long authenticatedAt) {
        Long at = revokedAt.get(bare);
        return at != null && at - authenticatedAt >= 0;
    }

    /** Writes a stanza to the local session with this full JID; false when there is none. */
    boolean send(Jid fullJid, XmlElement stanza) {
        return send(fullJid, stanza, BoundSession.UNTRACKED);
    }

    boolean send(Jid fullJid, XmlElement stanza, long tracking) {
        BoundSession s = sessions.session(fullJid);
        return s != null && counted(s, s.send(stanza, tracking));
    }

    /** Writes a tracked stored stanza, as the text it was stored as, to the local session with this full JID. */
    boolean sendStored(Jid fullJid, String xml, long tracking) {
        BoundSession s = sessions.session(fullJid);
        return s != null && counted(s, s.sendStored(xml, tracking));
    }

    private boolean counted(BoundSession s, boolean sent) {
        if (sent) {
            stanzasOut.increment();
            s.stanzasOut.increment();
        }
        return sent;
    }

    io.xmppgrid.ra.api.SessionTraffic traffic(Jid fullJid) {
        BoundSession s = sessions.session(fullJid);
        return s == null ? io.xmppgrid.ra.api.SessionTraffic.NONE
                : new io.xmppgrid.ra.api.SessionTraffic(s.stanzasIn.sum(), s.stanzasOut.sum());
    }

    io.xmppgrid.ra.api.ServerStatistics statistics() {
        java.util.Map<String, Long> refusedNow = new java.util.TreeMap<>();
        refused.forEach((k, v) -> refusedNow.put(k, v.sum()));
        return new io.xmppgrid.ra.api.ServerStatistics(connections.size(), sessions.size(), stanzasIn.sum(), stanzasOut.sum(),
                refusedNow);
    }

    void updatePresence(Jid fullJid, boolean available, int priority) {
        BoundSession s = sessions.session(fullJid);
        if (s != null) {
            s.updatePresence(available, priority);
            sessions.changed(s);
        }
    }

    // ------------------------------------------------------------------ accessors

    ServerConfig config() {
        return cfg;
    }

    TlsContext tls() {
        return tls;
    }

    Jid domain() {
        return domain;
    }

    LocalSessionRegistry sessions() {
        return sessions;
    }

    AuthThrottle throttle() {
        return throttle;
    }

    ExecutorService handshakes() {
        return handshakes;
    }

    ExecutorService workers() {
        return workers;
    }

    ScheduledThreadPoolExecutor scheduler() {
        return scheduler;
    }

    byte[] simulationSecret() {
        return simulationSecret;
    }

    private static java.util.concurrent.locks.ReentrantLock[] newLocks(int n) {
        java.util.concurrent.locks.ReentrantLock[] locks = new java.util.concurrent.locks.ReentrantLock[n];
        for (int i = 0; i < n; i++) {
            locks[i] = new java.util.concurrent.locks.ReentrantLock();
        }
        return locks;
    }

    /** The stripe of the ordering locks that an ordering key maps to. */
    int orderingStripe(String key) {
        return Math.floorMod(key.hashCode(), orderingLocks.length);
    }

    java.util.concurrent.locks.Lock orderingLock(int stripe) {
        return orderingLocks[stripe];
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
