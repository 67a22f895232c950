package io.xmppgrid.core;

import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;
import java.util.function.BooleanSupplier;

/**
 * A platform's persisted offline queue (RFC 8600 §6: offline delivery is a MUST; RFC 6121
 * §8.5.2.2.1; XEP-0160). Storing happens in the caller's transaction.
 */
@FunctionalInterface
public interface OfflineSink {

    /** What became of a message offered for storage. */
    enum Outcome {
        /** In the queue, in arrival order. */
        STORED,
        /** A session became available meanwhile and got it live. */
        DELIVERED,
        /** The queue is at its limit: refused, counted and logged. */
        FULL,
        /** No such platform: nothing to store for. */
        NO_ACCOUNT
    }

    /**
     * Stores a message for a platform that has no available session. The implementation first
     * takes the platform's queue lock and then calls {@code liveAgain}: a session that became
     * available in the meantime gets the message live instead (so that nothing is stranded in the
     * queue of an online platform).
     */
    Outcome store(Jid bareJid, XmlElement message, BooleanSupplier liveAgain);
}
