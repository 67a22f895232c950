package io.xmppgrid.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;

/**
 * One client session of the generator, driven by its {@link XmppLoops.Loop}: the login is a state
 * machine fed by the server's elements (stream features → STARTTLS → TLS 1.3 → SCRAM-SHA-256 →
 * bind → initial presence), then stanzas go to a handler on the loop thread (or, before one is set,
 * to {@link #next}). XEP-0199 pings from the server are answered, so idle sessions stay up. Output
 * queued from any thread is coalesced into as few TLS records as it fills.
 */
final class XmppSession implements AutoCloseable {

    private static final Pattern CHALLENGE = Pattern.compile("<challenge[^>]*>([^<]*)</challenge>");
    private static final Pattern SUCCESS = Pattern.compile("<success[^>]*>([^<]*)</success>|<success[^>]*/>");
    private static final Pattern BOUND = Pattern.compile("<jid>([^<]+)</jid>");
    private static final Pattern ID = Pattern.compile("\\sid=['\"]([^'\"]*)['\"]");
    private static final Pattern FROM = Pattern.compile("\\sfrom=['\"]([^'\"]*)['\"]");
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private enum State { CONNECTING, TLS_FEATURES, PROCEED, HANDSHAKE, SASL_FEATURES, CHALLENGE, OUTCOME, BIND_FEATURES, BIND,
        READY, CLOSED }

    final CompletableFuture<XmppSession> ready = new CompletableFuture<>();
    private final XmppLoops.Loop loop;
    private final XmppLoops.Login login;
    private final StanzaSplitter splitter = new StanzaSplitter(this::onElement);
    private final BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
    private final Queue<byte[]> out = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushQueued = new AtomicBoolean();
    private volatile Consumer<String> handler;
    private State state = State.CONNECTING;
    private SocketChannel ch;
    private SelectionKey key;
    private SSLEngine engine;
    private boolean tlsReady;
    private ScramClient scram;
    /** Bytes of a TLS record not complete at the end of a read. */
    private ByteBuffer carry;
    /** Encrypted bytes the socket did not take yet. */
    private ByteBuffer pendingNet;
    /** Plaintext gathered but not yet wrapped (the flush's record buffer was full). */
    private ByteBuffer pendingPlain;
    private volatile boolean closing;
    private long started;
    private long connected;
    private long tlsDone;
    private long authDone;
    private long loggedIn;
    volatile String jid;

    XmppSession(XmppLoops.Loop loop, XmppLoops.Login login) {
        this.loop = loop;
        this.login = login;
    }

    /** Nanoseconds from the TCP connect to the initial presence. */
    long loginNanos() {
        return loggedIn - started;
    }

    /** The login's phases in nanoseconds: TCP connect, STARTTLS and TLS handshake, SASL, stream restart and bind. */
    long[] phaseNanos() {
        return new long[] {connected - started, tlsDone - connected, authDone - tlsDone, loggedIn - authDone};
    }

    /** From now on, stanzas go to {@code h} (on the loop thread), the ones already received first. */
    void onStanza(Consumer<String> h) {
        loop.execute(() -> {
            String s;
            while ((s = inbox.poll()) != null) {
                h.accept(s);
            }
            handler = h;
        });
    }

    /** The next stanza, for a caller that waits (set-up requests): at most 30 s. */
    String next(String what) throws IOException {
        try {
            String s = inbox.poll(30, TimeUnit.SECONDS);
            if (s == null) {
                throw new IOException("timeout waiting for " + what);
            }
            if (s.startsWith("<bench-closed")) {
                throw new IOException("closed while waiting for " + what + ": " + s);
            }
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for " + what);
        }
    }

    /** Queues XML for the server (any thread); it leaves at the loop's next flush of this session. */
    void write(String xml) {
        out.add(xml.getBytes(StandardCharsets.UTF_8));
        if (flushQueued.compareAndSet(false, true)) {
            loop.execute(() -> {
                flushQueued.set(false);
                try {
                    flush();
                } catch (IOException | RuntimeException e) {
                    fail(e);
                }
            });
        }
    }

    /**
     * Ends the session as RFC 6120 §4.4 asks: sends the closing tag and waits (up to 10 s) for the
     * server's before closing the TCP connection, so the server sees a clean close (ours confirms
     * stored messages delivered without XEP-0198 only then). {@link #closed} completes at the end.
     */
    @Override
    public void close() {
        closing = true;
        loop.execute(() -> {
            if (state != State.READY) {
                shut();
                return;
            }
            try {
                out.add("</stream:stream>".getBytes(StandardCharsets.UTF_8));
                flush();
                closeBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                loop.closing.add(this);
            } catch (IOException | RuntimeException ignored) {
                shut();
            }
        });
    }

    /** Completes when the connection is closed, whoever closed it. */
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    private long closeBy;

