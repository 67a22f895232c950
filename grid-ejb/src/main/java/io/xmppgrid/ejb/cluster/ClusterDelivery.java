package io.xmppgrid.ejb.cluster;

import io.xmppgrid.core.BareJidDelivery;
import io.xmppgrid.core.Delivery;
import io.xmppgrid.core.OfflineSink;
import io.xmppgrid.ra.api.SessionInfo;
import io.xmppgrid.ra.api.XmppConnection;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.Stanzas;
import io.xmppgrid.xmpp.XmlElement;
import io.xmppgrid.xmpp.XmlWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@link Delivery} across the cluster: sessions of this node are served by the adapter; available sessions of other
 * nodes come from the {@link SessionDirectory}, and stanzas for them are collected per node and handed over in
 * {@link #flush()}, which the unit of work calls before its transaction commits: each node reserves them (in the
 * order the Topic's lock gives), the commit releases them, a rollback aborts them. A node that does not take its
 * reservation is left out of this unit of work and its stanzas are routed again without it (another session of
 * the platform, or its offline queue, in this same transaction).
 */
public final class ClusterDelivery implements Delivery {

    /**
     * Stanzas of one key for one node while the unit of work collects them: a notification's copies for several
     * sessions share one entry (same payload, each copy addressed to its session).
     */
    static final class Entry {
        final String key;
        final XmlElement stanza; // without its 'to' and 'id' when addressed
        final boolean addressed;
        final List<Jid> to = new ArrayList<>(1);
        final List<String> ids = new ArrayList<>(1);

        Entry(String key, XmlElement stanza, boolean addressed) {
            this.key = key;
            this.stanza = stanza;
            this.addressed = addressed;
        }

        /**
         * Whether {@code other} (a copy of the same notification: its 'to' and 'id' removed, the same child elements)
         * belongs here.
         */
        boolean takes(String otherKey, XmlElement other, boolean otherAddressed) {
            if (!addressed || !otherAddressed || !key.equals(otherKey) || !stanza.name().equals(other.name())
                    || !stanza.attributes().equals(other.attributes())) {
                return false;
            }
            List<Object> a = stanza.content();
            List<Object> b = other.content();
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i) != b.get(i)) {
                    return false; // not the very same event element
                }
            }
            return true;
        }

        Parcel parcel(boolean here) {
            String[] names = new String[to.size()];
            for (int i = 0; i < names.length; i++) {
                names[i] = to.get(i).toString();
            }
            return new Parcel(key, names, addressed ? ids.toArray(new String[0]) : null, here ? null
                    : XmlWriter.toXml(stanza, Ns.CLIENT), stanza);
        }

        /** Each copy, as it would have been sent: recipient and stanza. */
        void forEachCopy(java.util.function.BiConsumer<Jid, XmlElement> copy) {
            for (int i = 0; i < to.size(); i++) {
                copy.accept(to.get(i), addressed ? Parcel.addressed(stanza, to.get(i).toString(), ids.get(i)) : stanza);
            }
        }
    }

    private final Delivery local;
    private final ClusterBus bus;
    private final XmppConnection connection;
    private final OfflineSink offline;
    private final Set<String> unreachable;
    /** Other nodes' sessions this unit of work listed (full JID → node): a fan-out reads the directory once. */
    private final Map<Jid, String> listed = new java.util.HashMap<>();
    private Map<String, List<Entry>> pending = new LinkedHashMap<>();
    private final List<ClusterBus.Reserved> reserved = new ArrayList<>(1);
    private int rounds;

    ClusterDelivery(Delivery local, ClusterBus bus, XmppConnection connection, OfflineSink offline, Set<String> excluded) {
        this.local = local;
        this.bus = bus;
        this.connection = connection;
        this.offline = offline;
        this.unreachable = new HashSet<>(excluded);
    }

    @Override
    public Jid domain() {
        return local.domain();
    }

    @Override
    public Optional<SessionInfo> session(Jid fullJid) {
        Optional<SessionInfo> here = local.session(fullJid);
        return here.isPresent() ? here : bus.remoteSession(fullJid, unreachable);
    }

    @Override
    public List<SessionInfo> sessions(Jid bareJid) {
        List<SessionInfo> here = local.sessions(bareJid);
        List<SessionInfo> there = bus.remoteSessions(bareJid, unreachable);
        if (there.isEmpty()) {
            return here;
        }
        there.forEach(s -> listed.put(s.jid(), s.node())); // the sends that follow need not read the directory again
        List<SessionInfo> all = new ArrayList<>(here);
        all.addAll(there);
        return all;
    }

    @Override
    public boolean send(Jid fullJid, XmlElement stanza) {
        return send(fullJid, stanza, null);
    }

    @Override
    public boolean send(Jid fullJid, XmlElement stanza, String orderingKey) {
        String node;
        if (local.session(fullJid).isPresent()) {
            if (orderingKey == null) {
                return local.send(fullJid, stanza);
            }
            // a Topic's notifications for this node's sessions take the same queue as those other nodes send here,
            // reserved under the Topic's lock like them: one order per Topic on this node, whoever published
            node = bus.self();
        } else {
            node = listed.get(fullJid);
            if (node == null) {
                if (local.atPeer(fullJid)) {
                    return local.sendToPeer(fullJid, stanza, orderingKey); // an answer to a peer grid's sender
                }
                Optional<SessionInfo> there = bus.remoteSession(fullJid, unreachable);
                if (there.isEmpty()) {
                    return false;
                }
                node = there.get().node();
            }
        }
        // without a Topic, stanzas to one session keep their order (RFC 6120 §10.1)
        String key = orderingKey != null ? "topic:" + orderingKey : "to:" + fullJid;
        // a notification's copies differ in 'to' and 'id' only: one entry carries them all
        boolean addressed = orderingKey != null && fullJid.toString().equals(stanza.attribute("to"));
        XmlElement body = addressed ? stanza.withAttribute("to", null).withAttribute("id", null) : stanza;
        List<Entry> entries = pending.computeIfAbsent(node, n -> new ArrayList<>());
        Entry last = entries.isEmpty() ? null : entries.get(entries.size() - 1);
        if (last == null || !last.takes(key, body, addressed)) {
            last = new Entry(key, body, addressed);
            entries.add(last);
        }
        last.to.add(fullJid);
        last.ids.add(stanza.attribute("id"));
        if (!bus.inTransaction()) {
            flush();
        }
        return true;
    }

    @Override
    public void presence(Jid fullJid, boolean available, int priority) {
        local.presence(fullJid, available, priority); // the adapter reports it to the session directory
    }

    @Override
    public boolean accountExists(String localpart) {
        return local.accountExists(localpart);
    }

    @Override
    public boolean atPeer(Jid address) {
        return local.atPeer(address);
    }

    /** This node's link to the peer carries it (issue 24: each node links to the peers it has stanzas for). */
    @Override
    public boolean sendToPeer(Jid address, XmlElement stanza, String orderingKey) {
        return local.sendToPeer(address, stanza, orderingKey);
    }

    /**
     * Hands the stanzas collected for other nodes to them (reservations), before the commit; a node that does not
     * confirm is left out and its stanzas are routed again here. Call it last in the unit of work, inside its
     * transaction (outside one, every send flushes at once).
     */
    public void flush() {
        while (!pending.isEmpty()) {
            Map<String, List<Entry>> round = pending;
            pending = new LinkedHashMap<>();
            String id = bus.reservationId(rounds++);
            List<ClusterBus.Reserved> taken = new ArrayList<>(round.size());
            for (Map.Entry<String, List<Entry>> e : round.entrySet()) {
                if (!unreachable.contains(e.getKey()) && bus.reserve(id, e.getKey(), e.getValue())) {
                    taken.add(new ClusterBus.Reserved(e.getKey(), id, e.getValue()));
                } else {
                    unreachable.add(e.getKey());
                    listed.values().removeIf(e.getKey()::equals); // its sessions are not routed to again
                    bus.abort(e.getKey(), id);
                    e.getValue().forEach(x -> x.forEachCopy(this::reroute));
                }
            }
            if (taken.isEmpty()) {
                continue;
            }
            if (!bus.inTransaction()) {
                bus.complete(true, taken); // nothing to wait for
            } else {
                if (reserved.isEmpty()) {
                    // released after the commit, before this transaction's own stanzas (a publisher's result) leave
                    java.util.function.Consumer<Boolean> release = committed -> bus.complete(committed, List.copyOf(reserved));
                    if (bus.listening()) {
                        connection.onCompletion(release);
                    } else {
                        bus.onCompletion(release); // no listener (it stops): no stanza of this node to come after
                    }
                }
                reserved.addAll(taken);
            }
        }
    }

    /**
     * RFC 6121 §8.5.3.2.1: a message whose session is gone is treated as sent to the bare JID (another available
     * session, else offline storage when it may be stored); other stanzas for a gone session are dropped.
     */
    void reroute(Jid fullJid, XmlElement stanza) {
        reroute(this, offline, fullJid, stanza);
    }

    static void reroute(Delivery d, OfflineSink offline, Jid fullJid, XmlElement stanza) {
        String type = stanza.attribute("type");
        if (!Stanzas.isMessage(stanza) || "error".equals(type) || "groupchat".equals(type)) {
            return;
        }
        XmlElement message = fullJid.toString().equals(stanza.attribute("to"))
                ? stanza.withAttribute("to", fullJid.bare().toString()) : stanza;
        new BareJidDelivery(d, offline, true).deliver(fullJid.bare(), message, null, "headline".equals(type));
    }
}
