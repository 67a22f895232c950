package io.xmppgrid.ra;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One selector thread. It owns the sockets registered with it: reads, TLS unwrapping and
 * flushing happen here; parsing and everything after it run on the worker pool. Buffers
 * used only during one read are shared by all connections of the loop, so an idle
 * connection holds no read buffer.
 */
final class IoLoop implements Runnable {

    private final Selector selector;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** Socket reads land here (shared; only the loop thread touches it). */
    final ByteBuffer readBuffer = ByteBuffer.allocate(32 * 1024);
    /** TLS unwrap output (shared; larger than any TLS record's plaintext). */
    final ByteBuffer appBuffer = ByteBuffer.allocate(64 * 1024);

    IoLoop(String name) throws IOException {
        this.selector = Selector.open();
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    Selector selector() {
        return selector;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs a task on the loop thread. */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    void wakeup() {
        selector.wakeup();
    }

    @Override
    public void run() {
        while (running) {
            try {
                selector.select(1000);
                Runnable t;
                while ((t = tasks.poll()) != null) {
                    t.run();
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    Object att = key.attachment();
                    try {
                        if (att instanceof Acceptor) {
                            ((Acceptor) att).onAcceptable();
                            continue;
                        }
                        ClientConnection c = (ClientConnection) att;
                        if (key.isValid() && key.isWritable()) {
                            c.onWritable();
                        }
                        if (key.isValid() && key.isReadable()) {
                            c.onReadable(this);
                        }
                    } catch (CancelledKeyException e) {
                        // closed meanwhile
                    }
                }
            } catch (Throwable e) {
                Log.SERVER.errorf(e, "GRIDRA0090: I/O loop %s: unexpected error", thread.getName());
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            Log.SERVER.debugf("selector close: %s", e.getMessage());
        }
    }

    void shutdown() {
        running = false;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Something that accepts connections on this loop's selector. */
    interface Acceptor {
        void onAcceptable() throws IOException;
    }
}
