package io.xmppgrid.ra;

import io.xmppgrid.ra.api.PeerCredentials;
import io.xmppgrid.ra.api.SessionInfo;
import io.xmppgrid.ra.api.SessionRegistry;
import io.xmppgrid.ra.api.XmppConnection;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.Stanzas;
import io.xmppgrid.xmpp.XmlElement;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The application's handle. Inside a transaction, sends are kept in a per-transaction outbox
 * and written in {@code afterCompletion(STATUS_COMMITTED)} in the order they were made;
 * a rollback discards them. Outside a transaction they are written at once.
 */
public class XmppConnectionHandle implements XmppConnection {

    private static final Object OUTBOX_KEY = new Object();

    private volatile GridManagedConnection mc;
    private volatile boolean closed;

    XmppConnectionHandle(GridManagedConnection mc) {
        this.mc = mc;
    }

    void reassociate(GridManagedConnection newMc) {
        this.mc = newMc;
    }

    void invalidate() {
        closed = true;
    }

    private XmppServer server() {
        if (closed) {
            throw new IllegalStateException("connection handle closed");
        }
        XmppServer s = mc.adapter().server();
        if (s == null) {
            throw new IllegalStateException("the XMPP listener is not running");
        }
        return s;
    }

    @Override
    public Jid domain() {
        return server().domain();
    }

    @Override
    public boolean send(Jid fullJid, XmlElement stanza) {
        return send(fullJid, stanza, null);
    }

    @Override
    public boolean send(Jid fullJid, XmlElement stanza, String orderingKey) {
        return send(fullJid, stanza, null, orderingKey, BoundSession.UNTRACKED);
    }

    @Override
    public boolean sendTracked(Jid fullJid, XmlElement stanza, long trackingId) {
        return send(fullJid, stanza, null, null, positive(trackingId));
    }

    @Override
    public boolean sendTracked(Jid fullJid, String stanzaXml, long trackingId) {
        return send(fullJid, null, stanzaXml, null, positive(trackingId));
    }

    private static long positive(long trackingId) {
        if (trackingId <= 0) {
            throw new IllegalArgumentException("tracking ids are positive");
        }
        return trackingId;
    }

    /**
     * False means nothing was queued or written, and the caller routes the stanza elsewhere (for
     * instance to offline storage). True means it is queued or written; if its session is gone by
     * the time it is written, the adapter hands it back ({@code onUndelivered}) exactly once.
     */
    private boolean send(Jid fullJid, XmlElement stanza, String xml, String orderingKey, long tracking) {
        XmppServer s = server();
        TransactionSynchronizationRegistry tsr = mc.adapter().transactions();
        if (tsr != null && tsr.getTransactionKey() != null && tsr.getTransactionStatus() == Status.STATUS_ACTIVE) {
            if (s.sessions().session(fullJid) == null) {
                return false; // not queued: the caller's fallback is the only copy
            }
            outbox(s, tsr).add(fullJid, stanza, xml, orderingKey, tracking);
            return true;
        }
        return stanza != null ? s.send(fullJid, stanza, tracking) : s.sendStored(fullJid, xml, tracking);
    }

    @Override
    public boolean sendToPeer(String peerDomain, XmlElement stanza, String orderingKey, long trackingId) {
        XmppServer s = server();
        TransactionSynchronizationRegistry tsr = mc.adapter().transactions();
        if (tsr != null && tsr.getTransactionKey() != null && tsr.getTransactionStatus() == Status.STATUS_ACTIVE) {
            byte[] bytes = XmppServer.peerBytes(stanza);
            PeerOutbound o = s.outbound(peerDomain);
            if (!o.reserve(bytes.length)) {
                return false; // the peer's queue is full: the caller answers the sender
            }
            outbox(s, tsr).addPeer(o, bytes, orderingKey, trackingId);
            return true;
        }
        return s.sendToPeer(peerDomain, stanza, trackingId);
    }

    @Override
    public boolean sendToPeer(String peerDomain, String stanzaXml, long trackingId) {
        return server().sendStoredToPeer(peerDomain, stanzaXml, positive(trackingId));
    }

