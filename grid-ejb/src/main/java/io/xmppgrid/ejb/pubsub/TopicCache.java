package io.xmppgrid.ejb.pubsub;

import io.xmppgrid.core.pubsub.Node;
import io.xmppgrid.core.pubsub.Subscription;
import io.xmppgrid.ejb.cluster.ClusterBus;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What every publish to a Topic reads, kept in memory so that it reads no rows: the Topic with its
 * configuration and affiliations, and its subscriber list (at 1,000 subscribers, loading both was
 * a tenth of a publish's cost). A change invalidates the Topic's entries at once and again after
 * its transaction ends; a reader that loaded rows while an invalidation happened drops what it
 * cached, so no stale entry outlives a change. In a cluster the other nodes are fenced around the change
 * ({@link ClusterBus#fenceTopic}): none caches the Topic from before the commit until after it.
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class TopicCache {

    private final Map<String, List<Subscription>> subscribers = new ConcurrentHashMap<>();
    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    /** Counts invalidations: a load that saw one start after it began is not kept. */
    private final AtomicLong invalidations = new AtomicLong();

    private static final int FENCE_SECONDS = 30;

    /** Topic → fences other nodes raised on it (fence id → expiry, nanoTime). */
    private final Map<String, Map<String, Long>> fences = new ConcurrentHashMap<>();

    @Resource
    private TransactionSynchronizationRegistry tsr;

    @EJB
    private ClusterBus cluster;

    public List<Subscription> subscribers(String node, Supplier<List<Subscription>> loader) {
        List<Subscription> cached = changing(node) ? null : subscribers.get(node);
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
        Node cached = changing(node) ? null : nodes.get(node);
        if (cached != null) {
            return Optional.of(cached);
        }
        long before = invalidations.get();
        Optional<Node> loaded = loader.get();
        loaded.ifPresent(n -> keep(nodes, node, n, before));
        return loaded;
    }

    /**
     * This transaction has changed Topics (it reads its own changes from the database and caches nothing), or
     * another node is committing a change of this Topic (fenced).
     */
    private boolean changing(String node) {
        return (tsr.getTransactionKey() != null && tsr.getResource(this) != null) || fenced(node);
    }

    private boolean fenced(String node) {
        Map<String, Long> f = fences.get(node);
        if (f == null) {
            return false;
        }
        long now = System.nanoTime();
        f.values().removeIf(expiry -> expiry - now < 0);
        return !f.isEmpty();
    }

    /**
     * Another node raises a fence on a Topic before it commits a change of it, and lowers it after: while a fence
     * stands, this node reads the Topic from the database at every publish; both drop what was cached. A fence
     * not lowered (its node died) expires after {@value #FENCE_SECONDS} s.
     */
    public void fence(String node, String fence, boolean raise) {
        if (raise) {
            fences.computeIfAbsent(node, k -> new ConcurrentHashMap<>())
                    .put(fence, System.nanoTime() + TimeUnit.SECONDS.toNanos(FENCE_SECONDS));
        } else {
            fences.computeIfPresent(node, (k, f) -> {
                f.remove(fence);
                return f.isEmpty() ? null : f;
            });
        }
        drop(node);
    }

    private void drop(String node) {
        invalidations.incrementAndGet(); // before the removal: see keep()
        subscribers.remove(node);
        nodes.remove(node);
    }

    private <T> void keep(Map<String, T> map, String node, T value, long before) {
        if (changing(node)) {
            return;
        }
        map.put(node, value);
        if (invalidations.get() != before) {
            map.remove(node); // an invalidation ran meanwhile: what was loaded may predate it
        }
    }

    public void invalidate(String node) {
        drop(node);
        cluster.fenceTopic(node); // the other nodes of a cluster
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
                    drop(node);
                }
            });
        }
    }
}
