package io.xmppgrid.ejb.pubsub;

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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The subscriber list of each Topic, kept in memory so that fan-out reads no rows. A change
 * invalidates the entry at once and again after its transaction ends, so a reader that loaded
 * the old rows in between cannot leave a stale entry behind. (The cluster issue replaces the map
 * with a replicated Infinispan cache.)
 */
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class SubscriberCache {

    private final Map<String, List<Subscription>> byNode = new ConcurrentHashMap<>();

    @Resource
    private TransactionSynchronizationRegistry tsr;

    public List<Subscription> subscribers(String node, Supplier<List<Subscription>> loader) {
        List<Subscription> cached = byNode.get(node);
        if (cached != null) {
            return cached;
        }
        List<Subscription> loaded = List.copyOf(loader.get());
        if (tsr.getTransactionKey() == null || tsr.getResource(this) == null) {
            byNode.put(node, loaded); // not while this transaction has changes of its own pending
        }
        return loaded;
    }

    public void invalidate(String node) {
        byNode.remove(node);
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
                    byNode.remove(node);
                }
            });
        }
    }
}
