package io.xmppgrid.ra;

import io.xmppgrid.ra.api.SessionInfo;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.Stanzas;
import io.xmppgrid.xmpp.StreamError;
import io.xmppgrid.xmpp.XmlElement;
import io.xmppgrid.xmpp.XmlWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * A bound session (RFC 6120 §7), which may outlive its connection: with XEP-0198 resumption it
 * waits, detached, for the peer to come back on a new one. Everything written to the peer goes
 * through here, so this is where the stream-management counters and the queue of stanzas not
 * yet acknowledged live, and where live traffic is held back while stored messages go first.
 * All state is guarded by this object's monitor; the connection's own lock nests inside it.
 */
final class BoundSession {

    static final long UNTRACKED = 0;
    private static final long MOD = 1L << 32;
    /** Ask for an acknowledgement at least every this many stanzas (XEP-0198 §4 {@code <r/>}). */
    private static final int REQUEST_EVERY = 32;
    /** Tracked stanzas in flight, unacknowledged, before the backlog waits for the peer. */
    private static final int BACKLOG_WINDOW = 1000;
    /** Pending output, in bytes, above which the backlog waits for the socket. */
    private static final int BACKLOG_OUTPUT_LIMIT = 256 * 1024;
    /** Unacknowledged stanzas a peer may leave us holding before its stream is ended (memory bound). */
    private static final int MAX_UNACKED = 10_000;
    private static final String REQUEST = "<r xmlns=\"" + Ns.SM + "\"/>";

    /** A stanza to write: an element, or (tracked stored messages) the text the application stored it as. */
    private record Out(XmlElement stanza, String xml, long tracking) {
        /** The bytes to write: a fresh array each time (the connection may keep it until encrypted). */
        byte[] bytes() {
            return xml != null ? xml.getBytes(StandardCharsets.UTF_8) : XmlWriter.toUtf8(stanza, Ns.CLIENT);
        }
    }

    private final String id;
    private final Jid jid;
    /** Traffic counters for the console (stanzas from and to this session). */
    final java.util.concurrent.atomic.LongAdder stanzasIn = new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.LongAdder stanzasOut = new java.util.concurrent.atomic.LongAdder();
    private volatile SessionInfo info;
    private ClientConnection conn; // null while detached
    private boolean ended;

    // XEP-0198
    private boolean sm;
    private String resumeId;
    private long handledIn;
    private long acked;
    private final ArrayDeque<Out> unacked = new ArrayDeque<>();
    /** Bytes of the unacknowledged stanzas, as written (bounded by the held-bytes limit, issue 18 §4). */
    private long unackedBytes;
    private final ArrayDeque<Integer> unackedSizes = new ArrayDeque<>();
    /** Ends a detached session at once (its resumption timer's work), when it holds too much. */
    private Runnable expireNow;
    private int unackedTracked;
    private int sinceRequest;
    private boolean requestPending;
    private ScheduledFuture<?> resumeTimer;
    private boolean availableBeforeDetach;
    private boolean overLimit;

    // tracked stanzas written without stream management: confirmed by a clean stream close
    private long[] written = new long[0];
    private int writtenCount;

    // stored messages first
    private boolean backlogWanted;
    private boolean backlogDeferred;
    private int backlogFailures;
    private int holds;
    private final List<Out> held = new ArrayList<>();
    private long heldBytes;
    private final long maxHeldBytes;

    BoundSession(ClientConnection conn, SessionInfo info, long maxHeldBytes) {
        this.id = info.connectionId();
        this.jid = info.jid();
        this.conn = conn;
        this.info = info;
        this.maxHeldBytes = maxHeldBytes;
    }

    /** The session's id: the id of the connection that bound it, kept across resumption. */
    String id() {
        return id;
    }

    Jid jid() {
        return jid;
    }

    SessionInfo info() {
        return info;
    }

    synchronized ClientConnection connection() {
        return conn;
    }

    synchronized boolean isEnded() {
        return ended;
    }

    // ------------------------------------------------------------------ presence

    /** RFC 6121 §4.7; a session that becomes available wants its stored messages. */
    synchronized void updatePresence(boolean available, int priority) {
        boolean was = info.available();
        info = info.withPresence(available, priority);
        if (!was && available) {
            wantBacklog();
        } else if (!available && backlogWanted) {
            backlogDone(false);
        }
    }

    // ------------------------------------------------------------------ sending

    /** Sends (or holds, or keeps for resumption); false when the session has ended or its peer is gone. */
    synchronized boolean send(XmlElement stanza, long tracking) {
        return send(new Out(stanza, null, tracking));
    }

