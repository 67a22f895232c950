package io.xmppgrid.ra;

import io.xmppgrid.xmpp.StreamError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * One client TCP connection: socket, TLS and buffering. The loop thread reads, decrypts and
 * queues plaintext; a worker, one at a time per connection, runs the {@link XmppStream} that
 * parses and negotiates, so the stanzas of one stream are handled in order while streams run
 * in parallel. Writes may come from any thread; they are encrypted and queued under one lock.
 */
final class ClientConnection {

    private static final AtomicInteger SEQ = new AtomicInteger();
    /** Connection ids name sessions in stored leases too: unique across restarts, not only within one. */
    private static final String BOOT = Long.toString(System.currentTimeMillis() / 1000 % 46656L * 46656L
            + new java.security.SecureRandom().nextInt(46656), 36);
    private static final ThreadLocal<ByteBuffer> WRAP_SCRATCH = ThreadLocal.withInitial(() -> ByteBuffer.allocate(34 * 1024));
    /** The connections written to within this thread's corked section (null: not corked). */
    private static final ThreadLocal<List<ClientConnection>> CORKED = new ThreadLocal<>();
    /** Plaintext that fills one TLS record (RFC 8446 §5.1). */
    private static final int RECORD = 16 * 1024;

    private final String id;
    private final XmppServer server;
    private final IoLoop loop;
    private final SocketChannel channel;
    private final String remoteAddress;
    private final boolean directTls;
    private SelectionKey key;

    private final Object io = new Object();
    // guarded by io
    private SSLEngine engine;
    private boolean handshakeDone;
    /** The engine's handshake tasks run on the server's TLS threads; until they finish, input waits in pendingNet. */
    private boolean handshakeTasksRunning;
    private ByteBuffer pendingNet;
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private long outBytes;
    private boolean closeAfterFlush;
    private boolean wakeOnDrain;
    /** Plaintext written in a corked section, not yet encrypted (null: none). */
    private byte[] corked;
    private int corkedLength;
    /** False while {@link #corked} is the caller's array of the first write (copied before appending). */
    private boolean corkedOwned;

    private volatile SSLSession tlsSession;
    private volatile X509Certificate peerCertificate;
    /** The peer's certificate chain as it presented it (its certificate first); empty without one. */
    private volatile X509Certificate[] peerChain = new X509Certificate[0];
    private volatile boolean closed;
    private volatile boolean readsPaused;
    private volatile long lastRead = System.nanoTime();
    private volatile long pingSentAt; // 0: no keepalive ping outstanding
    /** The address this connection is counted under for the per-address limit (null: not counted). */
    volatile String countedHost;
    /** Counted among the node's unauthenticated connections until it authenticates or closes. */
    final java.util.concurrent.atomic.AtomicBoolean unauthenticated = new java.util.concurrent.atomic.AtomicBoolean();
    /** Output that may be queued for the peer: small until it authenticates. */
    private volatile int outputLimit = ServerConfig.UNAUTHENTICATED_OUTPUT_BYTES;

    // inbound plaintext for the worker
    private final Queue<byte[]> inbound = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inboundBytes = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Stream stream;
    /** A peer grid's server-to-server connection (issue 24), not a platform's. */
    private final boolean s2s;

    ClientConnection(XmppServer server, IoLoop loop, SocketChannel channel, boolean directTls) {
        this(server, loop, channel, directTls, false);
    }

    ClientConnection(XmppServer server, IoLoop loop, SocketChannel channel, boolean directTls, boolean s2s) {
        this.id = "c" + BOOT + "-" + Integer.toString(SEQ.incrementAndGet(), 36);
        this.server = server;
        this.loop = loop;
        this.channel = channel;
        this.directTls = directTls;
        String addr;
        try {
            addr = String.valueOf(channel.getRemoteAddress());
        } catch (IOException e) {
            addr = "?";
        }
        this.remoteAddress = addr.startsWith("/") ? addr.substring(1) : addr;
        this.s2s = s2s;
        if (directTls) {
            this.engine = s2s ? server.tls().newS2sEngine() : server.tls().newEngine();
        }
        this.stream = s2s ? new ServerStream(this, server) : new XmppStream(this, server);
    }

