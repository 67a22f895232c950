package io.xmppgrid.core.pubsub;

import io.xmppgrid.xmpp.Jid;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The platform-level authorization asked in addition to XEP-0060 affiliations (RFC 8600 §8.3.2
 * "full authorization model", role templates). Returns null to allow, or the reason it refuses.
 */
@FunctionalInterface
public interface ActorPolicy {

    /**
     * What a platform attempts, for role templates: broker actions; {@code MESSAGE}, sending messages, IQ requests and
     * directed presence to other platforms (issue 18 §7: what reaches another platform, or its offline queue, is a
     * privilege too); and {@code ADMINISTER}: XEP-0133 service administration, which a grant of {@code ALL} does not
     * include (it must be granted by name).
     */
    enum Action { CREATE, CONFIGURE, DELETE, PUBLISH, RETRACT, SUBSCRIBE, RETRIEVE, MANAGE, MESSAGE, ADMINISTER }

    /**
     * {@code owner}: whether the actor owns the Topic (XEP-0060 owner affiliation; true when it
     * creates one).
     */
    String refuses(Jid actor, Action action, String node, String payloadType, boolean owner);

    /**
     * The actors that may do {@code action} on {@code node}, in their order; {@code owner} tells which own it. A policy
     * that looks roles up may answer for all of them at once (a notification's subscribers).
     */
    default List<Jid> allowed(List<Jid> actors, Action action, String node, String payloadType, Predicate<Jid> owner) {
        List<Jid> out = new ArrayList<>(actors.size());
        for (Jid a : actors) {
            if (refuses(a, action, node, payloadType, owner.test(a)) == null) {
                out.add(a);
            }
        }
        return out;
    }

    ActorPolicy ALLOW_ALL = (actor, action, node, type, owner) -> null;
}
