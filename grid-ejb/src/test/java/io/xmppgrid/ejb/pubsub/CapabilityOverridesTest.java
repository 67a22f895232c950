package io.xmppgrid.ejb.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.xmppgrid.core.pubsub.Affiliation;
import io.xmppgrid.core.pubsub.Capability;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Per-node capability overrides survive the round trip through their database column. */
class CapabilityOverridesTest {

    @Test
    void roundTrip() {
        Map<Affiliation, Set<Capability>> m = Map.of(
                Affiliation.MEMBER, EnumSet.of(Capability.GET_ITEMS),
                Affiliation.PUBLISHER, EnumSet.of(Capability.PUBLISH, Capability.RETRACT_OWN),
                Affiliation.NONE, EnumSet.noneOf(Capability.class));
        String text = JpaPubSubStore.overrides(m);
        assertEquals("PUBLISHER=PUBLISH,RETRACT_OWN;MEMBER=GET_ITEMS;NONE=", text);
        assertEquals(m, JpaPubSubStore.overrides(text));
        assertNull(JpaPubSubStore.overrides(Map.<Affiliation, Set<Capability>>of()));
        assertEquals(Map.of(), JpaPubSubStore.overrides((String) null));
    }
}
