package io.xmppgrid.core.pubsub;

import io.xmppgrid.xmpp.Jid;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@link ActorPolicy} from role templates: a platform may do what its template grants, nothing
 * else; a platform without a template may do nothing (RFC 8600 §8.3.2: every privilege is an
 * explicit grant).
 */
public final class TemplatePolicy implements ActorPolicy {

    private final Function<Jid, Optional<RoleTemplate>> roleOf;

    public TemplatePolicy(Function<Jid, Optional<RoleTemplate>> roleOf) {
        this.roleOf = roleOf;
    }

    @Override
    public String refuses(Jid actor, Action action, String node, String payloadType, boolean owner) {
        Optional<RoleTemplate> role = roleOf.apply(actor.bare());
        if (role.isEmpty()) {
            return actor.bare() + " has no role: an administrator assigns one";
        }
        return role.get().refuses(action, node, payloadType, owner);
    }
}