    private static Outbox outbox(XmppServer s, TransactionSynchronizationRegistry tsr) {
        Outbox box = (Outbox) tsr.getResource(OUTBOX_KEY);
        if (box == null) {
            box = new Outbox(s);
            tsr.putResource(OUTBOX_KEY, box);
            tsr.registerInterposedSynchronization(box);
        }
        return box;
    }

    @Override
    public void watchSessions(io.xmppgrid.ra.api.SessionWatcher watcher) {
        if (closed) {
            throw new IllegalStateException("connection handle closed");
        }
        mc.adapter().watchSessions(watcher); // also before the listener runs (it starts with the first endpoint)
    }

    @Override
    public void onStop(io.xmppgrid.ra.api.StopHandover handover) {
        if (closed) {
            throw new IllegalStateException("connection handle closed");
        }
        mc.adapter().onStop(handover);
    }

    @Override
    public io.xmppgrid.ra.api.MovedSession handOff(String resumeId, Jid bareJid, long h) {
        return server().handOff(resumeId, bareJid, h);
    }

    @Override
    public boolean drain() {
        return mc.adapter().drain();
    }

    @Override
    public boolean serve() {
        return mc.adapter().serve();
    }

    @Override
    public boolean drained() {
        return mc.adapter().drained();
    }

    @Override
    public boolean replaceSession(Jid fullJid) {
        return server().replaceSession(fullJid);
    }

    @Override
    public void onCompletion(java.util.function.Consumer<Boolean> completion) {
        XmppServer s = server();
        TransactionSynchronizationRegistry tsr = mc.adapter().transactions();
        if (tsr != null && tsr.getTransactionKey() != null && tsr.getTransactionStatus() == Status.STATUS_ACTIVE) {
            outbox(s, tsr).completions.add(completion);
        } else {
            completion.accept(true);
        }
    }

    @Override
    public void updatePresence(Jid fullJid, boolean available, int priority) {
        server().updatePresence(fullJid, available, priority);
    }

    @Override
    public int fetchStored(Jid bareJid) {
        return server().fetchStored(bareJid);
    }

