package io.xmppgrid.ejb.cluster;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The receiving end of {@link Forward}: stanzas other nodes reserved for this node's sessions, queued per ordering
 * key (a Topic; a recipient for other stanzas) in the order the reservations arrived. A sender reserves while it
 * holds the lock that orders its key and waits for the answer, so reservations of one key arrive in commit order
 * even though the dispatcher itself does not order commands. A released reservation is written once every earlier
 * reservation of its key has been written or dropped; one that is neither released nor aborted within
 * {@link #EXPIRY_MILLIS} (its node died before it could say) is dropped, so a key is never blocked for good.
 * Bounded by the senders' transactions in flight: each waits for its reservation before it commits.
 */
final class Inbox {

    private static final Logger LOG = Logger.getLogger(Inbox.class);
    static final long EXPIRY_MILLIS = 15_000;
    private static final long ABORTED_KEPT_MILLIS = 120_000;

    /** Writes stanzas to this node's sessions, parcel after parcel. */
    interface Sink {
        void write(List<Parcel> parcels);
    }

    private static final class Reservation {
        final String id;
        final String origin;
        final long at;
        final List<Part> parts = new ArrayList<>(1);
        boolean released;

        Reservation(String id, String origin, long at) {
            this.id = id;
            this.origin = origin;
            this.at = at;
        }
    }

    private record Part(Reservation r, String key, List<Parcel> parcels) {
    }

    private final Sink sink;
    private final LongSupplier clock;
    private final Map<String, Reservation> byId = new HashMap<>();
    private final Map<String, ArrayDeque<Part>> queues = new HashMap<>();
    private final LinkedHashMap<String, Long> aborted = new LinkedHashMap<>();

    Inbox(Sink sink, LongSupplier clock) {
        this.sink = sink;
        this.clock = clock;
    }

    /** Queues the stanzas of a reservation; false if it was aborted already (the abort overtook it). */
    synchronized boolean reserve(String id, String origin, List<Parcel> parcels) {
        if (aborted.containsKey(id)) {
            return false;
        }
        if (byId.containsKey(id)) {
            return true; // a repeat
        }
        Reservation r = new Reservation(id, origin, clock.getAsLong());
        Map<String, Part> byKey = new LinkedHashMap<>();
        for (Parcel p : parcels) {
            byKey.computeIfAbsent(p.key, k -> new Part(r, k, new ArrayList<>())).parcels().add(p);
        }
        for (Part p : byKey.values()) {
            r.parts.add(p);
            queues.computeIfAbsent(p.key(), k -> new ArrayDeque<>()).addLast(p);
        }
        byId.put(id, r);
        return true;
    }

    /** The sending transactions committed: their stanzas are written as soon as their keys allow. */
    synchronized boolean release(Collection<String> ids) {
        boolean all = true;
        for (String id : ids) {
            Reservation r = byId.get(id);
            if (r == null) {
                if (aborted.containsKey(id)) {
                    LOG.debugf("reservation %s released after its sender withdrew it: it routed the stanzas itself", id);
                } else {
                    LOG.warnf("GRID0912: reservation %s released after it expired: its stanzas were dropped", id);
                }
                all = false;
                continue;
            }
            r.released = true;
            for (Part p : List.copyOf(r.parts)) {
                drain(p.key());
            }
        }
        return all;
    }

    /** The sending transactions rolled back (or gave up): their stanzas are dropped. */
    synchronized void abort(Collection<String> ids) {
        long now = clock.getAsLong();
        for (Iterator<Long> it = aborted.values().iterator(); it.hasNext(); ) {
            if (now - it.next() > ABORTED_KEPT_MILLIS) {
                it.remove();
            } else {
                break;
            }
        }
        for (String id : ids) {
            aborted.put(id, now);
            Reservation r = byId.remove(id);
            if (r != null) {
                drop(r);
            }
        }
    }

    /**
     * The sender waited in vain for its release to be confirmed (this node was slow, not gone) and asks whether it
     * should route the stanzas again itself. True: they are not written here and never will be (the reservation was
     * still unreleased and is now aborted, or had been aborted or dropped): the sender routes them. False: they
     * were released here (written, or queued behind earlier stanzas of their key): the sender must not route them
     * again, or their recipients would get them twice. A release that arrives after a withdrawal is ignored.
     */
    synchronized boolean withdraw(Collection<String> ids) {
        boolean mine = true;
        List<String> abort = new ArrayList<>();
        for (String id : ids) {
            Reservation r = byId.get(id);
            if (r != null) {
                if (r.released) {
                    mine = false;
                } else {
                    abort.add(id);
                }
            } else if (!aborted.containsKey(id)) {
                mine = false; // released and written already
            }
        }
        if (!mine) {
            return false; // released: it is written here, the sender does nothing more
        }
        abort(abort);
        return true;
    }

    /** A node left the view: what it reserved and never released is dropped (it cannot say any more). */
    synchronized int originGone(String origin) {
        List<Reservation> gone = byId.values().stream().filter(r -> r.origin.equals(origin) && !r.released).toList();
        gone.forEach(r -> {
            byId.remove(r.id);
            drop(r);
        });
        if (!gone.isEmpty()) {
            LOG.warnf("GRID0913: %d reservations of %s, which left the cluster before releasing them, dropped", gone.size(),
                    origin);
        }
        return gone.size();
    }

    /** Drops what expired and writes what it held back. */
    synchronized void sweep() {
        for (String key : List.copyOf(queues.keySet())) {
            drain(key);
        }
    }

    synchronized int pending() {
        return byId.size();
    }

    private void drop(Reservation r) {
        for (Part p : List.copyOf(r.parts)) {
            ArrayDeque<Part> q = queues.get(p.key());
            if (q != null) {
                q.remove(p);
                drain(p.key());
            }
        }
    }

    private void drain(String key) {
        ArrayDeque<Part> q = queues.get(key);
        long now = clock.getAsLong();
        while (q != null && !q.isEmpty()) {
            Part head = q.peekFirst();
            Reservation r = head.r();
            if (!r.released) {
                if (now - r.at < EXPIRY_MILLIS) {
                    return; // an earlier transaction of this key has not said yet
                }
                LOG.warnf("GRID0912: reservation %s of %s neither released nor aborted within %d ms: dropped", r.id, r.origin,
                        EXPIRY_MILLIS);
                byId.remove(r.id);
                aborted.put(r.id, now); // not written: a sender that asks (withdraw) routes them itself
                q.pollFirst();
                for (Part other : r.parts) {
                    if (other != head) {
                        ArrayDeque<Part> oq = queues.get(other.key());
                        if (oq != null) {
                            oq.remove(other);
                        }
                    }
                }
                continue;
            }
            q.pollFirst();
            r.parts.remove(head);
            if (r.parts.isEmpty()) {
                byId.remove(r.id);
            }
            sink.write(head.parcels());
        }
        if (q != null) {
            queues.remove(key);
        }
    }
}
