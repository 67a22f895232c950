package io.xmppgrid.core.pubsub;

import io.xmppgrid.xmpp.Jid;
import java.time.Instant;
import java.util.Map;

/** A node (RFC 8600 "Topic"): its id, configuration, creator and affiliations by bare JID. */
public record Node(String id, NodeConfig config, Jid creator, Instant created, Map<Jid, Affiliation> affiliations) {

    public Node {
        affiliations = Map.copyOf(affiliations);
    }

    public Affiliation affiliationOf(Jid actor) {
        return affiliations.getOrDefault(actor.bare(), Affiliation.NONE);
    }

    public boolean may(Jid actor, Capability c) {
        return AccessControl.may(affiliationOf(actor), config.overrides(), c);
    }

    public Node withConfig(NodeConfig c) {
        return new Node(id, c, creator, created, affiliations);
    }

    public Node withAffiliations(Map<Jid, Affiliation> a) {
        return new Node(id, config, creator, created, a);
    }
}
