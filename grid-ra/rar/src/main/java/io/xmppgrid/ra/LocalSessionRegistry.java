package io.xmppgrid.ra;

import io.xmppgrid.ra.api.SessionInfo;
import io.xmppgrid.ra.api.SessionRegistry;
import io.xmppgrid.xmpp.Jid;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The sessions held by this node, by full and by bare JID. */
final class LocalSessionRegistry implements SessionRegistry {

    /** A live session and the connection that carries it. */
    static final class Entry {
        final ClientConnection connection;
        volatile SessionInfo info;

        Entry(ClientConnection connection, SessionInfo info) {
            this.connection = connection;
            this.info = info;
        }
    }

    private final Map<Jid, Entry> byFull = new ConcurrentHashMap<>();
    private final Map<Jid, List<Entry>> byBare = new ConcurrentHashMap<>();

    /** Registers a session; returns the entry it displaced (same full JID), if any. */
    Entry register(ClientConnection connection, SessionInfo info) {
        Entry e = new Entry(connection, info);
        Entry old = byFull.put(info.jid(), e);
        byBare.compute(info.jid().bare(), (k, list) -> {
            List<Entry> n = list == null ? new ArrayList<>(1) : new ArrayList<>(list);
            if (old != null) {
                n.remove(old);
            }
            n.add(e);
            return List.copyOf(n);
        });
        return old;
    }

    /** Removes the session if it is still the one this connection holds. */
    void unregister(Jid full, ClientConnection connection) {
        Entry e = byFull.get(full);
        if (e == null || e.connection != connection) {
            return;
        }
        byFull.remove(full, e);
        byBare.computeIfPresent(full.bare(), (k, list) -> {
            List<Entry> n = new ArrayList<>(list);
            n.remove(e);
            return n.isEmpty() ? null : List.copyOf(n);
        });
    }

    Entry entry(Jid full) {
        return byFull.get(full);
    }

    List<Entry> all() {
        return List.copyOf(byFull.values());
    }

    @Override
    public Optional<SessionInfo> find(Jid fullJid) {
        Entry e = byFull.get(fullJid);
        return e == null ? Optional.empty() : Optional.of(e.info);
    }

    @Override
    public List<SessionInfo> findByBare(Jid bareJid) {
        List<Entry> list = byBare.get(bareJid.bare());
        if (list == null) {
            return List.of();
        }
        List<SessionInfo> out = new ArrayList<>(list.size());
        for (Entry e : list) {
            out.add(e.info);
        }
        return out;
    }

    @Override
    public int size() {
        return byFull.size();
    }
}
