package io.xmppgrid.ra;

import io.xmppgrid.ra.api.PeerCredentials;
import io.xmppgrid.ra.api.PeerLink;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * This node's stanzas for one peer grid and the link that carries them (issue 24; RFC 6120 §10.4, XEP-0198 §4).
 * Stanzas wait here, oldest first, bounded in count and bytes ({@code grid.peerQueueStanzas}/{@code peerQueueBytes});
 * room is reserved when a transaction sends and taken when it commits, so a full queue is refused to the sender,
 * never dropped afterwards. One thread per peer with something to send opens the link (when none is open), writes what
 * waits in batches and asks the peer after each batch how many it handled: only acknowledged stanzas leave the queue,
 * so what a broken link had not acknowledged goes out again, first, on the next one. A peer that cannot be reached is
 * tried again with a backoff (1 s doubling to 60 s); the next link resumes the peer's count (XEP-0198 §5), so what
 * the peer handled but could not acknowledge before the break is not sent twice. A link with nothing to send for
 * {@code grid.peerIdleSeconds} is closed. A peer revoked or removed: the link closes and what waited for it is dropped (audited).
 *
 * <p>Node-local: what waits here is lost if the node itself dies (not if the link or the peer does).
 */
final class PeerOutbound {

    /** Stanzas and bytes per batch (one acknowledgement round trip each). */
    private static final int BATCH_STANZAS = 256;
    private static final int BATCH_BYTES = 1024 * 1024;
    /** A batch the peer failed this many links in a row on: its first stanza is dropped (a stanza the peer refuses). */
    private static final int POISON_ATTEMPTS = 3;
    private static final long MAX_BACKOFF_MILLIS = 60_000;
    private static final int STEP_TIMEOUT_MILLIS = 10_000;
    private static final int ACK_TIMEOUT_MILLIS = 60_000;

    private final XmppServer server;
    private final String domain;
    private final int maxStanzas;
    private final long maxBytes;
    private final long idleMillis;

    /** A waiting stanza: its bytes, and the application's tracking id of its stored copy (0: none). */
    record Waiting(byte[] bytes, long id) {
    }

    private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
    /** The tracking ids in {@link #queue}. */
    private final java.util.Set<Long> tracked = new java.util.HashSet<>();
    private long bytes;
    private long reservedBytes;
    private int reservedStanzas;
    private Thread worker;
    private boolean closed;
    private String closedBecause;
    private int failuresOnHead;

    private volatile OutboundLink link;
    private volatile boolean acks;
    /** XEP-0198 §5: the id of the last link's count at the peer (its acknowledged stanzas are {@link #sent}). */
    private String resumeId;
    private volatile Instant since;
    private volatile long sent;
    private volatile String remote;

    PeerOutbound(XmppServer server, String domain) {
        this.server = server;
        this.domain = domain;
        this.maxStanzas = server.config().peerQueueStanzas();
        this.maxBytes = server.config().peerQueueBytes();
        this.idleMillis = server.config().peerIdleTimeout().toMillis();
    }

    String domain() {
        return domain;
    }

    /** Room for one stanza of {@code size} bytes, held until {@link #put} or {@link #release}; false when full. */
    synchronized boolean reserve(int size) {
        if (closed || queue.size() + reservedStanzas >= maxStanzas || bytes + reservedBytes + size > maxBytes) {
            return false;
        }
        reservedStanzas++;
        reservedBytes += size;
        return true;
    }

    synchronized void release(int size) {
        reservedStanzas--;
        reservedBytes -= size;
    }

    /** Queues a stanza whose room was reserved; the link is opened if it is not. */
    synchronized void put(byte[] stanza, long id) {
        release(stanza.length);
        add(stanza, id);
    }

    /** Queues a stored stanza (the application's backlog for this peer, beyond the bound). */
    synchronized void putStored(byte[] stanza, long id) {
        add(stanza, id);
    }

