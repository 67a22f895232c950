package io.xmppgrid.core.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.core.pubsub.ActorPolicy.Action;
import io.xmppgrid.xmpp.Jid;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Role templates (RFC 8600 §8.3.2): grants, their qualifiers, and the policy without a role. */
class RoleTemplateTest {

    private static RoleTemplate role(String grants) {
        return new RoleTemplate("r", null, RoleTemplate.parseGrants(grants));
    }

    @Test
    void grantsAllowExactlyWhatTheySay() {
        RoleTemplate sensor = role("CREATE;PUBLISH own;RETRIEVE own");
        assertNull(sensor.refuses(Action.CREATE, "n", null, true));
        assertNull(sensor.refuses(Action.PUBLISH, "n", "urn:x", true));
        assertNotNull(sensor.refuses(Action.PUBLISH, "n", "urn:x", false), "not its own Topic");
        assertNotNull(sensor.refuses(Action.SUBSCRIBE, "n", null, true));
        assertTrue(sensor.refuses(Action.DELETE, "n", null, true).contains("role r does not allow delete on n"));
    }

    @Test
    void payloadTypesRestrict() {
        RoleTemplate dhcp = role("PUBLISH type=urn:example:dhcp,urn:example:lease");
        assertNull(dhcp.refuses(Action.PUBLISH, "n", "urn:example:lease", false));
        assertNotNull(dhcp.refuses(Action.PUBLISH, "n", "urn:ietf:params:xml:ns:iodef-2.0", false));
        assertNotNull(dhcp.refuses(Action.PUBLISH, "n", null, false), "a Topic of any type is not one of the given types");
    }

    @Test
    void allAndFormatRoundTrip() {
        RoleTemplate all = role("ALL");
        for (Action a : Action.values()) {
            if (a != Action.ADMINISTER) {
                assertNull(all.refuses(a, "n", null, false));
            }
        }
        // XEP-0133 service administration is never implied by ALL: it is granted by name
        assertTrue(all.refuses(Action.ADMINISTER, "the service", null, true) != null);
        assertNull(role("ALL;ADMINISTER").refuses(Action.ADMINISTER, "the service", null, true));
        RoleTemplate r = role("publish own type=b,a\nSUBSCRIBE");
        assertEquals("PUBLISH own type=a,b\nSUBSCRIBE\n", r.formatGrants());
        assertEquals(r.grants(), RoleTemplate.parseGrants(r.formatGrants()));
    }

    @Test
    void badGrantsAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RoleTemplate.parseGrants("FLY"))
                .getMessage().contains("unknown action FLY"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RoleTemplate.parseGrants("PUBLISH everywhere"))
                .getMessage().contains("unknown qualifier everywhere"));
    }

    @Test // every privilege is an explicit grant: no role, nothing allowed
    void noRoleNothingAllowed() {
        TemplatePolicy p = new TemplatePolicy(j -> Optional.empty());
        assertTrue(p.refuses(Jid.parse("a@grid.local/r"), Action.RETRIEVE, "n", null, true).contains("has no role"));
    }
}
