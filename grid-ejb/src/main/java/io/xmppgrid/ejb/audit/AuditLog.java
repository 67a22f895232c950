package io.xmppgrid.ejb.audit;

import io.xmppgrid.persistence.AuditChainHead;
import io.xmppgrid.persistence.AuditEntry;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.TypedQuery;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The audit log: recording (in the caller's transaction, or on its own for refusals whose
 * transaction rolls back), chaining, searching and verifying.
 */
@Stateless
public class AuditLog {

    private static final Logger LOG = Logger.getLogger(AuditLog.class);
    private static final int CHAIN_BATCH = 2000;

    @PersistenceContext(unitName = "grid")
    private EntityManager em;

    /** What a search asks for; null fields match anything. {@code before}: an id cursor (exclusive). */
    public record Filter(String actor, String action, String outcome, Instant from, Instant to, Long before, int limit) {
    }

    /**
     * The result of a verification: where the chain first breaks, if it does, and up to which entry it is anchored
     * outside the database (null: no anchor yet).
     */
    public record Verification(boolean intact, long entries, Long brokenSeq, Long brokenId, String reason, Long anchored) {
    }

    public void record(AuditEntry.Kind kind, String actor, String action, String target, String outcome, String detail,
                       String address) {
        em.persist(entry(kind, actor, action, target, outcome, detail, address));
    }

    /** Records in a transaction of its own: the record stays even when the caller's work rolls back. */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void recordSeparately(AuditEntry.Kind kind, String actor, String action, String target, String outcome,
                                 String detail, String address) {
        record(kind, actor, action, target, outcome, detail, address);
    }

