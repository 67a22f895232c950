package io.xmppgrid.ra.api;

import java.io.Serializable;
import java.time.Instant;
import java.util.List;

/**
 * A session handed from the node that held it to the node where its platform resumed it (XEP-0198 §5 across cluster
 * nodes): what the new node needs to go on with the same counters, or why there is nothing to go on with. Immutable and
 * serializable: it crosses between nodes as it is.
 *
 * @param outcome    {@link Outcome#MOVED}, or why not
 * @param fullJid    the session's full JID (RFC 6120 §7)
 * @param since      when it was bound
 * @param available  whether it had sent available presence (RFC 6121 §4.7)
 * @param priority   its presence priority
 * @param handled    the stanzas the old node handled from the peer (XEP-0198 {@code h} of {@code <resumed/>})
 * @param sent       stanzas sent to the peer since stream management was enabled (for a handled-count-too-high error)
 * @param first      stanzas the peer had not acknowledged, sent before any stored message it had not acknowledged:
 *                   written again right after {@code <resumed/>}, in order
 * @param afterStored the rest of the stanzas it had not acknowledged (or that were held back behind stored messages):
 *                   written after the stored messages the new node fetches again, in order. Stored messages themselves
 *                   never travel: what the peer acknowledged was confirmed on the old node before the hand-over, the
 *                   rest is still stored and is sent again from storage
 */
public record MovedSession(Outcome outcome, String fullJid, Instant since, boolean available, int priority, long handled,
                           long sent, List<String> first, List<String> afterStored) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Why a session moved or did not. */
    public enum Outcome {
        /** Handed over: the old node holds it no more. */
        MOVED,
        /** No node holds a session with that id for that platform (ended, expired, or its node is gone). */
        NOT_FOUND,
        /** The peer claims to have handled more stanzas than were sent ({@link #sent()}); the session stays. */
        HANDLED_COUNT_TOO_HIGH
    }

    public MovedSession {
        first = List.copyOf(first);
        afterStored = List.copyOf(afterStored);
    }

    public static MovedSession notFound() {
        return new MovedSession(Outcome.NOT_FOUND, null, null, false, 0, 0, 0, List.of(), List.of());
    }

    public static MovedSession handledCountTooHigh(long sent) {
        return new MovedSession(Outcome.HANDLED_COUNT_TOO_HIGH, null, null, false, 0, 0, sent, List.of(), List.of());
    }
}
