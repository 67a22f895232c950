package io.xmppgrid.ra;

import io.xmppgrid.ra.api.SessionInfo;
import io.xmppgrid.ra.api.SessionRegistry;
import io.xmppgrid.xmpp.Jid;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sessions held by this node, by full and by bare JID, and the resumable ones by their
 * XEP-0198 resumption id. A detached session (waiting for resumption) stays registered,
 * unavailable.
 */
final class LocalSessionRegistry implements SessionRegistry {

    private final Map<Jid, BoundSession> byFull = new ConcurrentHashMap<>();
    private final Map<Jid, List<BoundSession>> byBare = new ConcurrentHashMap<>();
    private final Map<String, BoundSession> byResumeId = new ConcurrentHashMap<>();
    private volatile io.xmppgrid.ra.api.SessionWatcher watcher;

    /** The application's watcher of routing state ({@code XmppConnection#watchSessions}). */
    void watch(io.xmppgrid.ra.api.SessionWatcher w) {
        watcher = w;
    }

    /** How many cluster nodes, this one included, hold sessions of the platform (1 without a watcher). */
    int nodesWithSessions(Jid bare) {
        io.xmppgrid.ra.api.SessionWatcher w = watcher;
        if (w == null) {
            return 1;
        }
        try {
            return Math.max(1, w.nodesWithSessions(bare));
        } catch (RuntimeException e) {
            Log.SERVER.warnf("GRIDRA0110: the application's session watcher failed for %s: %s", bare, e.toString());
            return 1;
        }
    }

    /** What the other cluster nodes count for a shared limit's key (0 without a watcher, or when it fails). */
    int countedElsewhere(String key) {
        io.xmppgrid.ra.api.SessionWatcher w = watcher;
        if (w == null) {
            return 0;
        }
        try {
            return Math.max(0, w.countedElsewhere(key));
        } catch (RuntimeException e) {
            Log.SERVER.warnf("GRIDRA0110: the application's session watcher failed for %s: %s", key, e.toString());
            return 0;
        }
    }

    /** This node's count for a shared limit's key changed. */
    void counted(String key, int count) {
        io.xmppgrid.ra.api.SessionWatcher w = watcher;
        if (w != null) {
            try {
                w.counted(key, count);
            } catch (RuntimeException e) {
                Log.SERVER.warnf("GRIDRA0110: the application's session watcher failed for %s: %s", key, e.toString());
            }
        }
    }

    /** Whether the application knows of a session with this full JID on another cluster node. */
    boolean boundElsewhere(Jid full) {
        io.xmppgrid.ra.api.SessionWatcher w = watcher;
        if (w == null) {
            return false;
        }
        try {
            return w.boundElsewhere(full);
        } catch (RuntimeException e) {
            Log.SERVER.warnf("GRIDRA0110: the application's session watcher failed for %s: %s", full, e.toString());
            return false;
        }
    }

    /** XEP-0198 §5 across nodes: the application asks the holder of a session this node did not issue or holds no more. */
    java.util.concurrent.CompletionStage<io.xmppgrid.ra.api.MovedSession> takeOver(String node, String resumeId, Jid bare, long h) {
        io.xmppgrid.ra.api.SessionWatcher w = watcher;
        if (w == null) {
            return java.util.concurrent.CompletableFuture.completedFuture(io.xmppgrid.ra.api.MovedSession.notFound());
        }
        try {
            return w.takeOver(node, resumeId, bare, h);
        } catch (RuntimeException e) {
            Log.SERVER.warnf("GRIDRA0110: the application's session watcher failed for %s: %s", bare, e.toString());
            return java.util.concurrent.CompletableFuture.completedFuture(io.xmppgrid.ra.api.MovedSession.notFound());
        }
    }

    /** Balancing: another node's address for a new connection, or null (no watcher, or it failed). */
    String redirect() {
        io.xmppgrid.ra.api.SessionWatcher w = watcher;
        if (w == null) {
            return null;
        }
        try {
            return w.redirect();
        } catch (RuntimeException e) {
            Log.SERVER.warnf("GRIDRA0110: the application's session watcher failed to balance: %s", e.toString());
            return null;
        }
    }

    /** A session's routing state (presence, detached, resumed) changed. */
    void changed(BoundSession s) {
        report(s.info());
    }

    private void report(SessionInfo info) {
        io.xmppgrid.ra.api.SessionWatcher w = watcher;
        if (w != null) {
            try {
                w.changed(info);
            } catch (RuntimeException e) {
                Log.SERVER.warnf("GRIDRA0110: the application's session watcher failed for %s: %s", info.jid(), e.toString());
            }
        }
    }

    /** Registers a session; returns the session it displaced (same full JID), if any. */
    BoundSession register(BoundSession s) {
        BoundSession old = byFull.put(s.jid(), s);
        byBare.compute(s.jid().bare(), (k, list) -> {
            List<BoundSession> n = list == null ? new ArrayList<>(1) : new ArrayList<>(list);
            if (old != null) {
                n.remove(old);
            }
            n.add(s);
            return List.copyOf(n);
        });
        report(s.info());
        return old;
    }

    void resumable(String resumeId, BoundSession s) {
        byResumeId.put(resumeId, s);
    }

    BoundSession byResumeId(String resumeId) {
        return byResumeId.get(resumeId);
    }

    /** Removes the session if it is still the one registered under its full JID. */
    void unregister(BoundSession s) {
        String rid = s.resumeId();
        if (rid != null) {
            byResumeId.remove(rid, s);
        }
        if (!byFull.remove(s.jid(), s)) {
            return;
        }
        byBare.computeIfPresent(s.jid().bare(), (k, list) -> {
            List<BoundSession> n = new ArrayList<>(list);
            n.remove(s);
            return n.isEmpty() ? null : List.copyOf(n);
        });
        report(s.info().withPresence(false, s.info().priority()));
    }

    BoundSession session(Jid full) {
        return byFull.get(full);
    }

    List<BoundSession> sessionsOf(Jid bare) {
        List<BoundSession> list = byBare.get(bare.bare());
        return list == null ? List.of() : list;
    }

    List<BoundSession> all() {
        return List.copyOf(byFull.values());
    }

    @Override
    public Optional<SessionInfo> find(Jid fullJid) {
        BoundSession s = byFull.get(fullJid);
        return s == null ? Optional.empty() : Optional.of(s.info());
    }

    @Override
    public List<SessionInfo> findByBare(Jid bareJid) {
        List<BoundSession> list = byBare.get(bareJid.bare());
        if (list == null) {
            return List.of();
        }
        List<SessionInfo> out = new ArrayList<>(list.size());
        for (BoundSession s : list) {
            out.add(s.info());
        }
        return out;
    }

    @Override
    public List<Jid> jids() {
        return List.copyOf(byFull.keySet());
    }

    @Override
    public int size() {
        return byFull.size();
    }
}
