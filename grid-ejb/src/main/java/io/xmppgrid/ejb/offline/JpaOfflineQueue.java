package io.xmppgrid.ejb.offline;

import io.xmppgrid.core.BareJidDelivery;
import io.xmppgrid.core.OfflineSink;
import io.xmppgrid.ejb.audit.JpaAudit;
import io.xmppgrid.persistence.OfflineMessageEntity;
import io.xmppgrid.persistence.OfflineQueueEntity;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.XmlElement;
import io.xmppgrid.xmpp.XmlWriter;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Platforms' offline queues in the database, in the caller's transaction. Every operation on a
 * queue first locks its {@code offline_queue} row, which keeps counters and limits exact and
 * orders stores against deliveries. A message leaves only when its delivery is confirmed.
 */
public final class JpaOfflineQueue implements OfflineSink {

    private static final Logger LOG = Logger.getLogger(JpaOfflineQueue.class);
    /** Hibernate's hint (org.hibernate.jpa.HibernateHints): rows read to be sent are not dirty-checked at flush. */
    private static final String READ_ONLY = "org.hibernate.readOnly";

    /** One batch for a session: the messages, now leased to it, and whether more wait. */
    public record Batch(List<OfflineMessageEntity> messages, boolean more) {
    }

    private final EntityManager em;
    private final OfflineSettings settings;
    private final Clock clock;
    private final JpaAudit audit;

    public JpaOfflineQueue(EntityManager em, OfflineSettings settings, Clock clock, JpaAudit audit) {
        this.em = em;
        this.settings = settings;
        this.clock = clock;
        this.audit = audit;
    }

    private OfflineQueueEntity lock(String owner) {
        return em.find(OfflineQueueEntity.class, owner, LockModeType.PESSIMISTIC_WRITE);
    }

    @Override
    public Outcome store(Jid bareJid, XmlElement message, BooleanSupplier liveAgain) {
        OfflineQueueEntity q = lock(bareJid.local());
        if (q == null) {
            LOG.debugf("GRID0405: no platform %s; message %s not stored", bareJid, message.attribute("id"));
            return Outcome.NO_ACCOUNT;
        }
        if (liveAgain.getAsBoolean()) {
            return Outcome.DELIVERED;
        }
        Instant now = clock.instant();
        // stored as it will be written to the platform's stream, delay stamp included (XEP-0160 §3, XEP-0203)
        String xml = XmlWriter.toXml(BareJidDelivery.delayed(message, Jid.domain(bareJid.domainPart()), now), Ns.CLIENT);
        int size = xml.getBytes(StandardCharsets.UTF_8).length;
        int maxMessages = q.maxMessages != null ? q.maxMessages : settings.maxMessages();
        long maxBytes = q.maxBytes != null ? q.maxBytes : settings.maxBytes();
        if (q.messageCount + 1 > maxMessages || q.totalBytes + size > maxBytes) {
            q.refusedTotal++;
            q.lastRefusedAt = now;
            LOG.warnf("GRID0403: offline queue of %s is full (%d of %d messages, %d of %d bytes): message %s from %s"
                            + " (%d bytes) refused; %d refused in all", bareJid, q.messageCount, maxMessages, q.totalBytes,
                    maxBytes, message.attribute("id"), message.attribute("from"), size, q.refusedTotal);
            audit.system("offline.refused", bareJid.toString(), "queue-full", "message " + message.attribute("id")
                    + " from " + message.attribute("from") + " (" + size + " bytes); " + q.messageCount + " of "
                    + maxMessages + " messages, " + q.totalBytes + " of " + maxBytes + " bytes");
            return Outcome.FULL;
        }
        String sender = platformSender(bareJid, message);
        if (sender != null && !withinSenderShare(q, bareJid, sender, message, size, now)) {
            return Outcome.FULL;
        }
        long seq = q.nextSeq++;
        q.messageCount++;
        q.totalBytes += size;
        Instant expires = settings.maxAge().isZero() ? null : now.plus(settings.maxAge());
        em.persist(new OfflineMessageEntity(q.owner, seq, now, expires, xml, size, true, sender));
        return Outcome.STORED;
    }

