package io.xmppgrid.ejb.cluster;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Work handed over by threads that must not wait (the adapter's I/O threads) and done on an executor, one pass at a
 * time: a pass drains what is queued, and another is scheduled when more arrived meanwhile.
 */
final class SerialDrain {

    private static final Logger LOG = Logger.getLogger(SerialDrain.class);

    private final Executor executor;
    private final BooleanSupplier hasWork;
    private final Runnable pass;
    private final String notScheduled;
    private final AtomicBoolean running = new AtomicBoolean();

    /** {@code notScheduled}: the log line (with its id and one {@code %s} for the cause) when the executor refuses. */
    SerialDrain(Executor executor, BooleanSupplier hasWork, Runnable pass, String notScheduled) {
        this.executor = executor;
        this.hasWork = hasWork;
        this.pass = pass;
        this.notScheduled = notScheduled;
    }

    void schedule() {
        if (hasWork.getAsBoolean() && running.compareAndSet(false, true)) {
            try {
                executor.execute(this::run);
            } catch (RuntimeException e) {
                running.set(false);
                LOG.warnf(notScheduled, e.toString());
            }
        }
    }

    private void run() {
        try {
            pass.run();
        } finally {
            running.set(false);
            schedule(); // what arrived after the pass
        }
    }
}