    @Override
    public int endSessions(Jid jid, String reason) {
        XmppServer s = server();
        int known = jid.isDomain() ? s.peerLinks(jid.domainPart()) : (int) s.sessions().sessionsOf(jid.bare()).stream()
                .filter(b -> jid.isBare() || jid.equals(b.info().jid())).count();
        TransactionSynchronizationRegistry tsr = mc.adapter().transactions();
        if (tsr != null && tsr.getTransactionKey() != null && tsr.getTransactionStatus() == Status.STATUS_ACTIVE) {
            tsr.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                    // the decision is not durable yet
                }

                @Override
                public void afterCompletion(int status) {
                    if (status == Status.STATUS_COMMITTED) {
                        s.endSessions(jid, reason);
                    }
                }
            });
            return known;
        }
        s.endSessions(jid, reason);
        return known;
    }

    @Override
    public io.xmppgrid.ra.api.PeerProbe probePeer(io.xmppgrid.ra.api.PeerCredentials peer, String host, int port,
                                                  int timeoutMillis) {
        XmppServer s = server();
        if (host == null) {
            // where the node's own links go: the configured address, else DNS SRV, else the domain on 5269
            PeerCredentials.Endpoint at = PeerResolver.endpoints(peer, s.config().dnsServer()).stream().findFirst()
                    .orElse(peer.endpoint());
            return OutboundLink.probe(s, peer, at, timeoutMillis);
        }
        return OutboundLink.probe(s, peer, new PeerCredentials.Endpoint(host, port), timeoutMillis);
    }

    @Override
    public void peerOutboxChanged() {
        server().peerOutboxChanged();
    }

    @Override
    public java.util.List<io.xmppgrid.ra.api.PeerLink> peerLinks() {
        return server().peerLinkList();
    }

    @Override
    public io.xmppgrid.ra.api.SessionTraffic traffic(Jid fullJid) {
        return server().traffic(fullJid);
    }

    @Override
    public io.xmppgrid.ra.api.ServerStatistics statistics() {
        return server().statistics();
    }

    @Override
    public SessionRegistry sessions() {
        LocalSessionRegistry r = server().sessions();
        return new SessionRegistry() {
            @Override
            public Optional<SessionInfo> find(Jid fullJid) {
                return r.find(fullJid);
            }

            @Override
            public List<SessionInfo> findByBare(Jid bareJid) {
                return r.findByBare(bareJid);
            }

            @Override
            public List<Jid> jids() {
                return r.jids();
            }

            @Override
            public int size() {
                return r.size();
            }
        };
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            mc.handleClosed(this);
        }
    }

    /**
     * Stanzas to write when the transaction commits. For ordering keys, the outbox takes the
     * server's ordering locks before the commit and releases them once its stanzas are written,
     * so a later transaction with the same key writes after this one (both callbacks run on the
     * committing thread).
     */
    private static final class Outbox implements Synchronization {
        private final XmppServer server;
        private final List<Jid> to = new ArrayList<>();
        private final List<XmlElement> stanzas = new ArrayList<>();
        private final List<String> texts = new ArrayList<>(); // stored stanzas' text, where the element is null
        private long[] tracking = new long[8];
        private final java.util.TreeSet<Integer> stripes = new java.util.TreeSet<>();
        private final List<java.util.concurrent.locks.Lock> held = new ArrayList<>();
        private final List<java.util.function.Consumer<Boolean>> completions = new ArrayList<>(1);
        /** Stanzas for peer grids, with room reserved in their queues (issue 24). */
        private List<PeerOutbound> peers;
        private List<byte[]> peerStanzas;
        private List<Long> peerIds;

        Outbox(XmppServer server) {
            this.server = server;
        }

        void add(Jid jid, XmlElement stanza, String xml, String orderingKey, long trackingId) {
            if (to.size() == tracking.length) {
                tracking = java.util.Arrays.copyOf(tracking, tracking.length * 2);
            }
            tracking[to.size()] = trackingId;
            to.add(jid);
            stanzas.add(stanza);
            texts.add(xml);
            if (orderingKey != null) {
                stripes.add(server.orderingStripe(orderingKey));
            }
        }

        void addPeer(PeerOutbound o, byte[] stanza, String orderingKey, long trackingId) {
            if (peers == null) {
                peers = new ArrayList<>();
                peerStanzas = new ArrayList<>();
                peerIds = new ArrayList<>();
            }
            peers.add(o);
            peerStanzas.add(stanza);
            peerIds.add(trackingId);
            if (orderingKey != null) {
                stripes.add(server.orderingStripe(orderingKey));
            }
        }

        @Override
        public void beforeCompletion() {
            for (int stripe : stripes) { // ascending: no two outboxes wait for each other in a cycle
                java.util.concurrent.locks.Lock l = server.orderingLock(stripe);
                l.lock();
                held.add(l);
            }
        }

        @Override
        public void afterCompletion(int status) {
            try {
                for (java.util.function.Consumer<Boolean> c : completions) {
                    try {
                        c.accept(status == Status.STATUS_COMMITTED);
                    } catch (RuntimeException e) {
                        Log.SERVER.errorf(e,
                                "GRID0108: a completion step of the application failed; this transaction's stanzas are written all the same");
                    }
                }
                if (status == Status.STATUS_COMMITTED) {
                    // written together: stanzas for one peer share TLS records and socket writes
                    ClientConnection.corked(() -> {
                        for (int i = 0; i < to.size(); i++) {
                            XmlElement st = stanzas.get(i);
                            if (st == null) {
                                server.sendStored(to.get(i), texts.get(i), tracking[i]); // tracked: if not sent, still stored
                            } else if (!server.send(to.get(i), st, tracking[i]) && tracking[i] == BoundSession.UNTRACKED
                                    && Stanzas.isMessage(st)) {
                                // the session ended since: the application routes the message again (offline)
                                server.undeliveredLater(to.get(i), List.of(st));
                            }
                        }
                    });
                }
                for (int i = 0; peers != null && i < peers.size(); i++) {
                    if (status == Status.STATUS_COMMITTED) {
                        peers.get(i).put(peerStanzas.get(i), peerIds.get(i));
                    } else {
                        peers.get(i).release(peerStanzas.get(i).length);
                    }
                }
            } finally {
                for (int i = held.size() - 1; i >= 0; i--) {
                    held.get(i).unlock();
                }
                held.clear();
            }
        }
    }
}