    /** Sends a tracked stored stanza as the text it was stored as (serialized by XmlWriter for this stream). */
    synchronized boolean sendStored(String xml, long tracking) {
        if (tracking == UNTRACKED) {
            throw new IllegalArgumentException("stored stanzas are tracked");
        }
        return send(new Out(null, xml, tracking));
    }

    private boolean send(Out o) {
        if (ended) {
            return false;
        }
        long tracking = o.tracking();
        if (holds > 0 && tracking == UNTRACKED) {
            held.add(o);
            heldBytes += o.bytes().length; // what it will take once written
            if (heldBytes > maxHeldBytes && conn != null) {
                Log.CONN.warnf("GRIDRA0311: %s live traffic held for %s behind its stored messages exceeds %d bytes;"
                        + " closing (held stanzas go back to the application)", id, jid, maxHeldBytes);
                ClientConnection c = conn;
                c.abort("held traffic over the limit");
            }
            return true;
        }
        return write(o);
    }

    private boolean write(Out o) {
        if (sm) {
            byte[] bytes = o.bytes();
            unacked.add(o);
            unackedSizes.add(bytes.length);
            unackedBytes += bytes.length;
            if (o.tracking() != UNTRACKED) {
                unackedTracked++;
            }
            boolean over = unacked.size() > MAX_UNACKED || unackedBytes > maxHeldBytes;
            if (conn != null && conn.write(bytes)) {
                requestAckIfDue();
                if (over && !overLimit) {
                    overLimit = true;
                    // the peer does not acknowledge: end its stream; what it did not confirm goes back
                    // to the application (offline storage), so nothing is lost
                    conn.fail(StreamError.RESOURCE_CONSTRAINT, "more than " + MAX_UNACKED + " stanzas or "
                            + maxHeldBytes + " bytes unacknowledged (XEP-0198)");
                }
            } else if (conn == null && over && expireNow != null) {
                // detached, waiting for resumption, and holding too much: the session ends now and what it holds goes
                // back to the application (offline storage) instead of filling the heap until the timer fires
                Runnable expire = expireNow;
                expireNow = null;
                if (resumeTimer != null) {
                    resumeTimer.cancel(false);
                }
                Log.CONN.warnf("GRIDRA0316: %s detached session %s holds %d stanzas, %d bytes: ended before its "
                        + "resumption timeout (what it held is stored)", id, jid, unacked.size(), unackedBytes);
                expire.run();
            }
            return true; // kept until acknowledged: retransmitted on resumption, or handed back
        }
        if (conn == null || !conn.write(o.bytes())) {
            return false;
        }
        if (o.tracking() != UNTRACKED) {
            if (writtenCount == written.length) {
                written = Arrays.copyOf(written, Math.max(16, writtenCount * 2));
            }
            written[writtenCount++] = o.tracking();
        }
        return true;
    }

    private void requestAckIfDue() {
        sinceRequest++;
        if (!requestPending || sinceRequest >= REQUEST_EVERY) {
            requestPending = true;
            sinceRequest = 0;
            conn.write(REQUEST);
        }
    }

    // ------------------------------------------------------------------ stored messages first

    /** Live traffic is held from now until the stored messages have been handed over. */
    synchronized boolean wantBacklog() {
        if (!backlogWanted && !ended) {
            backlogWanted = true;
            holds++;
            return true;
        }
        return false; // fetching already, or ended
    }

    /**
     * Like {@link #wantBacklog()}, but the batches start only at {@link #undefer()}: right after
     * binding, the peer first gets the chance to enable stream management.
     */
    synchronized void wantBacklogDeferred() {
        wantBacklog();
        backlogDeferred = backlogWanted;
    }

    /** A batch could not be fetched: batches pause until {@link #undefer()}; returns the failures in a row. */
    synchronized int backlogFailed() {
        backlogDeferred = backlogWanted;
        return ++backlogFailures;
    }

    /** Returns true when this started a deferred backlog. */
    synchronized boolean undefer() {
        boolean was = backlogDeferred;
        backlogDeferred = false;
        return was;
    }

    /** Whether the next batch of stored messages may be fetched now (flow control). */
    synchronized boolean backlogReady() {
        if (!backlogWanted || backlogDeferred || ended || conn == null) {
            return false;
        }
        if (sm && unackedTracked >= BACKLOG_WINDOW) {
            return false; // the peer's acknowledgements bring the stream back
        }
        if (conn.outboundBytes() > BACKLOG_OUTPUT_LIMIT) {
            conn.wakeWhenDrained();
            return false;
        }
        return true;
    }

    /** After a batch: when none remain, held live traffic follows. */
    synchronized void backlogDone(boolean more) {
        backlogFailures = 0;
        if (!more && backlogWanted) {
            backlogWanted = false;
            releaseLocked();
        }
    }

    synchronized void hold() {
        holds++;
    }

