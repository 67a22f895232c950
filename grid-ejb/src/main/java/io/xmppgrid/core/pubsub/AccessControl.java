package io.xmppgrid.core.pubsub;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Access control as data (XEP-0060 §4.1, in the manner of Prosody's capability table): each
 * affiliation grants a set of capabilities; a node may override the set of any affiliation.
 * {@link #may} is the one question every operation asks.
 */
public final class AccessControl {

    private static final Map<Affiliation, Set<Capability>> DEFAULTS = new EnumMap<>(Affiliation.class);

    static {
        DEFAULTS.put(Affiliation.OWNER, EnumSet.allOf(Capability.class));
        DEFAULTS.put(Affiliation.PUBLISHER, EnumSet.of(Capability.SUBSCRIBE, Capability.BE_SUBSCRIBED, Capability.GET_ITEMS,
                Capability.PUBLISH, Capability.RETRACT_OWN, Capability.RETRACT_ANY, Capability.PURGE));
        DEFAULTS.put(Affiliation.PUBLISH_ONLY, EnumSet.of(Capability.PUBLISH, Capability.RETRACT_OWN));
        DEFAULTS.put(Affiliation.MEMBER, EnumSet.of(Capability.SUBSCRIBE, Capability.BE_SUBSCRIBED, Capability.GET_ITEMS));
        DEFAULTS.put(Affiliation.NONE, EnumSet.of(Capability.SUBSCRIBE, Capability.BE_SUBSCRIBED));
        DEFAULTS.put(Affiliation.OUTCAST, EnumSet.noneOf(Capability.class));
    }

    private AccessControl() {
    }

    /** The default capabilities of an affiliation. */
    public static Set<Capability> defaults(Affiliation a) {
        return EnumSet.copyOf(DEFAULTS.get(a).isEmpty() ? EnumSet.noneOf(Capability.class) : DEFAULTS.get(a));
    }

    /** Whether an actor with {@code affiliation} on a node configured with {@code overrides} may do it. */
    public static boolean may(Affiliation affiliation, Map<Affiliation, Set<Capability>> overrides, Capability capability) {
        Set<Capability> granted = overrides.getOrDefault(affiliation, DEFAULTS.get(affiliation));
        return granted.contains(capability);
    }
}
