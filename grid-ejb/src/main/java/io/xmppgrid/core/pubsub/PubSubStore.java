package io.xmppgrid.core.pubsub;

import io.xmppgrid.xmpp.Jid;
import java.util.List;
import java.util.Optional;

/**
 * Where nodes, affiliations, subscriptions and items live. The JPA implementation runs inside
 * the caller's transaction; the in-memory one serves the core's tests.
 */
public interface PubSubStore {

    Optional<Node> node(String id);

    /**
     * Takes the node's write lock until the end of the transaction, so that changes to one node
     * (publish, retract, purge) commit one after the other, in the order their items were numbered.
     */
    void lock(String id);

    void createNode(Node node);

    void updateNode(Node node);

    void deleteNode(String id);

    /** Nodes in creation order, paged. */
    Page<Node> nodes(PageRequest page);

    /** The nodes a bare JID owns or created: what counts against its limit of nodes. */
    int countNodesOwnedBy(Jid owner);

    /** The affiliations (other than none) of a bare JID, by node id. */
    java.util.Map<String, Affiliation> affiliationsOf(Jid jid);

    Optional<Subscription> subscription(String node, Jid jid);

    /** Every subscription of a node (fan-out reads these; the production store caches them). */
    List<Subscription> subscriptions(String node);

    /** Every subscription of an address, across nodes. */
    List<Subscription> subscriptionsOf(Jid jid);

    void saveSubscription(Subscription s);

    void deleteSubscription(String node, Jid jid);

    /** Stores an item (replacing one with the same id) and returns it with its sequence number. */
    Item saveItem(String node, Item item);

    Optional<Item> item(String node, String itemId);

    boolean deleteItem(String node, String itemId);

    /** Deletes all items of a node; returns how many. */
    int purge(String node);

    /**
     * Deletes the oldest items beyond {@code keep} items, and then while the items' payload bytes exceed
     * {@code keepBytes}; returns the ids removed.
     */
    List<String> trim(String node, int keep, long keepBytes);

    /** Items oldest first, paged. */
    Page<Item> items(String node, PageRequest page);

    Optional<Item> lastItem(String node);
}
