package io.xmppgrid.core.pubsub;

import io.xmppgrid.xmpp.Jid;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * {@link ActorPolicy} from role templates: a platform may do what its template grants, nothing
 * else; a platform without a template may do nothing (RFC 8600 §8.3.2: every privilege is an
 * explicit grant). Templates are read as they are now, at every request and every delivery: a change
 * takes effect at once.
 */
public final class TemplatePolicy implements ActorPolicy {

    private final Function<Jid, Optional<RoleTemplate>> roleOf;
    private final Function<Collection<Jid>, Map<Jid, Optional<RoleTemplate>>> rolesOf;

    public TemplatePolicy(Function<Jid, Optional<RoleTemplate>> roleOf) {
        this(roleOf, null);
    }

    /** {@code rolesOf}: the templates of many platforms (bare JIDs) at once, for deliveries. */
    public TemplatePolicy(Function<Jid, Optional<RoleTemplate>> roleOf,
                          Function<Collection<Jid>, Map<Jid, Optional<RoleTemplate>>> rolesOf) {
        this.roleOf = roleOf;
        this.rolesOf = rolesOf;
    }

    @Override
    public String refuses(Jid actor, Action action, String node, String payloadType, boolean owner) {
        return refuses(actor, roleOf.apply(actor.bare()), action, node, payloadType, owner);
    }

    private static String refuses(Jid actor, Optional<RoleTemplate> role, Action action, String node, String payloadType,
                                  boolean owner) {
        if (role.isEmpty()) {
            return actor.bare() + " has no role: an administrator assigns one";
        }
        return role.get().refuses(action, node, payloadType, owner);
    }

    @Override
    public List<Jid> allowed(List<Jid> actors, Action action, String node, String payloadType, Predicate<Jid> owner) {
        if (rolesOf == null || actors.isEmpty()) {
            return ActorPolicy.super.allowed(actors, action, node, payloadType, owner);
        }
        List<Jid> bare = new ArrayList<>(actors.size());
        for (Jid a : actors) {
            bare.add(a.bare());
        }
        Map<Jid, Optional<RoleTemplate>> roles = rolesOf.apply(bare);
        List<Jid> out = new ArrayList<>(actors.size());
        for (Jid a : actors) {
            if (refuses(a, roles.getOrDefault(a.bare(), Optional.empty()), action, node, payloadType, owner.test(a)) == null) {
                out.add(a);
            }
        }
        return out;
    }
}