    /** Loop thread: true when the session is closed (the server answered the close, or it took too long). */
    boolean closeDue(long now) {
        if (state == State.CLOSED) {
            return true;
        }
        if (splitter.closed() || now - closeBy > 0) {
            shut();
            return true;
        }
        return false;
    }

    // ---- loop thread from here on ----

    void open() {
        started = System.nanoTime();
        try {
            ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (login.local() != null) {
                ch.bind(new InetSocketAddress(login.local(), 0));
            }
            key = loop.register(ch, this);
            if (ch.connect(XmppLoops.address(login))) {
                onConnectable();
            }
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    void onConnectable() throws IOException {
        if (ch.isConnectionPending()) {
            ch.finishConnect();
        }
        key.interestOps(SelectionKey.OP_READ);
        connected = System.nanoTime();
        state = State.TLS_FEATURES;
        write(header());
    }

    void onReadable() throws IOException {
        ByteBuffer in = loop.in;
        in.clear();
        if (carry != null) {
            in.put(carry);
            carry = null;
        }
        int n = ch.read(in);
        if (n < 0) {
            throw new IOException("the server closed the connection");
        }
        in.flip();
        if (engine == null) {
            splitter.feed(in.array(), in.position(), in.remaining());
            in.position(in.limit());
        } else {
            unwrap(in);
        }
        if (in.hasRemaining() && ch.isOpen()) {
            carry = ByteBuffer.allocate(in.remaining()).put(in).flip();
        }
        if (closing && splitter.closed()) {
            shut();
        }
    }

    private void unwrap(ByteBuffer in) throws IOException {
        while (state != State.CLOSED) {
            SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                Runnable t;
                while ((t = engine.getDelegatedTask()) != null) {
                    t.run();
                }
                continue;
            }
            if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                ByteBuffer net = loop.net;
                net.clear();
                SSLEngineResult r = engine.wrap(EMPTY, net);
                net.flip();
                send(net);
                if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED) {
                    tlsFinished();
                }
                continue;
            }
            if (!in.hasRemaining()) {
                return;
            }
            ByteBuffer app = loop.app;
            app.clear();
            SSLEngineResult r = engine.unwrap(in, app);
            app.flip();
            if (app.hasRemaining()) {
                splitter.feed(app.array(), 0, app.limit());
            }
            if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED) {
                tlsFinished();
            }
            switch (r.getStatus()) {
                case BUFFER_UNDERFLOW:
                    return;
                case CLOSED:
                    throw new IOException("the server closed TLS");
                case BUFFER_OVERFLOW:
                    throw new IOException("TLS record larger than " + app.capacity() + " bytes");
                default:
                    break;
            }
        }
    }

    private void tlsFinished() {
        if (!tlsReady) {
            tlsReady = true;
            tlsDone = System.nanoTime();
            state = State.SASL_FEATURES;
            splitter.reset();
            write(header());
        }
    }

    /** Writes what is queued: plaintext before STARTTLS, TLS records (filled up to 16 KiB each) after. */
    void flush() throws IOException {
        if (ch == null || !ch.isOpen() || state == State.CLOSED) {
            return;
        }
        if (pendingNet != null) {
            ch.write(pendingNet);
            if (pendingNet.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                return;
            }
            pendingNet = null;
        }
        if (engine == null) {
            byte[] b;
            while ((b = out.poll()) != null) {
                send(ByteBuffer.wrap(b));
            }
        } else if (tlsReady) {
            ByteBuffer net = loop.net;
            while (pendingNet == null) {
                ByteBuffer src = pendingPlain != null ? pendingPlain : gather();
                if (src == null) {
                    break;
                }
                net.clear();
                while (src.hasRemaining()) {
                    SSLEngineResult r = engine.wrap(src, net);
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                        break;
                    }
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new IOException("TLS closed");
                    }
                }
                pendingPlain = !src.hasRemaining() ? null
                        : src == loop.plain ? ByteBuffer.allocate(src.remaining()).put(src).flip() : src;
                net.flip();
                send(net);
            }
        }
        if (pendingNet == null && key.isValid()) {
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    /** The next plaintext to wrap: queued stanzas copied together up to one record, or one large stanza. */
    private ByteBuffer gather() {
        byte[] first = out.poll();
        if (first == null) {
            return null;
        }
        ByteBuffer p = loop.plain;
        if (first.length >= p.capacity()) {
            return ByteBuffer.wrap(first);
        }
        p.clear();
        p.put(first);
        byte[] b;
        while ((b = out.peek()) != null && b.length <= p.remaining()) {
            p.put(out.poll());
        }
        return p.flip();
    }

    /** Writes {@code b} (a loop buffer or our own) after anything still pending; keeps what the socket refuses. */
    private void send(ByteBuffer b) throws IOException {
        if (pendingNet == null) {
            ch.write(b);
            if (!b.hasRemaining()) {
                return;
            }
            pendingNet = ByteBuffer.allocate(b.remaining()).put(b).flip();
        } else {
            pendingNet = ByteBuffer.allocate(pendingNet.remaining() + b.remaining()).put(pendingNet).put(b).flip();
        }
        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }

    private void onElement(String e) {
        if (e.startsWith("<stream:stream") || e.startsWith("<stream ")) {
            return;
        }
        if (e.startsWith("<stream:error")) {
            fail(new IOException("stream error: " + e));
            return;
        }
        try {
            switch (state) {
                case TLS_FEATURES -> {
                    if (e.startsWith("<stream:features")) {
                        write("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
                        state = State.PROCEED;
                    }
                }
                case PROCEED -> {
                    if (!e.startsWith("<proceed")) {
                        throw new IOException("STARTTLS refused: " + e);
                    }
                    state = State.HANDSHAKE;
                    // no peer host and port: the JDK then never offers a cached session, so every login is a full
                    // handshake, the same work for every server; the domain still goes as SNI
                    engine = XmppLoops.TLS.createSSLEngine();
                    engine.setUseClientMode(true);
                    javax.net.ssl.SSLParameters p = engine.getSSLParameters();
                    p.setProtocols(new String[] {"TLSv1.3"});
                    p.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName(login.domain())));
                    engine.setSSLParameters(p);
                    engine.beginHandshake();
                    unwrap(EMPTY); // sends the ClientHello
                }
                case SASL_FEATURES -> {
                    if (e.startsWith("<stream:features")) {
                        scram = new ScramClient(login.user(), login.password());
                        write("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256'>"
                                + b64(scram.clientFirst()) + "</auth>");
                        state = State.CHALLENGE;
                    }
                }
                case CHALLENGE -> {
                    Matcher m = CHALLENGE.matcher(e);
                    if (!m.find()) {
                        throw new IOException("SCRAM-SHA-256 refused for " + login.user() + ": " + e);
                    }
                    write("<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                            + b64(scram.clientFinal(unb64(m.group(1)))) + "</response>");
                    state = State.OUTCOME;
                }
                case OUTCOME -> {
                    Matcher s = SUCCESS.matcher(e);
                    if (!s.find()) {
                        throw new IOException("authentication failed for " + login.user() + ": " + e);
                    }
                    String data = s.group(1);
                    if (data != null && !data.isEmpty() && !scram.verifyServerFinal(unb64(data))) {
                        throw new IOException("the server's SCRAM signature is wrong");
                    }
                    scram = null;
                    authDone = System.nanoTime();
                    state = State.BIND_FEATURES;
                    splitter.reset();
                    write(header());
                }
                case BIND_FEATURES -> {
                    if (e.startsWith("<stream:features")) {
                        write("<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>"
                                + login.resource() + "</resource></bind></iq>");
                        state = State.BIND;
                    }
                }
                case BIND -> {
                    Matcher j = BOUND.matcher(e);
                    if (!j.find()) {
                        throw new IOException("bind failed: " + e);
                    }
                    jid = j.group(1);
                    write("<presence/>"); // RFC 6121 §4.2: available, so messages to the bare JID reach this session
                    state = State.READY;
                    loggedIn = System.nanoTime();
                    ready.complete(this);
                }
                case READY -> deliver(e);
                default -> {
                    // nothing is expected before the stream opens or during the handshake
                }
            }
        } catch (IOException | RuntimeException ex) {
            fail(ex);
        }
    }

    private void deliver(String e) {
        if (e.startsWith("<iq") && e.contains("urn:xmpp:ping") && (e.contains("type='get'") || e.contains("type=\"get\""))) {
            Matcher id = ID.matcher(e);
            Matcher from = FROM.matcher(e);
            write("<iq type='result' id='" + (id.find() ? id.group(1) : "") + "'"
                    + (from.find() ? " to='" + from.group(1) + "'" : "") + "/>"); // XEP-0199 §4.2
            return;
        }
        Consumer<String> h = handler;
        if (h != null) {
            h.accept(e);
        } else {
            inbox.add(e);
        }
    }

    /** Ends the session after a failure: the login future fails, or a running session reports it. */
    void fail(Throwable e) {
        if (state == State.CLOSED) {
            return;
        }
        if (!ready.isDone()) {
            ready.completeExceptionally(e);
        } else if (!closing) {
            deliver("<bench-closed reason='" + String.valueOf(e.getMessage()).replace('\'', '"') + "'/>");
        }
        shut();
    }

    private void shut() {
        state = State.CLOSED;
        closed.complete(null);
        if (key != null) {
            key.cancel();
        }
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (IOException ignored) {
            // gone
        }
    }

    private String header() {
        return "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='"
                + login.domain() + "' version='1.0'>";
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }
}