    /** A new entry, its time in milliseconds (what both databases keep exactly, so hashes verify). */
    public static AuditEntry entry(AuditEntry.Kind kind, String actor, String action, String target, String outcome,
                                   String detail, String address) {
        io.xmppgrid.ejb.GridMetrics.event(action, outcome);
        return new AuditEntry(Instant.now().truncatedTo(ChronoUnit.MILLIS), kind, actor, action, target,
                clip(outcome, 64), clip(detail, 4000), clip(address, 255));
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /**
     * Gives the entries recorded since the last run their places in the chain, in the order their
     * transactions committed (as seen now). Locks the chain head: one chainer at a time, cluster-wide.
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public int chain() {
        if (em.createNamedQuery(AuditEntry.UNCHAINED, AuditEntry.class).setMaxResults(1).getResultList().isEmpty()) {
            return 0; // nothing new: the chain head's lock is not taken every second for nothing
        }
        AuditChainHead head = em.find(AuditChainHead.class, AuditChainHead.ID, LockModeType.PESSIMISTIC_WRITE);
        List<AuditEntry> pending = em.createNamedQuery(AuditEntry.UNCHAINED, AuditEntry.class)
                .setMaxResults(CHAIN_BATCH).getResultList();
        if (pending.isEmpty()) {
            return 0;
        }
        byte[] key = AuditChain.key();
        for (AuditEntry e : pending) {
            long seq = head.lastSeq + 1;
            e.chainSeq = seq;
            e.prevHash = head.lastHash;
            e.hash = AuditChain.hash(key, e, seq, head.lastHash);
            head.lastSeq = seq;
            head.lastHash = e.hash;
        }
        return pending.size();
    }

    /** The chain's head as committed now (null before the first entry), for the anchor. */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public AuditAnchor.Point head() {
        AuditChainHead h = em.find(AuditChainHead.class, AuditChainHead.ID);
        return h == null || h.lastSeq == 0 ? null : new AuditAnchor.Point(h.lastSeq, h.lastHash);
    }

    /** Entries matching the filter, newest first. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<AuditEntry> search(Filter f) {
        StringBuilder jpql = new StringBuilder("select a from AuditEntry a where 1 = 1");
        java.util.Map<String, Object> params = new java.util.LinkedHashMap<>();
        where(jpql, params, "a.actor = :actor", "actor", f.actor());
        where(jpql, params, "a.action = :action", "action", f.action());
        where(jpql, params, "a.outcome = :outcome", "outcome", f.outcome());
        where(jpql, params, "a.at >= :from", "from", f.from());
        where(jpql, params, "a.at < :to", "to", f.to());
        where(jpql, params, "a.id < :before", "before", f.before());
        jpql.append(" order by a.id desc");
        TypedQuery<AuditEntry> q = em.createQuery(jpql.toString(), AuditEntry.class);
        params.forEach(q::setParameter);
        return q.setMaxResults(Math.max(1, Math.min(1000, f.limit()))).getResultList();
    }

    /** Actions the console shows as alerts: misbehaviour, refusals, limits. */
    public static final List<String> ALERT_ACTIONS = List.of("limit.exceeded", "limit.disable", "connection",
            "offline.refused", "admin.request", "admin.csrf", "platform.register");

    /**
     * The console's alerts since {@code since}, newest first: rate-limit violations and automatic
     * disabling, refused connections, full offline queues, refused administration requests, and
     * failed sign-ins of platforms and administrators.
     */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public List<AuditEntry> alerts(Instant since, int limit) {
        return em.createQuery("select a from AuditEntry a where a.at >= :since and (a.action in :actions"
                        + " or (a.action in ('auth', 'admin.signin') and a.outcome <> 'ok')) order by a.id desc", AuditEntry.class)
                .setParameter("since", since).setParameter("actions", ALERT_ACTIONS)
                .setMaxResults(Math.max(1, Math.min(1000, limit))).getResultList();
    }

    private static void where(StringBuilder jpql, java.util.Map<String, Object> params, String clause, String name,
                              Object value) {
        if (value != null) {
            jpql.append(" and ").append(clause);
            params.put(name, value);
        }
    }

    /** Walks the whole chain; reports the first entry that is missing, altered, or out of its place. */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public Verification verify() {
        byte[] key = AuditChain.key();
        AuditAnchor.Point anchor;
        try {
            // read before the walk: the anchor only follows committed entries, so the walk reaches it
            anchor = AuditAnchor.read(key).orElse(null);
        } catch (AuditAnchor.AlteredException e) {
            return broken(0, 1, null, e.getMessage());
        } catch (java.io.IOException e) {
            return broken(0, 1, null, "the anchor file cannot be read: " + e.getMessage());
        }
        String anchoredHash = null;
        long expected = 1;
        String prev = AuditChain.GENESIS;
        AuditChainHead head;
        while (true) {
            List<AuditEntry> page = em.createNamedQuery(AuditEntry.CHAINED_FROM, AuditEntry.class)
                    .setParameter("from", expected).setMaxResults(1000).getResultList();
            if (page.isEmpty()) {
                // the head is read after the walk: a chainer (on any node) may have added entries meanwhile, and then
                // the walk goes on to them; a head behind the entries walked is a break
                em.clear();
                head = em.find(AuditChainHead.class, AuditChainHead.ID);
                if (head != null && head.lastSeq >= expected) {
                    List<AuditEntry> more = em.createNamedQuery(AuditEntry.CHAINED_FROM, AuditEntry.class)
                            .setParameter("from", expected).setMaxResults(1).getResultList();
                    if (!more.isEmpty()) {
                        continue;
                    }
                }
                break;
            }
            for (AuditEntry e : page) {
                if (e.chainSeq != expected) {
                    return broken(expected - 1, expected, null, "entry " + expected + " is missing (next is " + e.chainSeq + ")");
                }
                if (!prev.equals(e.prevHash)) {
                    return broken(expected - 1, expected, e.id, "entry " + expected + " does not link to the entry before it");
                }
                if (!AuditChain.hash(key, e, expected, prev).equals(e.hash)) {
                    return broken(expected - 1, expected, e.id, "entry " + expected + " was altered");
                }
                if (anchor != null && expected == anchor.seq()) {
                    anchoredHash = e.hash;
                }
                prev = e.hash;
                expected++;
            }
            em.clear();
        }
        long entries = expected - 1;
        if (head != null && head.lastSeq != entries) {
            return broken(entries, entries + 1, null, "the chain ends at " + entries + " but its head says " + head.lastSeq);
        }
        if (anchor != null && anchor.seq() > entries) {
            return broken(entries, entries + 1, null, "the chain ends at " + entries + " but its anchor outside the database"
                    + " records entry " + anchor.seq() + ": the newest entries were deleted");
        }
        if (anchor != null && !anchor.hash().equals(anchoredHash)) {
            return broken(anchor.seq() - 1, anchor.seq(), null, "entry " + anchor.seq()
                    + " is not the one its anchor outside the database records: the chain was rewritten from there");
        }
        return new Verification(true, entries, null, null, null, anchor == null ? null : anchor.seq());
    }

    private static Verification broken(long good, long seq, Long id, String reason) {
        LOG.errorf("GRID0602: audit chain broken at entry %d (id %s): %s", seq, id, reason);
        return new Verification(false, good, seq, id, reason, null);
    }
}