    String id() {
        return id;
    }

    String remoteAddress() {
        return remoteAddress;
    }

    /** The peer's IP address without port, for throttling. */
    String remoteHost() {
        int colon = remoteAddress.lastIndexOf(':');
        return colon > 0 ? remoteAddress.substring(0, colon) : remoteAddress;
    }

    boolean directTls() {
        return directTls;
    }

    boolean s2s() {
        return s2s;
    }

    /** What this connection is as a peer grid's link (issue 24), or null when it is a client's or names no peer yet. */
    io.xmppgrid.ra.api.PeerLink peerLink() {
        return stream instanceof ServerStream ss ? ss.link(id, remoteAddress) : null;
    }

    /** The peer grid a server-to-server stream named (issue 24), or null. */
    String peerDomain() {
        return stream instanceof ServerStream ss ? ss.peerDomain() : null;
    }

    boolean isClosed() {
        return closed;
    }

    /** Registers with the loop; called on the loop thread. */
    void register() throws IOException {
        key = channel.register(loop.selector(), SelectionKey.OP_READ, this);
        if (directTls) {
            synchronized (io) {
                engine.beginHandshake();
            }
        }
    }

    // ------------------------------------------------------------------ reading (loop thread)

    void onReadable(IoLoop l) {
        ByteBuffer rb = l.readBuffer;
        rb.clear();
        int n;
        try {
            n = channel.read(rb);
        } catch (IOException e) {
            Log.CONN.debugf("GRIDRA0101: %s read failed: %s", id, e.getMessage());
            abort("read failed: " + e.getMessage());
            return;
        }
        if (n < 0) {
            abort("peer closed the TCP connection");
            return;
        }
        if (n == 0) {
            return;
        }
        lastRead = System.nanoTime();
        rb.flip();
        try {
            synchronized (io) {
                if (engine == null) {
                    queueInbound(copy(rb));
                } else {
                    ByteBuffer net = rb;
                    if (pendingNet != null) {
                        ByteBuffer joined = ByteBuffer.allocate(pendingNet.remaining() + rb.remaining());
                        joined.put(pendingNet).put(rb).flip();
                        net = joined;
                        pendingNet = null;
                    }
                    unwrap(net, l.appBuffer);
                    if (net.hasRemaining()) {
                        if (net.remaining() > 20 * 1024) {
                            throw new SSLException("TLS record too large");
                        }
                        pendingNet = copyBuffer(net);
                    }
                    flushLocked();
                }
            }
        } catch (SSLException e) {
            Log.CONN.infof("GRIDRA0102: %s TLS failure from %s: %s", id, remoteAddress, e.getMessage());
            abort("TLS failure: " + e.getMessage());
            return;
        } catch (IOException e) {
            abort("write failed: " + e.getMessage());
            return;
        }
        if (inboundBytes.get() > server.config().maxStanzaBytes() * 2 + 65536) {
            pauseReads();
        }
    }

