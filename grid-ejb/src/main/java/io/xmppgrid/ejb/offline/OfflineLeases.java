package io.xmppgrid.ejb.offline;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which stored messages each live session on this node has been handed and not yet confirmed, as
 * ranges of queue positions ({@code seq}), per platform. A session's next batch starts after the
 * last position it holds and skips the ranges of the platform's other live sessions; when a session
 * ends, its ranges are forgotten and what it did not confirm is free again.
 *
 * <p>Leases live in memory beside the sessions they name: a session exists only on its node, and a
 * lease of a session that is gone means nothing. Keeping them here rather than on every stored row
 * spares the database one row rewrite per delivered message. Callers change a platform's leases
 * only while they hold its queue row lock, so the check of what is free and the lease are one step.
 */
public final class OfflineLeases {

    /** The node's leases (sessions are per node, so are these). */
    public static final OfflineLeases NODE = new OfflineLeases();

    /** Positions {@code first..last} (inclusive) held by one session. */
    public record Range(long first, long last) {
        boolean contains(long seq) {
            return seq >= first && seq <= last;
        }
    }

    /** owner → session id → its ranges, ascending and not overlapping. */
    private final Map<String, Map<String, List<Range>>> byOwner = new ConcurrentHashMap<>();

    /** The last position the session holds, or 0 when it holds none. */
    public long after(String owner, String session) {
        Map<String, List<Range>> sessions = byOwner.get(owner);
        if (sessions == null) {
            return 0L;
        }
        synchronized (sessions) {
            List<Range> mine = sessions.get(session);
            return mine == null || mine.isEmpty() ? 0L : mine.get(mine.size() - 1).last();
        }
    }

    /**
     * The ranges the platform's other live sessions hold, ascending by position. Sessions not in
     * {@code live} are forgotten on the way: their messages are free again.
     */
    public List<Range> heldByOthers(String owner, String session, Collection<String> live) {
        Map<String, List<Range>> sessions = byOwner.get(owner);
        if (sessions == null) {
            return List.of();
        }
        List<Range> out = new ArrayList<>();
        synchronized (sessions) {
            sessions.keySet().removeIf(s -> !live.contains(s));
            sessions.forEach((s, ranges) -> {
                if (!s.equals(session)) {
                    out.addAll(ranges);
                }
            });
        }
        out.sort((a, b) -> Long.compare(a.first(), b.first()));
        return out;
    }

    /**
     * Adds ranges to the session's leases (each after everything it holds); a range that continues
     * the session's last one is merged into it. Returns what undoes this (when the transaction that
     * read the messages does not commit).
     */
    public Runnable lease(String owner, String session, List<Range> ranges, boolean continuesLast) {
        if (ranges.isEmpty()) {
            return () -> { };
        }
        Map<String, List<Range>> sessions = byOwner.computeIfAbsent(owner, o -> new HashMap<>());
        synchronized (sessions) {
            List<Range> mine = sessions.computeIfAbsent(session, s -> new ArrayList<>());
            List<Range> before = List.copyOf(mine);
            for (int i = 0; i < ranges.size(); i++) {
                Range r = ranges.get(i);
                if (i == 0 && continuesLast && !mine.isEmpty()) {
                    Range last = mine.remove(mine.size() - 1);
                    r = new Range(last.first(), r.last());
                }
                mine.add(r);
            }
            return () -> {
                synchronized (sessions) {
                    if (sessions.containsKey(session)) {
                        sessions.put(session, new ArrayList<>(before));
                    }
                }
            };
        }
    }

    /** Forgets a session that ended: what it did not confirm is free for the platform's other sessions. */
    public void release(String owner, String session) {
        Map<String, List<Range>> sessions = byOwner.get(owner);
        if (sessions != null) {
            synchronized (sessions) {
                sessions.remove(session); // the platform's (empty) map stays: a lease may be taking it now
            }
        }
    }
}