    private void add(byte[] stanza, long id) {
        if (closed) {
            Log.CONN.warnf("GRIDRA0510: a stanza for peer grid %s dropped: %s", domain, closedBecause);
            return;
        }
        if (id > 0 && !tracked.add(id)) {
            return; // queued already (its transaction's commit and the stored backlog at a start both hand it over)
        }
        queue.addLast(new Waiting(stanza, id));
        bytes += stanza.length;
        if (worker == null) {
            worker = new Thread(this::run, "grid-s2s-" + domain);
            worker.setDaemon(true);
            worker.start();
        }
        notifyAll();
    }

    /** Reserves and queues at once (outside a transaction); false when full. */
    synchronized boolean offer(byte[] stanza, long id) {
        if (!reserve(stanza.length)) {
            return false;
        }
        put(stanza, id);
        return true;
    }

    /**
     * Closes the link and drops what waits: for good ({@code forget}: a revoked or removed peer; the application
     * forgets its stored copies), or only here (the listener stops: the stored copies are sent when it starts again).
     * Returns how many stanzas were dropped.
     */
    int close(String reason, boolean forget) {
        int dropped;
        OutboundLink l;
        long[] ids;
        synchronized (this) {
            closed = true;
            closedBecause = reason;
            dropped = queue.size();
            ids = forget ? ids(queue) : new long[0];
            queue.clear();
            tracked.clear();
            bytes = 0;
            l = link;
            notifyAll();
        }
        if (ids.length > 0) {
            server.peerDelivered(domain, ids);
        }
        if (l != null) {
            l.close(); // a worker blocked on it fails at once
        }
        if (dropped > 0 && forget) {
            Log.CONN.warnf("GRIDRA0510: %d stanzas for peer grid %s dropped: %s", dropped, domain, reason);
            server.audit(domain, "s2s.link", "dropped", dropped + " stanzas not sent: " + reason, null);
        } else if (dropped > 0) {
            Log.CONN.infof("GRIDRA0515: %d stanzas for peer grid %s not sent (%s): their stored copies go when it starts",
                    dropped, domain, reason);
        }
        return dropped;
    }

    /** The open link, for the list of this node's links; null when none is open and nothing waits. */
    PeerLink link(String connectionId) {
        Instant s = since;
        int waiting = queued();
        if (link == null || s == null) {
            // the peer cannot be reached now: what waits for it is shown all the same
            return waiting == 0 ? null : new PeerLink(domain, "out", connectionId, null, null, false, sent, waiting);
        }
        return new PeerLink(domain, "out", connectionId, remote, s, true, sent, waiting);
    }

    /** Whether a link to the peer is open and authenticated. */
    boolean open() {
        return link != null && since != null;
    }

    synchronized int queued() {
        return queue.size();
    }

    private void run() {
        long backoff = 1000;
        try {
            while (true) {
                List<Waiting> batch = nextBatch();
                if (batch == null) {
                    return;
                }
                if (link == null) {
                    PeerCredentials peer;
                    try {
                        peer = server.peer(domain);
                    } catch (jakarta.resource.spi.UnavailableException e) {
                        if (pause(backoff)) {
                            backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                            continue;
                        }
                        return;
                    }
                    if (peer == null || !peer.enabled()) {
                        server.forgetOutbound(domain, this); // a peer configured again later gets a fresh queue
                        close(peer == null ? "not a peer of this grid" : "the peer is revoked", true);
                        finish();
                        return;
                    }
                    if (!connect(peer, backoff)) {
                        if (!pause(backoff)) {
                            return;
                        }
                        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                        continue;
                    }
                    backoff = 1000;
                    continue; // the batch again from the queue: a resumed count may have taken some off its head
                }
                deliver(batch);
            }
        } catch (RuntimeException e) {
            Log.CONN.errorf(e, "GRIDRA0511: the link to peer grid %s failed unexpectedly; what waits is kept", domain);
            disconnect("failed: " + e);
            finish();
        }
    }

