package io.xmppgrid.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The generator's network side: a few selector threads that carry any number of
 * {@link XmppSession}s (thousands from one process; no thread per connection). Buffers used
 * during one read or one flush belong to the loop, so an idle session holds only its TLS engine
 * and the bytes of an element not yet complete. Every server is treated alike: any certificate is
 * accepted (the benchmark measures servers, not PKI).
 */
final class XmppLoops implements AutoCloseable {

    static final SSLContext TLS = trustAll();

    private final Loop[] loops;
    private final AtomicInteger next = new AtomicInteger();

    XmppLoops(int threads) throws IOException {
        loops = new Loop[Math.max(1, threads)];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new Loop("bench-io-" + i);
            loops[i].thread.start();
        }
    }

    /** Where and as whom a session logs in; {@code local} picks the source address (null: any). */
    record Login(String host, int port, String domain, String user, String password, String resource,
                 InetAddress local) {
    }

    /**
     * Opens a session: TCP connect, STARTTLS (TLS 1.3), SCRAM-SHA-256, resource binding, initial
     * presence. The future completes when the presence has been sent, or fails with the reason.
     */
    CompletableFuture<XmppSession> connect(Login login) {
        Loop l = loops[Math.floorMod(next.getAndIncrement(), loops.length)];
        XmppSession s = new XmppSession(l, login);
        l.execute(() -> s.open());
        return s.ready;
    }

    /**
     * Logs in every session, at most {@code concurrency} logins at a time; fails with the first
     * refusal. (Blocking: for set-up, not for measured ramps.)
     */
    List<XmppSession> loginAll(List<Login> logins, int concurrency) throws IOException, InterruptedException {
        Semaphore window = new Semaphore(concurrency);
        List<CompletableFuture<XmppSession>> all = new ArrayList<>();
        for (Login l : logins) {
            window.acquire();
            CompletableFuture<XmppSession> f = connect(l);
            f.whenComplete((s, e) -> window.release());
            all.add(f);
        }
        List<XmppSession> sessions = new ArrayList<>();
        for (CompletableFuture<XmppSession> f : all) {
            try {
                sessions.add(f.get());
            } catch (ExecutionException e) {
                sessions.forEach(XmppSession::close);
                throw new IOException("login failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
        return sessions;
    }

    /**
     * The source address of the {@code i}-th session when each address carries at most
     * {@code perAddress} sessions (servers limit connections per address, as ours does):
     * 127.1.x.y, all on the loopback interface.
     */
    static InetAddress source(int i, int perAddress) {
        int a = i / Math.max(1, perAddress);
        try {
            return InetAddress.getByAddress(new byte[] {127, 1, (byte) (a / 250), (byte) (a % 250 + 1)});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (Loop l : loops) {
            l.running = false;
            l.selector.wakeup();
        }
        for (Loop l : loops) {
            try {
                l.thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One selector thread and the scratch buffers its sessions share. */
    static final class Loop implements Runnable {
        final Selector selector;
        final Thread thread;
        final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        /** Sessions that sent their closing tag and wait for the server's (loop thread only). */
        final List<XmppSession> closing = new ArrayList<>();
        volatile boolean running = true;
        /** Socket reads (plus an incomplete TLS record carried from the last read). */
        final ByteBuffer in = ByteBuffer.allocate(128 * 1024);
        /** Decrypted bytes of one unwrap. */
        final ByteBuffer app = ByteBuffer.allocate(64 * 1024);
        /** Plaintext gathered from queued stanzas for one TLS record. */
        final ByteBuffer plain = ByteBuffer.allocate(16 * 1024);
        /** Encrypted records of one flush. */
        final ByteBuffer net = ByteBuffer.allocate(80 * 1024);

        Loop(String name) throws IOException {
            selector = Selector.open();
            thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        void execute(Runnable r) {
            tasks.add(r);
            selector.wakeup();
        }

        SelectionKey register(SocketChannel ch, XmppSession s) throws IOException {
            return ch.register(selector, SelectionKey.OP_CONNECT, s);
        }

        @Override
        public void run() {
            while (running) {
                try {
                    selector.select(500);
                    Runnable t;
                    while ((t = tasks.poll()) != null) {
                        t.run();
                    }
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey k = it.next();
                        it.remove();
                        XmppSession s = (XmppSession) k.attachment();
                        try {
                            if (k.isValid() && k.isConnectable()) {
                                s.onConnectable();
                            }
                            if (k.isValid() && k.isWritable()) {
                                s.flush();
                            }
                            if (k.isValid() && k.isReadable()) {
                                s.onReadable();
                            }
                        } catch (CancelledKeyException e) {
                            // closed meanwhile
                        } catch (IOException | RuntimeException e) {
                            s.fail(e);
                        }
                    }
                    if (!closing.isEmpty()) {
                        long now = System.nanoTime();
                        closing.removeIf(c -> c.closeDue(now));
                    }
                } catch (IOException e) {
                    // the selector itself failed: nothing sensible is left to do for this loop
                    running = false;
                }
            }
            for (SelectionKey k : selector.keys()) {
                ((XmppSession) k.attachment()).fail(new IOException("generator closing"));
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    static InetSocketAddress address(Login l) {
        return new InetSocketAddress(l.host(), l.port());
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