    private void unwrap(ByteBuffer net, ByteBuffer app) throws IOException {
        while (true) {
            SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
            if (handshakeDone && hs != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING && tlsSession != null
                    && !"TLSv1.3".equals(tlsSession.getProtocol())) {
                // issue 18 §9: a TLS 1.2 peer asked for a new handshake (renegotiation): each costs a full handshake's
                // CPU on this loop, and nothing in XMPP needs one (TLS 1.3 has none; its key updates do not come here)
                throw new SSLException("TLS renegotiation refused");
            }
            if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                if (!handshakeTasksRunning) {
                    handshakeTasksRunning = true;
                    try {
                        server.handshakes().execute(this::runHandshakeTasks);
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        throw new SSLException("the listener is stopping");
                    }
                }
                return; // the caller keeps what is left of net; handshakeTasksDone goes on from there
            }
            if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                SSLEngineResult r = wrapLocked(ByteBuffer.allocate(0));
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    closeAfterFlush = true;
                    return;
                }
                checkHandshakeFinished(r);
                continue;
            }
            if (!net.hasRemaining()) {
                return;
            }
            app.clear();
            SSLEngineResult r = engine.unwrap(net, app);
            checkHandshakeFinished(r);
            switch (r.getStatus()) {
                case BUFFER_UNDERFLOW:
                    return;
                case BUFFER_OVERFLOW:
                    throw new SSLException("TLS record larger than the application buffer");
                case CLOSED:
                    app.flip();
                    if (app.hasRemaining()) {
                        queueInbound(copy(app));
                    }
                    loop.execute(() -> abort("peer sent TLS close_notify"));
                    return;
                default:
                    break;
            }
            app.flip();
            if (app.hasRemaining()) {
                queueInbound(copy(app));
            }
            if (r.bytesConsumed() == 0 && r.bytesProduced() == 0
                    && engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_UNWRAP) {
                return;
            }
        }
    }

    /** On a TLS thread: the handshake's expensive steps, then back to this connection's loop. */
    private void runHandshakeTasks() {
        try {
            Runnable t;
            while ((t = engine.getDelegatedTask()) != null) {
                t.run();
            }
        } catch (RuntimeException e) {
            Log.CONN.infof("GRIDRA0108: %s TLS handshake step failed for %s: %s", id, remoteAddress, e.getMessage());
        }
        loop.execute(this::handshakeTasksDone);
    }

    /** On the loop: the handshake goes on with the input that arrived meanwhile. */
    private void handshakeTasksDone() {
        if (closed) {
            return;
        }
        try {
            synchronized (io) {
                handshakeTasksRunning = false;
                ByteBuffer net = pendingNet == null ? ByteBuffer.allocate(0) : pendingNet;
                pendingNet = null;
                unwrap(net, loop.appBuffer);
                if (net.hasRemaining()) {
                    pendingNet = net; // our own copy (onReadable keeps none of the loop's buffer)
                }
                flushLocked();
            }
        } catch (SSLException e) {
            Log.CONN.infof("GRIDRA0102: %s TLS failure from %s: %s", id, remoteAddress, e.getMessage());
            abort("TLS failure: " + e.getMessage());
        } catch (IOException e) {
            abort("write failed: " + e.getMessage());
        }
    }

    private void checkHandshakeFinished(SSLEngineResult r) {
        if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED && !handshakeDone) {
            handshakeDone = true;
            SSLSession s = engine.getSession();
            tlsSession = s;
            try {
                Certificate[] peer = s.getPeerCertificates();
                if (peer.length > 0 && peer[0] instanceof X509Certificate) {
                    peerCertificate = (X509Certificate) peer[0];
                    X509Certificate[] chain = new X509Certificate[peer.length];
                    for (int i = 0; i < peer.length; i++) {
                        chain[i] = (X509Certificate) peer[i];
                    }
                    peerChain = chain;
                }
            } catch (SSLPeerUnverifiedException e) {
                peerCertificate = null;
            }
            Log.CONN.debugf("GRIDRA0103: %s TLS established: %s %s, client certificate: %s", id, s.getProtocol(),
                    s.getCipherSuite(), peerCertificate == null ? "none" : peerCertificate.getSerialNumber().toString(16));
        }
    }

    private void queueInbound(byte[] data) {
        inbound.add(data);
        inboundBytes.addAndGet(data.length);
        schedule();
    }

    private void pauseReads() {
        if (!readsPaused && key != null && key.isValid()) {
            readsPaused = true;
            key.interestOpsAnd(~SelectionKey.OP_READ);
        }
    }

    private void resumeReadsIfDrained() {
        if (readsPaused && inboundBytes.get() < server.config().maxStanzaBytes() + 32768) {
            readsPaused = false;
            if (key != null && key.isValid()) {
                key.interestOpsOr(SelectionKey.OP_READ);
                loop.wakeup();
            }
        }
    }

    // ------------------------------------------------------------------ processing (worker, serial)

    void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                server.workers().execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                scheduled.set(false); // the listener is stopping; its stop() closes this connection
            }
        }
    }

    private void drain() {
        try {
            stream.process();
        } catch (Throwable t) {
            Log.CONN.errorf(t, "GRIDRA0190: %s unexpected error while processing the stream", id);
            stream.fail(StreamError.INTERNAL_SERVER_ERROR, "internal error");
        } finally {
            scheduled.set(false);
            if (stream.hasWork()) {
                schedule();
            }
        }
    }

    /** The next inbound plaintext chunk for the stream, or null. */
    byte[] pollInbound() {
        byte[] b = inbound.poll();
        if (b != null) {
            inboundBytes.addAndGet(-b.length);
            resumeReadsIfDrained();
        }
        return b;
    }

    boolean hasInbound() {
        return !inbound.isEmpty();
    }

    // ------------------------------------------------------------------ TLS state for negotiation

    /** TLS was started but its handshake has not completed. */
    boolean isTlsPending() {
        synchronized (io) {
            return engine != null && !handshakeDone;
        }
    }

    boolean isSecure() {
        return tlsSession != null;
    }

    SSLSession tlsSession() {
        return tlsSession;
    }

    X509Certificate peerCertificate() {
        return peerCertificate;
    }

    X509Certificate[] peerChain() {
        return peerChain.clone();
    }

    /**
     * STARTTLS (RFC 6120 §5.4.2.3): queues {@code <proceed/>} in clear text, then switches
     * the connection to TLS so that everything read afterwards is TLS.
     */
    void startTls(String proceed) {
        synchronized (io) {
            if (engine != null) {
                return;
            }
            enqueueLocked(ByteBuffer.wrap(proceed.getBytes(StandardCharsets.UTF_8)));
            engine = s2s ? server.tls().newS2sEngine() : server.tls().newEngine();
            // RFC 6120 §5.4.3.3: the client waits for <proceed/>; whatever plaintext it sent after <starttls/> must
            // not reach the stream that TLS protects (a STARTTLS command injection): dropped, never parsed
            int dropped = 0;
            for (byte[] b; (b = inbound.poll()) != null; ) {
                dropped += b.length;
            }
            if (dropped > 0) {
                inboundBytes.addAndGet(-dropped);
                Log.CONN.infof("GRIDRA0107: %s %d plaintext bytes sent after <starttls/> dropped", id, dropped);
                resumeReadsIfDrained();
            }
            try {
                engine.beginHandshake();
                flushLocked();
            } catch (IOException e) {
                loop.execute(() -> abort("STARTTLS failed: " + e.getMessage()));
            }
        }
    }

    // ------------------------------------------------------------------ writing (any thread)

    /** Writes text to the peer; returns false if the connection is closed. */
    boolean write(String xml) {
        return write(xml.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Runs {@code body} with this thread's writes corked: what it writes to a TLS connection is kept
     * as plaintext and encrypted at the end (or whenever a record's worth has gathered), so stanzas
     * written together to one peer share TLS records and socket writes instead of one each. Writes
     * from other threads first encrypt what is corked, so each connection's order is kept.
     */
    static void corked(Runnable body) {
        if (CORKED.get() != null) {
            body.run();
            return;
        }
        List<ClientConnection> touched = new ArrayList<>();
        CORKED.set(touched);
        try {
            body.run();
        } finally {
            CORKED.remove();
            for (ClientConnection c : touched) {
                c.uncork();
            }
        }
    }

    private void uncork() {
        synchronized (io) {
            if (corked == null || closed) {
                return;
            }
            try {
                if (wrapCorkedLocked()) {
                    flushLocked();
                }
            } catch (IOException e) {
                loop.execute(() -> abort("write failed: " + e.getMessage()));
            }
        }
    }

    /** Encrypts the corked plaintext into records (queued, not flushed); false when the engine is closed. */
    private boolean wrapCorkedLocked() throws IOException {
        if (corked == null) {
            return true;
        }
        ByteBuffer src = ByteBuffer.wrap(corked, 0, corkedLength);
        outBytes -= corkedLength;
        corked = null;
        corkedLength = 0;
        return wrapAll(src);
    }

    /** Writes bytes to the peer (kept, unchanged, until encrypted); returns false if the connection is closed. */
    boolean write(byte[] data) {
        synchronized (io) {
            if (closed || closeAfterFlush) {
                return false;
            }
            try {
                if (engine != null) {
                    if (!handshakeDone) {
                        // no application data before the TLS handshake completes; callers then close
                        return false;
                    }
                    List<ClientConnection> cork = CORKED.get();
                    if (cork != null && data.length < RECORD) {
                        if (corked != null && corkedLength + data.length > RECORD && !wrapCorkedLocked()) {
                            return false;
                        }
                        if (corked == null) {
                            // the first stanza is kept as given (a fan-out writes one per connection)
                            corked = data;
                            corkedLength = data.length;
                            corkedOwned = false;
                            cork.add(this);
                        } else {
                            if (!corkedOwned) {
                                corked = Arrays.copyOf(corked, RECORD);
                                corkedOwned = true;
                            }
                            System.arraycopy(data, 0, corked, corkedLength, data.length);
                            corkedLength += data.length;
                        }
                        outBytes += data.length;
                    } else if (!wrapCorkedLocked() || !wrapAll(ByteBuffer.wrap(data))) {
                        return false;
                    }
                } else {
                    enqueueLocked(ByteBuffer.wrap(data));
                }
                if (outBytes > outputLimit) {
                    Log.CONN.warnf("GRIDRA0104: %s peer does not read: %d bytes pending, closing", id, outBytes);
                    out.clear();
                    outBytes = 0;
                    corked = null;
                    corkedLength = 0;
                    loop.execute(() -> abort("output buffer overflow"));
                    return false;
                }
                if (!out.isEmpty()) {
                    flushLocked();
                }
                return true;
            } catch (IOException e) {
                loop.execute(() -> abort("write failed: " + e.getMessage()));
                return false;
            }
        }
    }

    /** Bytes encrypted and waiting for the socket. */
    /** The peer authenticated: it may have the configured output queued, and no longer counts as unauthenticated. */
    void authenticated() {
        outputLimit = server.config().maxOutboundBytes();
        server.authenticated(this);
    }

    long outboundBytes() {
        synchronized (io) {
            return outBytes;
        }
    }

    /** Runs the stream again once everything pending has been written. */
    void wakeWhenDrained() {
        synchronized (io) {
            wakeOnDrain = true;
        }
    }

    /** Writes the last bytes of a stream, then closes once they are flushed (or after 2 s). */
    void writeAndClose(String xml) {
        synchronized (io) {
            if (closed || closeAfterFlush) {
                return;
            }
            try {
                if (engine != null) {
                    if (handshakeDone) {
                        wrapCorkedLocked();
                        wrapAll(ByteBuffer.wrap(xml.getBytes(StandardCharsets.UTF_8)));
                    }
                    engine.closeOutbound();
                    wrapLocked(ByteBuffer.allocate(0));
                } else {
                    enqueueLocked(ByteBuffer.wrap(xml.getBytes(StandardCharsets.UTF_8)));
                }
            } catch (IOException e) {
                Log.CONN.debugf("%s final write: %s", id, e.getMessage());
            }
            closeAfterFlush = true;
            try {
                flushLocked();
            } catch (IOException e) {
                loop.execute(() -> abort("write failed"));
            }
        }
        server.scheduler().schedule(() -> loop.execute(() -> abort("closed by the server")), 2,
                java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Encrypts all of {@code src}; false when the engine is closed or makes no progress. */
    private boolean wrapAll(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            SSLEngineResult r = wrapLocked(src);
            if (r.getStatus() == SSLEngineResult.Status.CLOSED || (r.bytesConsumed() == 0 && r.bytesProduced() == 0)) {
                return false;
            }
        }
        return true;
    }

    private SSLEngineResult wrapLocked(ByteBuffer src) throws IOException {
        ByteBuffer scratch = WRAP_SCRATCH.get();
        scratch.clear();
        SSLEngineResult r = engine.wrap(src, scratch);
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            throw new SSLException("TLS wrap buffer overflow");
        }
        scratch.flip();
        if (scratch.hasRemaining() && handshakeDone && out.isEmpty()) {
            channel.write(scratch); // nothing queued before this record: to the socket without a copy
        }
        if (scratch.hasRemaining()) {
            enqueueLocked(copyBuffer(scratch)); // the callers flush (or wait for the socket to take it)
        }
        return r;
    }

    private void enqueueLocked(ByteBuffer b) {
        out.add(b);
        outBytes += b.remaining();
    }

    private void flushLocked() throws IOException {
        if (out.size() > 1) {
            // several records (a corked section, or output the peer has not read yet): one gathering write
            ByteBuffer[] all = new ByteBuffer[Math.min(out.size(), 64)];
            java.util.Iterator<ByteBuffer> it = out.iterator();
            for (int i = 0; i < all.length; i++) {
                all[i] = it.next();
            }
            outBytes -= channel.write(all);
            while (!out.isEmpty() && !out.peek().hasRemaining()) {
                out.poll();
            }
        }
        while (!out.isEmpty()) {
            ByteBuffer head = out.peek();
            int before = head.remaining();
            channel.write(head);
            outBytes -= before - head.remaining();
            if (head.hasRemaining()) {
                if (key != null && key.isValid()) {
                    key.interestOpsOr(SelectionKey.OP_WRITE);
                    loop.wakeup();
                }
                return;
            }
            out.poll();
        }
        if (key != null && key.isValid() && (key.interestOps() & SelectionKey.OP_WRITE) != 0) {
            key.interestOpsAnd(~SelectionKey.OP_WRITE);
        }
        if (wakeOnDrain) {
            wakeOnDrain = false;
            schedule(); // the stream was waiting for room to send stored messages
        }
        if (closeAfterFlush) {
            loop.execute(() -> abort("closed after final write"));
        }
    }

    void onWritable() {
        synchronized (io) {
            try {
                flushLocked();
            } catch (IOException e) {
                loop.execute(() -> abort("write failed: " + e.getMessage()));
            }
        }
    }

    // ------------------------------------------------------------------ closing

    /** Another connection bound this connection's full JID. */
    void replaced() {
        stream.replacedBySameResource();
    }

    /** The listener stops; {@code alternate}: another node's listener to send the client to, or null. */
    void shutdown(String alternate) {
        stream.shutdown(alternate);
    }

    /**
     * Keepalive (timer thread): a bound stream silent for {@code idle} gets a XEP-0199 ping; one
     * that stays silent for {@code answer} after it is closed with {@code <connection-timeout/>},
     * so that half-open connections (their peer gone without a TCP reset) end, and a resumable
     * session is detached, instead of holding their stored messages.
     */
    void checkIdle(long now, long idle, long answer) {
        if (closed) {
            return;
        }
        long sent = pingSentAt;
        long read = lastRead;
        if (sent != 0 && read - sent < 0) {
            if (now - sent > answer) {
                Log.CONN.infof("GRIDRA0130: %s no answer from %s within %d s of a ping", id, remoteAddress,
                        java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(answer));
                fail(StreamError.CONNECTION_TIMEOUT, "no answer to a ping");
            }
            return;
        }
        if (now - read > idle && stream.keepalive()) {
            pingSentAt = now;
        }
    }

    /** Ends the stream with a stream error, from any thread (the stream's worker sends it). */
    void fail(StreamError error, String text) {
        stream.failFromOtherThread(error, text);
    }

    /** Closes the socket now (any thread); the stream is told so it can end its session. */
    void abort(String reason) {
        synchronized (io) {
            if (closed) {
                return;
            }
            closed = true;
            out.clear();
            outBytes = 0;
        }
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            Log.CONN.debugf("%s close: %s", id, e.getMessage());
        }
        Log.CONN.debugf("GRIDRA0105: %s closed: %s", id, reason);
        stream.connectionClosed(reason);
        server.connectionClosed(this);
        schedule();
    }

    private static byte[] copy(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    private static ByteBuffer copyBuffer(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b).flip();
        return c;
    }
}