    /**
     * The bare JID of the platform that sent a message to another platform of the grid, or null: the broker's
     * notifications (from a service address) and a platform's messages to itself are not counted as a sender's share.
     */
    private static String platformSender(Jid owner, XmlElement message) {
        Jid from = Jid.parseOrNull(message.attribute("from"));
        if (from == null || from.local() == null || !from.domainPart().equals(owner.domainPart())) {
            return null;
        }
        Jid bare = from.bare();
        return bare.equals(owner.bare()) ? null : bare.toString();
    }

    /**
     * Whether one more message from {@code sender} keeps its share of the queue within {@code grid.offline.maxFromOneSender}
     * and {@code grid.offline.maxBytesFromOneSender} (issue 18 §7: one platform may not fill another's queue until the
     * broker's notifications are refused). Asked under the queue's row lock, which orders it against other stores.
     */
    private boolean withinSenderShare(OfflineQueueEntity q, Jid owner, String sender, XmlElement message, int size,
            Instant now) {
        Object[] held = em.createNamedQuery(OfflineMessageEntity.SIZE_FROM_SENDER, Object[].class)
                .setParameter("owner", q.owner).setParameter("sender", sender).getSingleResult();
        long count = ((Number) held[0]).longValue();
        long bytes = ((Number) held[1]).longValue();
        if (count + 1 <= settings.maxFromOneSender() && bytes + size <= settings.maxBytesFromOneSender()) {
            return true;
        }
        q.refusedTotal++;
        q.lastRefusedAt = now;
        LOG.warnf("GRID0411: %s already holds %d messages (%d bytes) from %s, its share is %d messages, %d bytes:"
                        + " message %s (%d bytes) refused", owner, count, bytes, sender, settings.maxFromOneSender(),
                settings.maxBytesFromOneSender(), message.attribute("id"), size);
        audit.system("offline.refused", owner.toString(), "sender-share", "message " + message.attribute("id") + " from "
                + sender + " (" + size + " bytes); it holds " + count + " messages, " + bytes + " bytes from that sender");
        return false;
    }

    /**
     * The next messages for a session, in queue order, leased to it in {@code leases}: those after
     * the last one it already holds and not held by another of the platform's live sessions
     * ({@code liveSessions}, which includes this one). Expired messages met on the way are removed
     * and counted. The lease is taken under the queue's row lock; {@code onRollback} receives what
     * undoes it, to run if the caller's transaction does not commit.
     */
    public Batch next(String owner, String sessionId, Collection<String> liveSessions, int max, OfflineLeases leases,
            Consumer<Runnable> onRollback) {
        return next(owner, sessionId, liveSessions, max, leases, List::of, onRollback);
    }

    /**
     * As {@link #next(String, String, Collection, int, OfflineLeases, Consumer)}, also skipping what sessions of the
     * platform on other cluster nodes hold: {@code elsewhere} is asked once the queue row is locked (their leases,
     * too, change only under that lock).
     */
    public Batch next(String owner, String sessionId, Collection<String> liveSessions, int max, OfflineLeases leases,
            java.util.function.Supplier<List<OfflineLeases.Range>> elsewhere, Consumer<Runnable> onRollback) {
        OfflineQueueEntity q = lock(owner);
        if (q == null || q.messageCount == 0) {
            return new Batch(List.of(), false);
        }
        List<OfflineLeases.Range> others = leases.heldByOthers(owner, sessionId, liveSessions);
        List<OfflineLeases.Range> remote = elsewhere.get();
        if (!remote.isEmpty()) {
            others = new ArrayList<>(others);
            others.addAll(remote);
            others.sort((a, b) -> Long.compare(a.first(), b.first()));
        }
        long cursor = leases.after(owner, sessionId);
        Instant now = clock.instant();
        List<OfflineMessageEntity> out = new ArrayList<>(max);
        List<OfflineLeases.Range> ranges = new ArrayList<>();
        long first = -1;
        long last = -1;
        boolean continuesLast = true; // no message held by another session lies between the last lease and this one
        boolean more = false;
        int expired = 0;
        while (!more) {
            int want = max - out.size() + 1; // one more than fits tells whether more wait
            List<OfflineMessageEntity> rows = em.createNamedQuery(OfflineMessageEntity.NEXT, OfflineMessageEntity.class)
                    .setParameter("owner", owner).setParameter("after", cursor).setHint(READ_ONLY, true)
                    .setMaxResults(want).getResultList();
            OfflineLeases.Range held = null;
            for (OfflineMessageEntity m : rows) {
                if (out.size() == max) {
                    more = true;
                    break;
                }
                held = heldBy(others, m.seq);
                if (held != null) { // another live session has these: go on after them
                    if (first >= 0) {
                        ranges.add(new OfflineLeases.Range(first, last));
                        first = -1;
                    } else if (out.isEmpty()) {
                        continuesLast = false;
                    }
                    cursor = held.last();
                    break;
                }
                cursor = m.seq;
                if (m.expiresAt != null && m.expiresAt.isBefore(now)) {
                    remove(q, m);
                    expired++;
                    continue;
                }
                if (first < 0) {
                    first = m.seq;
                }
                last = m.seq;
                out.add(m);
            }
            if (held == null && rows.size() < want) {
                break; // the queue has no more
            }
        }
        if (first >= 0) {
            ranges.add(new OfflineLeases.Range(first, last));
        }
        onRollback.accept(leases.lease(owner, sessionId, ranges, continuesLast));
        if (expired > 0) {
            q.expiredTotal += expired;
            LOG.infof("GRID0404: %d stored messages for %s expired before delivery", expired, owner);
            audit.system("offline.expired", owner, "ok", expired + " messages");
        }
        return new Batch(out, more);
    }