    synchronized void release() {
        releaseLocked();
    }

    private void releaseLocked() {
        if (holds > 0 && --holds == 0 && !ended) {
            List<Out> copy = new ArrayList<>(held);
            held.clear();
            heldBytes = 0;
            for (Out o : copy) {
                if (!write(o) && o.tracking() == UNTRACKED) {
                    held.add(o); // the connection is gone: end() hands these back
                }
            }
        }
    }

    // ------------------------------------------------------------------ XEP-0198

    synchronized boolean smEnabled() {
        return sm;
    }

    /** XEP-0198 §3: counting starts now, for both directions, right after {@code enabled} is written. */
    synchronized void enableSm(String resumptionId, String enabledXml) {
        sm = true;
        resumeId = resumptionId;
        handledIn = 0;
        acked = 0;
        if (conn != null) {
            conn.write(enabledXml);
        }
    }

    synchronized String resumeId() {
        return resumeId;
    }

    /** One more inbound stanza handled. */
    synchronized void handled() {
        if (sm) {
            handledIn = (handledIn + 1) % MOD;
        }
    }

    synchronized long handledCount() {
        return handledIn;
    }

    /** The number of stanzas sent since enable (for the error report). */
    synchronized long sentCount() {
        return (acked + unacked.size()) % MOD;
    }

    /**
     * XEP-0198 §4: the peer has handled {@code h} stanzas in all. Returns the tracking ids this
     * confirms, or null when {@code h} counts stanzas that were never sent.
     */
    synchronized long[] acknowledge(long h) {
        long n = Math.floorMod(h - acked, MOD);
        if (n > unacked.size()) {
            return null;
        }
        long[] ids = new long[(int) Math.min(n, unackedTracked)];
        int k = 0;
        for (long i = 0; i < n; i++) {
            Out o = unacked.poll();
            unackedBytes -= unackedSizes.poll();
            if (o.tracking() != UNTRACKED) {
                ids[k++] = o.tracking();
                unackedTracked--;
            }
        }
        acked = h % MOD;
        requestPending = false;
        sinceRequest = 0;
        if (!unacked.isEmpty() && conn != null) {
            // stanzas written after the request this answers: ask again, so the tail is confirmed too
            requestPending = true;
            conn.write(REQUEST);
        }
        return k == ids.length ? ids : Arrays.copyOf(ids, k);
    }

    /** The connection dropped; the session waits for resumption, unavailable for routing meanwhile. */
    synchronized boolean detach(ClientConnection from, ScheduledFuture<?> timer, Runnable expire) {
        if (ended || conn != from) {
            timer.cancel(false);
            return false;
        }
        conn = null;
        resumeTimer = timer;
        expireNow = expire;
        availableBeforeDetach = info.available();
        info = info.withPresence(false, info.priority());
        if (unacked.size() > MAX_UNACKED || unackedBytes > maxHeldBytes) {
            // what was written to the connection while it was already going holds too much: the session ends now
            // rather than at its timer (writes while detached check this too)
            expireNow = null;
            timer.cancel(false);
            Log.CONN.warnf("GRIDRA0316: %s detached session %s holds %d stanzas, %d bytes: ended before its "
                    + "resumption timeout (what it held is stored)", id, jid, unacked.size(), unackedBytes);
            expire.run();
        }
        return true;
    }

    synchronized boolean isDetached() {
        return !ended && conn == null;
    }

    /**
     * XEP-0198 §5: takes the session over on {@code to}: acknowledges {@code h}, writes
     * {@code resumed} and then every stanza still unacknowledged, in order. Returns the
     * connection that held the session until now (the caller closes it), {@code to} itself when
     * it was detached; null when {@code h} is impossible.
     */
    synchronized ClientConnection resume(ClientConnection to, long h, String resumedXml, long[][] confirmed) {
        if (ended) {
            return null;
        }
        long[] ids = acknowledge(h);
        if (ids == null) {
            return null;
        }
        confirmed[0] = ids;
        ClientConnection old = conn;
        conn = to;
        expireNow = null;
        if (resumeTimer != null) {
            resumeTimer.cancel(false);
            resumeTimer = null;
        }
        if (old == null && availableBeforeDetach) {
            info = info.withPresence(true, info.priority());
        }
        info = new SessionInfo(info.jid(), info.node(), info.connectionId(), info.since(), to.remoteAddress(),
                info.available(), info.priority());
        to.write(resumedXml);
        for (Out o : unacked) {
            to.write(o.bytes());
        }
        requestPending = false;
        sinceRequest = 0;
        if (!unacked.isEmpty()) {
            requestPending = true;
            to.write(REQUEST);
        }
        if (info.available()) {
            wantBacklog(); // messages stored while it was away
        }
        return old == null ? to : old;
    }