    /** The next stanzas to send, waiting for some up to the idle time; null when the worker ends. */
    private List<Waiting> nextBatch() {
        String why;
        synchronized (this) {
            long deadline = System.currentTimeMillis() + idleMillis;
            while (!closed && queue.isEmpty()) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    break;
                }
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (!closed && !queue.isEmpty()) {
                List<Waiting> batch = new ArrayList<>();
                int size = 0;
                for (Iterator<Waiting> it = queue.iterator(); it.hasNext() && batch.size() < BATCH_STANZAS;) {
                    Waiting w = it.next();
                    if (!batch.isEmpty() && size + w.bytes().length > BATCH_BYTES) {
                        break;
                    }
                    batch.add(w);
                    size += w.bytes().length;
                }
                return batch;
            }
            worker = null; // a stanza queued from now on starts another worker
            why = closed ? closedBecause : "idle for " + idleMillis / 1000 + " s";
        }
        disconnect(why);
        return null;
    }

    /** Tries the peer's servers in order (its address, else DNS SRV, else its domain on 5269) until one links. */
    private boolean connect(PeerCredentials peer, long backoff) {
        List<PeerCredentials.Endpoint> servers;
        try {
            servers = PeerResolver.endpoints(peer, server.config().dnsServer());
        } catch (IllegalArgumentException e) {
            Log.CONN.warnf("GRIDRA0506: link to peer grid %s not opened: %s", domain, e.getMessage());
            return false;
        }
        if (servers.isEmpty()) {
            Log.CONN.warnf("GRIDRA0506: link to peer grid %s not opened: its DNS says it offers no server-to-server service"
                    + " (SRV target \".\")", domain);
            return false;
        }
        for (PeerCredentials.Endpoint at : servers) {
            if (connect(peer, at, backoff)) {
                return true;
            }
        }
        return false;
    }

    private boolean connect(PeerCredentials peer, PeerCredentials.Endpoint at, long backoff) {
        try {
            OutboundLink l = OutboundLink.open(server, peer, at, STEP_TIMEOUT_MILLIS);
            boolean acked;
            String resumed = "";
            try {
                long handled = resumeId == null ? -1 : l.resume(resumeId, STEP_TIMEOUT_MILLIS);
                if (handled >= 0) {
                    // the peer kept the earlier link's count: what it handled of the unacknowledged head is not sent again
                    resumed = ", resumed: " + Math.max(0, handled - sent) + " unacknowledged stanzas the peer had handled";
                    skip(handled - sent);
                    sent = handled;
                    acked = true;
                } else {
                    String id = l.enableAcks(STEP_TIMEOUT_MILLIS);
                    acked = id != null;
                    resumeId = id == null || id.isEmpty() ? null : id;
                    sent = 0;
                }
            } catch (OutboundLink.Failure f) {
                l.close();
                throw f;
            }
            synchronized (this) {
                if (closed) {
                    l.close();
                    return false;
                }
                link = l;
            }
            acks = acked;
            remote = l.remoteAddress();
            since = Instant.now();
            Log.CONN.infof("GRIDRA0507: link to peer grid %s at %s open (%s%s)", domain, at,
                    acked ? "stanzas acknowledged, XEP-0198" : "the peer does not acknowledge stanzas: written counts as sent",
                    resumed);
            server.audit(domain, "s2s.link", "up", "outbound to " + at + ", node " + server.config().nodeName(), remote);
            return true;
        } catch (OutboundLink.Failure f) {
            Log.CONN.warnf("GRIDRA0506: link to peer grid %s at %s failed at %s: %s; %d stanzas wait, next try in %d s",
                    domain, at, f.stage, f.getMessage(), queued(), backoff / 1000);
            if (backoff == 1000) {
                server.audit(domain, "s2s.link", "failed", "outbound to " + at + " at " + f.stage + ": " + f.getMessage(),
                        at.toString());
            }
            return false;
        }
    }

    /** Writes a batch and removes what the peer acknowledged; on a failure the link closes and the batch waits. */
    private void deliver(List<Waiting> batch) {
        OutboundLink l = link;
        try {
            List<byte[]> texts = new ArrayList<>(batch.size());
            for (Waiting w : batch) {
                texts.add(w.bytes());
            }
            l.send(texts);
            long handled = acks ? l.handled(ACK_TIMEOUT_MILLIS) - sent : batch.size();
            if (handled < 0 || handled > batch.size()) {
                throw new OutboundLink.Failure("ack", "the peer acknowledged " + handled + " of " + batch.size());
            }
            List<Waiting> done = new ArrayList<>();
            synchronized (this) {
                for (int i = 0; i < handled && !queue.isEmpty() && queue.peekFirst() == batch.get(i); i++) {
                    done.add(queue.removeFirst());
                    bytes -= done.get(i).bytes().length;
                }
                if (handled > 0) {
                    failuresOnHead = 0;
                }
            }
            forget(done);
            sent += handled;
            if (queued() == 0) {
                server.peerQueueEmpty();
            }
            if (handled < batch.size()) {
                throw new OutboundLink.Failure("ack", "the peer acknowledged " + handled + " of " + batch.size());
            }
        } catch (OutboundLink.Failure f) {
            Log.CONN.warnf("GRIDRA0508: link to peer grid %s broke at %s: %s; %d stanzas not acknowledged wait for the next",
                    domain, f.stage, f.getMessage(), batch.size());
            disconnect(f.stage + ": " + f.getMessage());
            Waiting poison = null;
            synchronized (this) {
                if (++failuresOnHead >= POISON_ATTEMPTS && !queue.isEmpty() && queue.peekFirst() == batch.get(0)) {
                    poison = queue.removeFirst();
                    bytes -= poison.bytes().length;
                    failuresOnHead = 0;
                    Log.CONN.errorf("GRIDRA0509: peer grid %s ended %d links in a row on the same stanza: dropped (%s)",
                            domain, POISON_ATTEMPTS, preview(poison.bytes()));
                    server.audit(domain, "s2s.link", "dropped", "1 stanza the peer refused " + POISON_ATTEMPTS + " times",
                            null);
                }
            }
            if (poison != null) {
                forget(List.of(poison));
            }
        }
    }

    /** Drops the first {@code n} waiting stanzas: the peer has them (a resumed count). */
    private void skip(long n) {
        List<Waiting> done = new ArrayList<>();
        synchronized (this) {
            for (long i = 0; i < n && !queue.isEmpty(); i++) {
                Waiting w = queue.removeFirst();
                bytes -= w.bytes().length;
                done.add(w);
            }
            failuresOnHead = 0;
        }
        forget(done);
    }

    /** The application forgets the stored copies of these (the peer has them, or they are dropped for good). */
    private void forget(List<Waiting> done) {
        long[] ids = ids(done);
        synchronized (this) {
            for (long id : ids) {
                tracked.remove(id);
            }
        }
        if (ids.length > 0) {
            server.peerDelivered(domain, ids);
        }
    }

    private static long[] ids(java.util.Collection<Waiting> ws) {
        long[] ids = new long[ws.size()];
        int n = 0;
        for (Waiting w : ws) {
            if (w.id() > 0) {
                ids[n++] = w.id();
            }
        }
        return java.util.Arrays.copyOf(ids, n);
    }

    private void disconnect(String reason) {
        OutboundLink l;
        synchronized (this) {
            l = link;
            link = null;
        }
        if (l != null) {
            l.close();
            Log.CONN.infof("GRIDRA0512: link to peer grid %s closed: %s (%d stanzas sent on it)", domain, reason, sent);
            server.audit(domain, "s2s.link", "down", "outbound, node " + server.config().nodeName() + ": " + reason, remote);
        }
        since = null; // sent and the resumption id stay: the next link resumes the count
    }

    private synchronized void finish() {
        worker = null;
        if (!closed && !queue.isEmpty()) {
            worker = new Thread(this::run, "grid-s2s-" + domain); // something arrived meanwhile
            worker.setDaemon(true);
            worker.start();
        }
    }

    /** Waits before the next try; false when the queue was closed meanwhile. */
    private boolean pause(long millis) {
        synchronized (this) {
            long deadline = System.currentTimeMillis() + millis;
            while (!closed) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return true;
                }
                try {
                    wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            worker = null;
            return false;
        }
    }

    private static String preview(byte[] stanza) {
        String s = new String(stanza, 0, Math.min(stanza.length, 120), java.nio.charset.StandardCharsets.UTF_8);
        return s.replaceAll("[\\r\\n]", " ");
    }
}
