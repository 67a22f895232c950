package io.xmppgrid.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.xmppgrid.xmpp.Jid;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** XEP-0198 resumption ids across cluster nodes (issue 20): they name their node and cannot be forged or moved. */
class ResumptionIdsTest {

    private static final byte[] KEY = new byte[32];
    private final Jid alice = Jid.parse("alice@grid.local");

    @Test
    void anotherNodeWithTheGridsKeyReadsTheIssuer() {
        String id = new ResumptionIds(KEY, "node-1").issue(alice.withResource("r"));
        assertEquals("node-1", new ResumptionIds(KEY, "node-2").issuer(id, alice));
    }

    @Test
    void idsAreUnpredictable() {
        ResumptionIds ids = new ResumptionIds(KEY, "node-1");
        assertNotEquals(ids.issue(alice), ids.issue(alice));
    }

    @Test
    void anotherPlatformsIdIsRefused() {
        String id = new ResumptionIds(KEY, "node-1").issue(alice);
        assertNull(new ResumptionIds(KEY, "node-2").issuer(id, Jid.parse("mallory@grid.local")));
    }

    @Test
    void alteredOrMadeUpIdsAreRefused() {
        ResumptionIds ids = new ResumptionIds(KEY, "node-1");
        String id = ids.issue(alice);
        // the node part changed: the MAC no longer matches (an id cannot be pointed at another node)
        String otherNode = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("node-3".getBytes())
                + id.substring(id.indexOf('.'));
        assertNull(ids.issuer(otherNode, alice));
        char last = id.charAt(id.length() - 1);
        assertNull(ids.issuer(id.substring(0, id.length() - 1) + (last == 'A' ? 'B' : 'A'), alice));
        assertNull(ids.issuer("no-such-session", alice));
        assertNull(ids.issuer("a.b.c", alice));
        assertNull(ids.issuer("..", alice));
        assertNull(ids.issuer("x".repeat(ResumptionIds.MAX_LENGTH + 1), alice));
        assertNull(ids.issuer(null, alice));
    }

    @Test
    void aNodeWithAnotherKeyCannotVerify() {
        byte[] other = Arrays.copyOf(KEY, 32);
        other[0] = 1;
        String id = new ResumptionIds(KEY, "node-1").issue(alice);
        assertNull(new ResumptionIds(other, "node-2").issuer(id, alice));
    }
}
