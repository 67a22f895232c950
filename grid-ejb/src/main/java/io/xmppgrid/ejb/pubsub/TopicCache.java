package io.xmppgrid.ejb.pubsub;

import io.xmppgrid.core.pubsub.Node;
import io.xmppgrid.core.pubsub.Subscription;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What every publish to a Topic reads, kept in memory so that it reads no rows: the Topic with its
 * configuration and affiliations, and its subscriber list (at 1,000 subscribers, loading both was
 * a tenth of a publish's cost). A change invalidates the Topic's entries at once and again after
 * its transaction ends; a reader that loaded rows while an invalidation happened drops what it
 * cached, so no stale entry outlives a change. (The cluster issue replaces the maps with
 * replicated Infinispan caches.)
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class TopicCache {

    private final Map<String, List<Subscription>> subscribers = new ConcurrentHashMap<>();
    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    /** Counts invalidations: a load that saw one start after it began is not kept. */
    private final AtomicLong invalidations = new AtomicLong();

    @Resource
    private TransactionSynchronizationRegistry tsr;

    public List<Subscription> subscribers(String node, Supplier<List<Subscription>> loader) {
        List<Subscription> cached = changing() ? null : subscribers.get(node);
        if (cached != null) {
            return cached;
        }
        long before = invalidations.get();
        List<Subscription> loaded = List.copyOf(loader.get());
        keep(subscribers, node, loaded, before);
        return loaded;
    }

    /** The Topic as stored (Node is immutable); absent Topics are not cached. */
    public Optional<Node> node(String node, Supplier<Optional<Node>> loader) {
        Node cached = changing() ? null : nodes.get(node);
        if (cached != null) {
            return Optional.of(cached);
        }
        long before = invalidations.get();
        Optional<Node> loaded = loader.get();
        loaded.ifPresent(n -> keep(nodes, node, n, before));
        return loaded;
    }

    /** This transaction has changed Topics: it reads its own changes from the database and caches nothing. */
    private boolean changing() {
        return tsr.getTransactionKey() != null && tsr.getResource(this) != null;
    }

    private <T> void keep(Map<String, T> map, String node, T value, long before) {
        if (changing()) {
            return;
        }
        map.put(node, value);
        if (invalidations.get() != before) {
            map.remove(node); // an invalidation ran meanwhile: what was loaded may predate it
        }
    }

    public void invalidate(String node) {
        invalidations.incrementAndGet(); // before the removal: see keep()
        subscribers.remove(node);
        nodes.remove(node);
        if (tsr.getTransactionKey() != null && tsr.getTransactionStatus() == Status.STATUS_ACTIVE) {
            if (tsr.getResource(this) == null) {
                tsr.putResource(this, Boolean.TRUE);
            }
            tsr.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                    // nothing to do before the outcome
                }

                @Override
                public void afterCompletion(int status) {
                    invalidations.incrementAndGet();
                    subscribers.remove(node);
                    nodes.remove(node);
                }
            });
        }
    }
}
