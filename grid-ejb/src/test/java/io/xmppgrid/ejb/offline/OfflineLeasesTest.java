package io.xmppgrid.ejb.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.xmppgrid.ejb.offline.OfflineLeases.Range;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** XEP-0160 §3 with several resources: a platform's stored messages go to one of its live sessions at a time. */
class OfflineLeasesTest {

    private final OfflineLeases leases = new OfflineLeases();

    @Test
    void aSessionContinuesAfterWhatItHoldsAndMergesContiguousBatches() {
        assertEquals(0L, leases.after("alice", "s1"), "nothing held: from the start of the queue");
        leases.lease("alice", "s1", List.of(new Range(1, 200)), true);
        leases.lease("alice", "s1", List.of(new Range(201, 400)), true);
        assertEquals(400L, leases.after("alice", "s1"));
        assertEquals(List.of(new Range(1, 400)), leases.heldByOthers("alice", "s2", Set.of("s1", "s2")),
                "two batches in a row are one range");
        assertEquals(List.of(), leases.heldByOthers("bob", "s1", Set.of("s1")), "other platforms are separate");
    }

    @Test
    void otherSessionsRangesAreSkippedAndForgottenWhenTheyAreNotLive() {
        leases.lease("alice", "s1", List.of(new Range(1, 200)), true);
        leases.lease("alice", "s2", List.of(new Range(201, 300)), true);
        // s1's next batch passes over s2's range: a new range, not merged over s2's
        leases.lease("alice", "s1", List.of(new Range(301, 400)), false);
        assertEquals(List.of(new Range(1, 200), new Range(301, 400)), leases.heldByOthers("alice", "s2", Set.of("s1", "s2")));
        assertEquals(List.of(new Range(201, 300)), leases.heldByOthers("alice", "s1", Set.of("s1", "s2")));
        // s2 dropped without a clean close: what it held is free again
        assertEquals(List.of(), leases.heldByOthers("alice", "s1", Set.of("s1")));
        assertEquals(0L, leases.after("alice", "s2"));
    }

    @Test
    void aRolledBackLeaseIsUndoneAndAnEndedSessionReleased() {
        leases.lease("alice", "s1", List.of(new Range(1, 200)), true);
        Runnable undo = leases.lease("alice", "s1", List.of(new Range(201, 400), new Range(501, 600)), true);
        assertEquals(600L, leases.after("alice", "s1"));
        undo.run(); // the transaction that read 201..600 did not commit: they were not sent
        assertEquals(200L, leases.after("alice", "s1"));
        assertEquals(List.of(new Range(1, 200)), leases.heldByOthers("alice", "s2", Set.of("s1", "s2")));
        leases.release("alice", "s1");
        assertEquals(0L, leases.after("alice", "s1"));
        assertEquals(List.of(), leases.heldByOthers("alice", "s2", Set.of("s1", "s2")));
    }
}
