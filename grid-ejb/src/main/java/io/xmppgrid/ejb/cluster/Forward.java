package io.xmppgrid.ejb.cluster;

import java.io.Serializable;
import java.util.List;
import org.wildfly.clustering.server.dispatcher.Command;

/**
 * Stanzas for sessions on another node, in two steps around the sending transaction's commit ({@link Inbox}):
 * {@code RESERVE} before it, while the transaction holds the lock that orders its kind of stanza (a Topic's row),
 * carrying the stanzas; then {@code RELEASE} once it has committed, or {@code ABORT} when it rolled back or the
 * sender gave up waiting for the reservation; {@code WITHDRAW} when the sender waited in vain for a release's answer
 * (true: the stanzas were not written there and the sender routes them itself; {@link Inbox#withdraw}). The answer is
 * whether the receiving node took the step.
 */
final class Forward implements Command<Boolean, ClusterBus.Node, RuntimeException>, Serializable {

    private static final long serialVersionUID = 1L;

    enum Step { RESERVE, RELEASE, ABORT, WITHDRAW }

    private final Step step;
    private final List<String> ids;
    private final String origin;
    /** For RESERVE: the stanzas. */
    private final List<Parcel> parcels;

    private Forward(Step step, List<String> ids, String origin, List<Parcel> parcels) {
        this.step = step;
        this.ids = ids;
        this.origin = origin;
        this.parcels = parcels;
    }

    static Forward reserve(String id, String origin, List<Parcel> parcels) {
        return new Forward(Step.RESERVE, List.of(id), origin, new java.util.ArrayList<>(parcels));
    }

    static Forward release(List<String> ids) {
        return new Forward(Step.RELEASE, List.copyOf(ids), null, null);
    }

    static Forward abort(List<String> ids) {
        return new Forward(Step.ABORT, List.copyOf(ids), null, null);
    }

    static Forward withdraw(List<String> ids) {
        return new Forward(Step.WITHDRAW, List.copyOf(ids), null, null);
    }

    @Override
    public Boolean execute(ClusterBus.Node node) {
        return switch (step) {
            case RESERVE -> node.inbox().reserve(ids.get(0), origin, parcels);
            case RELEASE -> node.release(ids);
            case ABORT -> {
                node.inbox().abort(ids);
                yield Boolean.TRUE;
            }
            case WITHDRAW -> node.inbox().withdraw(ids);
        };
    }
}