    // ------------------------------------------------------------------ XEP-0198 across cluster nodes

    /** What {@link #handOff} gives the node that resumes the session, the connection to close, the ids {@code h} confirmed. */
    record HandOff(io.xmppgrid.ra.api.MovedSession moved, ClientConnection connection, long[] confirmed) {
    }

    /**
     * Ends the session here for the node where its peer resumed it: acknowledges {@code h}, then gives away the
     * counters and the stanzas not acknowledged (stored ones stay stored: the new node fetches them again). Null when
     * it had ended (or was handed over already: of two resumptions one wins); a result other than moved when {@code h}
     * is impossible (the session stays).
     */
    synchronized HandOff handOff(long h) {
        if (ended) {
            return null;
        }
        ClientConnection old = conn;
        conn = null; // nothing more is written to the old connection, not even an <r/>
        long[] ids = acknowledge(h);
        if (ids == null) {
            conn = old;
            return new HandOff(io.xmppgrid.ra.api.MovedSession.handledCountTooHigh(sentCount()), null, null);
        }
        ended = true;
        if (resumeTimer != null) {
            resumeTimer.cancel(false);
            resumeTimer = null;
        }
        List<String> first = new ArrayList<>();
        List<String> afterStored = new ArrayList<>();
        boolean storedSeen = false;
        for (Out o : unacked) {
            if (o.tracking() != UNTRACKED) {
                storedSeen = true; // stored: sent again from storage, in its place among the rest
            } else {
                (storedSeen ? afterStored : first).add(new String(o.bytes(), StandardCharsets.UTF_8));
            }
        }
        for (Out o : held) {
            afterStored.add(new String(o.bytes(), StandardCharsets.UTF_8));
        }
        boolean available = old == null ? availableBeforeDetach : info.available();
        unacked.clear();
        unackedSizes.clear();
        unackedBytes = 0;
        held.clear();
        return new HandOff(new io.xmppgrid.ra.api.MovedSession(io.xmppgrid.ra.api.MovedSession.Outcome.MOVED,
                jid.toString(), info.since(), available, info.priority(), handledIn, sentCount(), first, afterStored), old, ids);
    }

    /**
     * A session handed over by another node, on the connection that resumed it (XEP-0198 §5): the counters go on where
     * they were ({@code handled} stanzas from the peer, {@code acked} to it) and the same id resumes it again.
     */
    static BoundSession moved(ClientConnection conn, SessionInfo info, long maxHeldBytes, String resumeId, long handled,
                              long acked) {
        BoundSession s = new BoundSession(conn, info, maxHeldBytes);
        s.sm = true;
        s.resumeId = resumeId;
        s.handledIn = handled % MOD;
        s.acked = acked % MOD;
        return s;
    }

    /**
     * Writes {@code <resumed/>}, then the stanzas the old node had not had acknowledged: {@code first} at once; when the
     * session is available, stored messages (fetched again) before {@code afterStored}, else those at once too.
     */
    synchronized void resumeMoved(String resumedXml, List<XmlElement> first, List<XmlElement> afterStored) {
        conn.write(resumedXml);
        for (XmlElement x : first) {
            write(new Out(x, null, UNTRACKED));
        }
        if (info.available()) {
            wantBacklog(); // what the old node had stored or sent from storage, then what it held behind that
        }
        for (XmlElement x : afterStored) {
            send(new Out(x, null, UNTRACKED));
        }
        if (!requestPending && !unacked.isEmpty()) {
            requestPending = true;
            conn.write(REQUEST);
        }
    }

    /**
     * Ends the session. Returns the untracked messages that may not have reached the peer
     * (unacknowledged or held back), for the application to route again; null when it had
     * already ended.
     */
    synchronized List<XmlElement> end() {
        if (ended) {
            return null;
        }
        ended = true;
        if (resumeTimer != null) {
            resumeTimer.cancel(false);
            resumeTimer = null;
        }
        List<XmlElement> lost = new ArrayList<>();
        for (Out o : unacked) {
            if (o.tracking() == UNTRACKED && Stanzas.isMessage(o.stanza())) {
                lost.add(o.stanza());
            }
        }
        for (Out o : held) {
            lost.add(o.stanza());
        }
        unacked.clear();
        unackedSizes.clear();
        unackedBytes = 0;
        held.clear();
        return lost;
    }

    /** Tracked stanzas written outside stream management: confirmed when the peer closes cleanly. */
    synchronized long[] writtenTracked() {
        return Arrays.copyOf(written, writtenCount);
    }

    /** Ends the session if it is still waiting for resumption; see {@link #end()}. */
    synchronized List<XmlElement> endIfDetached() {
        return conn == null ? end() : null;
    }
}
