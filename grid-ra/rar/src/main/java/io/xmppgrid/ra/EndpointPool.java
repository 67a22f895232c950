package io.xmppgrid.ra;

import jakarta.resource.spi.UnavailableException;
import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Message endpoints for one activation. An endpoint is used by one thread at a time
 * (ARCHITECTURE.md: a shared endpoint fails deliveries), so callers borrow one, invoke it and
 * give it back; at most {@code max} exist. Per-connection order comes from the connection's
 * serial executor, not from the endpoint.
 */
final class EndpointPool<T> {

    private final MessageEndpointFactory factory;
    private final Class<T> type;
    private final BlockingQueue<MessageEndpoint> idle;
    private final AtomicInteger created = new AtomicInteger();
    private final int max;
    private volatile boolean closed;

    EndpointPool(MessageEndpointFactory factory, Class<T> type, int max) {
        this.factory = factory;
        this.type = type;
        this.max = max;
        this.idle = new ArrayBlockingQueue<>(max);
    }

    MessageEndpointFactory factory() {
        return factory;
    }

    <R> R call(Function<T, R> invocation) throws UnavailableException {
        MessageEndpoint ep = borrow();
        boolean healthy = false;
        try {
            R r = invocation.apply(type.cast(ep));
            healthy = true;
            return r;
        } finally {
            if (healthy && !closed && idle.offer(ep)) {
                // returned
            } else {
                ep.release();
                created.decrementAndGet();
            }
        }
    }

    private MessageEndpoint borrow() throws UnavailableException {
        MessageEndpoint ep = idle.poll();
        if (ep != null) {
            return ep;
        }
        while (true) {
            if (closed) {
                throw new UnavailableException("endpoint deactivated");
            }
            int n = created.get();
            if (n < max && created.compareAndSet(n, n + 1)) {
                try {
                    return factory.createEndpoint(null);
                } catch (UnavailableException | RuntimeException e) {
                    created.decrementAndGet();
                    throw e;
                }
            }
            try {
                ep = idle.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted");
            }
            if (ep != null) {
                return ep;
            }
        }
    }

    void close() {
        closed = true;
        MessageEndpoint ep;
        while ((ep = idle.poll()) != null) {
            ep.release();
        }
    }
}
