package io.xmppgrid.ejb.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The receiving end of cross-node delivery (issue 16 §2): stanzas of one ordering key (a Topic) are written in the
 * order their reservations arrived, whatever order the releases come in (the dispatcher does not order commands);
 * aborted, expired and orphaned reservations never block a key.
 */
class InboxTest {

    private final List<String> written = new ArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000);
    private final Inbox inbox = new Inbox(parcels -> parcels.forEach(p -> written.add(p.xml)), now::get);

    private boolean reserve(String id, String origin, String key, String... stanzas) {
        List<Parcel> parcels = new ArrayList<>();
        for (String st : stanzas) {
            parcels.add(new Parcel(key, new String[] {"s@grid.local/r"}, null, st, null));
        }
        return inbox.reserve(id, origin, parcels);
    }

    @Test
    void releasesOutOfOrderAreWrittenInReservationOrder() {
        assertTrue(reserve("t1", "n1", "topic:a", "1a", "1b"));
        assertTrue(reserve("t2", "n2", "topic:a", "2"));
        assertTrue(reserve("t3", "n1", "topic:b", "3"));
        inbox.release(List.of("t2"));
        assertEquals(List.of(), written, "t2 waits for t1, reserved before it on the same Topic");
        inbox.release(List.of("t3"));
        assertEquals(List.of("3"), written, "another Topic does not wait");
        inbox.release(List.of("t1"));
        assertEquals(List.of("3", "1a", "1b", "2"), written);
        assertEquals(0, inbox.pending());
    }

    @Test
    void anAbortUnblocksTheKeyAndALateReservationOfItIsRefused() {
        assertTrue(reserve("t1", "n1", "topic:a", "1"));
        assertTrue(reserve("t2", "n2", "topic:a", "2"));
        inbox.release(List.of("t2"));
        inbox.abort(List.of("t1"));
        assertEquals(List.of("2"), written, "the rolled-back transaction's stanza is dropped, the next one written");
        inbox.abort(List.of("t9"));
        assertFalse(reserve("t9", "n1", "topic:a", "9"), "a reservation that arrives after its abort is refused");
        assertEquals(0, inbox.pending());
    }

    /**
     * Issue 20: a sender whose release was not confirmed in time (the receiving node was busy draining) asks before it
     * routes the stanzas again: released ones stay this node's to write (false), unreleased ones are withdrawn (true)
     * and their late release writes nothing, so no recipient gets a notification twice.
     */
    @Test
    void aWithdrawalAnswersWhetherTheSenderRoutesTheStanzasItself() {
        assertTrue(reserve("t1", "n1", "topic:a", "1"));
        assertTrue(reserve("t2", "n1", "topic:a", "2"));
        inbox.release(List.of("t1"));
        assertFalse(inbox.withdraw(List.of("t1")), "released and written: the sender does not route it again");
        assertTrue(inbox.withdraw(List.of("t2")), "not released yet: withdrawn, the sender routes it");
        assertFalse(inbox.release(List.of("t2")), "its release comes late: nothing is written");
        assertEquals(List.of("1"), written);
        assertTrue(reserve("t3", "n1", "topic:b", "3"));
        assertTrue(reserve("t4", "n1", "topic:b", "4"));
        inbox.release(List.of("t4"));
        assertFalse(inbox.withdraw(List.of("t4")), "released, queued behind t3: still this node's to write");
        inbox.release(List.of("t3"));
        assertEquals(List.of("1", "3", "4"), written);
        assertTrue(reserve("t5", "n1", "topic:c", "5"));
        now.addAndGet(Inbox.EXPIRY_MILLIS + 1);
        inbox.sweep();
        assertTrue(inbox.withdraw(List.of("t5")), "expired unreleased: dropped here, so the sender routes it");
        assertEquals(0, inbox.pending());
    }

    @Test
    void aReservationNeverReleasedExpiresAndStopsBlocking() {
        assertTrue(reserve("t1", "n1", "topic:a", "1"));
        assertTrue(reserve("t2", "n2", "topic:a", "2"));
        inbox.release(List.of("t2"));
        now.addAndGet(Inbox.EXPIRY_MILLIS - 1);
        inbox.sweep();
        assertEquals(List.of(), written);
        now.addAndGet(2);
        inbox.sweep();
        assertEquals(List.of("2"), written);
        assertFalse(inbox.release(List.of("t1")), "released after it expired: reported, nothing written");
        assertEquals(List.of("2"), written);
    }

    @Test
    void reservationsOfANodeThatLeftAreDroppedReleasedOnesKept() {
        assertTrue(reserve("t1", "n1", "topic:a", "1"));
        assertTrue(reserve("t2", "n2", "topic:a", "2"));
        assertTrue(reserve("t3", "n1", "to:x", "3"));
        inbox.release(List.of("t2"));
        assertEquals(2, inbox.originGone("n1"));
        assertEquals(List.of("2"), written);
        assertEquals(0, inbox.pending());
    }

    @Test
    void oneReservationOverSeveralKeysWaitsPerKey() {
        assertTrue(reserve("t1", "n1", "topic:a", "1"));
        assertTrue(inbox.reserve("t2", "n2", List.of(new Parcel("topic:a", new String[] {"s@grid.local/r"}, null, "2a", null),
                new Parcel("topic:b", new String[] {"s@grid.local/r"}, null, "2b", null))));
        inbox.release(List.of("t2"));
        assertEquals(List.of("2b"), written, "its part for topic:b is free, its part for topic:a waits for t1");
        inbox.release(List.of("t1"));
        assertEquals(List.of("2b", "1", "2a"), written);
        assertEquals(0, inbox.pending());
    }
}