    private static OfflineLeases.Range heldBy(List<OfflineLeases.Range> ranges, long seq) {
        for (OfflineLeases.Range r : ranges) {
            if (r.contains(seq)) {
                return r;
            }
        }
        return null;
    }

    /** Removes messages whose delivery was confirmed; ids of other platforms or already gone are ignored. */
    public int confirm(String owner, long[] ids) {
        OfflineQueueEntity q = lock(owner);
        if (q == null) {
            return 0;
        }
        int removed = 0;
        for (int from = 0; from < ids.length; from += 500) {
            List<Long> chunk = new ArrayList<>(Math.min(500, ids.length - from));
            for (int i = from; i < Math.min(ids.length, from + 500); i++) {
                chunk.add(ids[i]);
            }
            Object[] size = em.createNamedQuery(OfflineMessageEntity.SIZE_OF_IDS, Object[].class).setParameter("owner", owner)
                    .setParameter("ids", chunk).getSingleResult();
            int n = em.createNamedQuery(OfflineMessageEntity.DELETE_IDS).setParameter("owner", owner)
                    .setParameter("ids", chunk).executeUpdate();
            // the queue row is locked: nothing removed these rows between the count and the delete
            q.messageCount = Math.max(0, q.messageCount - n);
            q.totalBytes = Math.max(0, q.totalBytes - ((Number) size[1]).longValue());
            removed += n;
        }
        return removed;
    }

    /** Removes every expired message (the periodic sweep); returns how many. */
    public int expire() {
        Instant now = clock.instant();
        int total = 0;
        for (String owner : em.createNamedQuery(OfflineMessageEntity.EXPIRED_OWNERS, String.class)
                .setParameter("now", now).getResultList()) {
            OfflineQueueEntity q = lock(owner);
            if (q == null) {
                continue;
            }
            int n = 0;
            for (OfflineMessageEntity m : em.createNamedQuery(OfflineMessageEntity.EXPIRED, OfflineMessageEntity.class)
                    .setParameter("owner", owner).setParameter("now", now).getResultList()) {
                remove(q, m);
                n++;
            }
            q.expiredTotal += n;
            total += n;
            LOG.infof("GRID0404: %d stored messages for %s expired (older than %s)", n, owner, settings.maxAge());
            audit.system("offline.expired", owner, "ok", n + " messages older than " + settings.maxAge());
        }
        return total;
    }

    private void remove(OfflineQueueEntity q, OfflineMessageEntity m) {
        q.messageCount = Math.max(0, q.messageCount - 1);
        q.totalBytes = Math.max(0, q.totalBytes - m.sizeBytes);
        em.remove(m);
    }
}
