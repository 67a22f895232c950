package io.xmppgrid.core.pubsub;

import io.xmppgrid.core.pubsub.PubSubEvent.ApprovalRequested;
import io.xmppgrid.core.pubsub.PubSubEvent.ItemPublished;
import io.xmppgrid.core.pubsub.PubSubEvent.ItemsRetracted;
import io.xmppgrid.core.pubsub.PubSubEvent.LastItemSent;
import io.xmppgrid.core.pubsub.PubSubEvent.NodeDeleted;
import io.xmppgrid.core.pubsub.PubSubEvent.NodePurged;
import io.xmppgrid.core.pubsub.PubSubEvent.SubscriptionChanged;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The XEP-0060 publish-subscribe service of RFC 8600 (§5–§6), as plain Java. Every operation is
 * {@code op(node, actor, ...)} and returns a {@link Result}; every mutation checks, changes,
 * saves, then emits its events. Storage, broadcasting, payload validation and platform policy
 * are injected.
 */
public final class PubSubService {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final PubSubStore store;
    private final Broadcaster broadcaster;
    private final ServiceSettings settings;
    private final PayloadValidator validator;
    private final ActorPolicy policy;
    private final Clock clock;

    public PubSubService(PubSubStore store, Broadcaster broadcaster, ServiceSettings settings,
                         PayloadValidator validator, ActorPolicy policy, Clock clock) {
        this.store = store;
        this.broadcaster = broadcaster;
        this.settings = settings;
        this.validator = validator;
        this.policy = policy;
        this.clock = clock;
    }

    public ServiceSettings settings() {
        return settings;
    }

    public NodeConfig defaultConfig() {
        return NodeConfig.defaults(settings.defaultAccessModel(), settings.defaultMaxItems());
    }

    // ------------------------------------------------------------------ nodes

    /** XEP-0060 §8.1: creates a node ({@code id} null: an instant node with a generated id). */
    public Result<Node> create(String id, Jid actor, NodeConfig requested) {
        String nodeId = id == null ? newId("topic-") : id;
        if (nodeId.isEmpty() || nodeId.length() > 255) {
            return Result.fail(PubSubError.BAD_REQUEST, "node id must be 1 to 255 characters");
        }
        NodeConfig cfg = requested == null ? defaultConfig() : requested;
        Result<Void> valid = validate(cfg);
        if (!valid.isOk()) {
            return valid.cast();
        }
        String refused = policy.refuses(actor, ActorPolicy.Action.CREATE, nodeId, cfg.payloadType(), true);
        if (refused != null) {
            return Result.fail(PubSubError.FORBIDDEN, refused);
        }
        if (store.node(nodeId).isPresent()) {
            return Result.fail(PubSubError.NODE_EXISTS, "node " + nodeId + " exists");
        }
        if (store.countNodesOwnedBy(actor.bare()) >= settings.maxNodesPerOwner()) {
            return Result.fail(PubSubError.TOO_MANY_NODES, actor.bare() + " owns " + settings.maxNodesPerOwner() + " nodes");
        }
        Node node = new Node(nodeId, cfg, actor.bare(), clock.instant(), Map.of(actor.bare(), Affiliation.OWNER));
        store.createNode(node);
        return Result.ok(node);
    }

    private Result<Void> validate(NodeConfig cfg) {
        if (cfg.accessModel() == null) {
            return Result.fail(PubSubError.UNSUPPORTED_ACCESS_MODEL, "only authorize and whitelist are supported");
        }
        if (cfg.maxItems() > settings.maxItemsLimit()) {
            return Result.fail(PubSubError.INVALID_CONFIGURATION, "max_items above " + settings.maxItemsLimit());
        }
        return Result.ok(null);
    }

    public Result<Node> node(String id, Jid actor) {
        return store.node(id).<Result<Node>>map(Result::ok)
                .orElseGet(() -> Result.fail(PubSubError.NODE_NOT_FOUND, "no node " + id));
    }

    /** Nodes for service discovery (RFC 8600 §6), paged (§8.3.4). */
    public Result<Page<Node>> nodes(Jid actor, PageRequest page) {
        return Result.ok(store.nodes(capped(page)));
    }

    /** XEP-0060 §8.2: the configuration, for owners. */
    public Result<NodeConfig> configuration(String id, Jid actor) {
        Result<Node> n = owned(id, actor, Capability.CONFIGURE);
        return n.isOk() ? Result.ok(n.value().config()) : n.cast();
    }

    /** XEP-0060 §8.2.5: changes the configuration. */
    public Result<Node> configure(String id, Jid actor, NodeConfig cfg) {
        Result<Node> n = owned(id, actor, Capability.CONFIGURE);
        if (!n.isOk()) {
            return n;
        }
        Result<Void> valid = validate(cfg);
        if (!valid.isOk()) {
            return valid.cast();
        }
        String refused = policy.refuses(actor, ActorPolicy.Action.CONFIGURE, id, cfg.payloadType(), true);
        if (refused != null) {
            return Result.fail(PubSubError.FORBIDDEN, refused);
        }
        Node updated = n.value().withConfig(cfg);
        store.updateNode(updated);
        if (cfg.maxItems() < n.value().config().maxItems()) {
            store.trim(id, cfg.maxItems(), settings.maxTopicBytes());
        }
        return Result.ok(updated);
    }

    /** XEP-0060 §8.4: deletes the node; subscribers are told when notify_delete is on. */
    public Result<Void> delete(String id, Jid actor) {
        Result<Node> n = owned(id, actor, Capability.DELETE);
        if (!n.isOk()) {
            return n.cast();
        }
        String refused = policy.refuses(actor, ActorPolicy.Action.DELETE, id, n.value().config().payloadType(), true);
        if (refused != null) {
            return Result.fail(PubSubError.FORBIDDEN, refused);
        }
        List<Subscription> recipients = recipients(n.value());
        store.deleteNode(id);
        if (n.value().config().notifyDelete()) {
            broadcaster.emit(new NodeDeleted(n.value(), recipients));
        }
        return Result.ok(null);
    }

    /** XEP-0060 §8.5: removes every item. */
    public Result<Integer> purge(String id, Jid actor) {
        Result<Node> n = owned(id, actor, Capability.PURGE);
        if (!n.isOk()) {
            return n.cast();
        }
        // removing every item is managing the Topic (issue 19 §2: a publisher's template that grants only PUBLISH,
        // or PUBLISH and RETRACT, does not let it wipe the Topic)
        String refused = policy.refuses(actor, ActorPolicy.Action.MANAGE, id, n.value().config().payloadType(),
                n.value().affiliationOf(actor) == Affiliation.OWNER);
        if (refused != null) {
            return Result.fail(PubSubError.FORBIDDEN, refused);
        }
        int removed = store.purge(id);
        if (n.value().config().notifyRetract()) {
            broadcaster.emit(new NodePurged(n.value(), recipients(n.value())));
        }
        return Result.ok(removed);
    }

    // ------------------------------------------------------------------ items

    /**
     * XEP-0060 §7.1: publishes {@code payload} as item {@code itemId} (null: generated). The
     * payload's root namespace must be the node's pubsub#type, and it must pass the validator.
     * {@code preconditions} are publish-options (§7.1.5): each must equal the node's setting.
     */
    public Result<Item> publish(String id, Jid actor, String itemId, XmlElement payload, int payloadBytes,
                                Map<String, List<String>> preconditions) {
        return publish(id, actor, payload != null || itemId != null, itemId, payload, payloadBytes, preconditions);
    }

    /**
     * XEP-0060 §7.1.3.6: on a transient notification-only node (persist_items and deliver_payloads
     * both off) a publish carries no payload, possibly no item at all; on every other node an item
     * with exactly one payload is required.
     */
    public Result<Item> publish(String id, Jid actor, boolean hasItem, String itemId, XmlElement payload, int payloadBytes,
                                Map<String, List<String>> preconditions) {
        Optional<Node> found = store.node(id);
        if (found.isEmpty()) {
            return Result.fail(PubSubError.NODE_NOT_FOUND, "no node " + id);
        }
        Node node = found.get();
        NodeConfig cfg = node.config();
        if (!node.may(actor, Capability.PUBLISH)) {
            return Result.fail(PubSubError.FORBIDDEN, actor.bare() + " is " + node.affiliationOf(actor).wireName() + " on " + id);
        }
        String refused = policy.refuses(actor, ActorPolicy.Action.PUBLISH, id, cfg.payloadType(),
                node.affiliationOf(actor) == Affiliation.OWNER);
        if (refused != null) {
            return Result.fail(PubSubError.FORBIDDEN, refused);
        }
        if (preconditions != null && !preconditions.isEmpty() && !NodeConfigForm.matches(cfg, preconditions)) {
            return Result.fail(PubSubError.PRECONDITION_NOT_MET, "publish-options do not match the node configuration");
        }
        boolean notificationOnly = !cfg.persistItems() && !cfg.deliverPayloads();
        if (notificationOnly) {
            if (payload != null) {
                return Result.fail(PubSubError.ITEM_FORBIDDEN, "node " + id + " is notification-only");
            }
        } else if (!hasItem) {
            return Result.fail(PubSubError.ITEM_REQUIRED, "node " + id + " needs an item");
        } else if (payload == null) {
            return Result.fail(PubSubError.PAYLOAD_REQUIRED, "node " + id + " needs a payload");
        }
        if (payload != null) {
            if (payloadBytes > settings.maxPayloadBytes()) {
                return Result.fail(PubSubError.PAYLOAD_TOO_BIG, payloadBytes + " bytes, limit " + settings.maxPayloadBytes());
            }
            if (cfg.payloadType() != null && !cfg.payloadType().equals(payload.namespace())) {
                return Result.fail(PubSubError.INVALID_PAYLOAD, "payload namespace " + payload.namespace()
                        + " is not the node's type " + cfg.payloadType());
            }
            String problem = validator.problem(cfg.payloadType(), payload);
            if (problem != null) {
                return Result.fail(PubSubError.INVALID_PAYLOAD, problem);
            }
        }
        if (itemId != null && (itemId.isEmpty() || itemId.length() > 255)) {
            return Result.fail(PubSubError.BAD_REQUEST, "item id must be 1 to 255 characters");
        }
        Item item = new Item(itemId == null ? newId("") : itemId, actor.bare(), payload, clock.instant(), payloadBytes, 0);
        store.lock(id); // publishes to one node commit in the order of their sequence numbers
        if (cfg.persistItems()) {
            item = store.saveItem(id, item);
            store.trim(id, cfg.maxItems(), settings.maxTopicBytes());
        }
        if (cfg.deliverNotifications()) {
            broadcaster.emit(new ItemPublished(node, item, recipients(node)));
        }
        return Result.ok(item);
    }

    /** XEP-0060 §7.2: retracts an item; subscribers are told when asked and notify_retract is on. */
    public Result<Void> retract(String id, Jid actor, String itemId, boolean notify) {
        Optional<Node> found = store.node(id);
        if (found.isEmpty()) {
            return Result.fail(PubSubError.NODE_NOT_FOUND, "no node " + id);
        }
        Node node = found.get();
        if (itemId == null || itemId.isEmpty()) {
            return Result.fail(PubSubError.ITEM_REQUIRED, "no item id");
        }
        Optional<Item> item = store.item(id, itemId);
        if (item.isEmpty()) {
            return Result.fail(PubSubError.ITEM_NOT_FOUND, "no item " + itemId);
        }
        boolean own = item.get().publisher().equals(actor.bare());
        if (!node.may(actor, Capability.RETRACT_ANY) && !(own && node.may(actor, Capability.RETRACT_OWN))) {
            return Result.fail(PubSubError.FORBIDDEN, actor.bare() + " may not retract " + itemId);
        }
        String refused = policy.refuses(actor, ActorPolicy.Action.RETRACT, id, node.config().payloadType(),
                node.affiliationOf(actor) == Affiliation.OWNER);
        if (refused != null) {
            return Result.fail(PubSubError.FORBIDDEN, refused);
        }
        store.lock(id);
        store.deleteItem(id, itemId);
        if (notify && node.config().notifyRetract()) {
            broadcaster.emit(new ItemsRetracted(node, List.of(itemId), recipients(node)));
        }
        return Result.ok(null);
    }

    /**
     * XEP-0060 §6.5: items for a subscriber or an affiliated platform. {@code ids} non-empty asks for
     * those items; {@code lastN} non-null for the N most recent (max_items); otherwise one page.
     */
    public Result<Page<Item>> items(String id, Jid actor, List<String> ids, Integer lastN, PageRequest page) {
        Result<Node> access = readable(id, actor);
        if (!access.isOk()) {
            return access.cast();
        }
        if (ids != null && !ids.isEmpty()) {
            if (ids.size() > settings.maxPageSize()) {
                return Result.fail(PubSubError.TOO_MANY_ITEMS_REQUESTED, ids.size() + " ids requested");
            }
            // the reply carries at most maxPageBytes of payload (issue 18 §10), at least one item: the requester asks
            // again for the ids that did not come
            List<Item> out = new ArrayList<>();
            long bytes = 0;
            for (String itemId : ids) {
                Optional<Item> item = store.item(id, itemId);
                if (item.isPresent()) {
                    bytes += item.get().sizeBytes();
                    if (!out.isEmpty() && bytes > settings.maxPageBytes()) {
                        break;
                    }
                    out.add(item.get());
                }
            }
            return Result.ok(new Page<>(out, out.size(), 0, null, null));
        }
        if (lastN != null) {
            if (lastN < 1) {
                return Result.fail(PubSubError.BAD_REQUEST, "max_items must be positive");
            }
            return Result.ok(store.items(id, new PageRequest(Math.min(lastN, settings.maxPageSize()), null, null, true, null)));
        }
        return Result.ok(store.items(id, capped(page)));
    }

    private Result<Node> readable(String id, Jid actor) {
        Optional<Node> found = store.node(id);
        if (found.isEmpty()) {
            return Result.fail(PubSubError.NODE_NOT_FOUND, "no node " + id);
        }
        Node node = found.get();
        Affiliation a = node.affiliationOf(actor);
        if (a == Affiliation.OUTCAST) {
            return Result.fail(PubSubError.FORBIDDEN, actor.bare() + " is an outcast of " + id);
        }
        String refused = policy.refuses(actor, ActorPolicy.Action.RETRIEVE, id, node.config().payloadType(),
                a == Affiliation.OWNER);
        if (refused != null) {
            return Result.fail(PubSubError.FORBIDDEN, refused);
        }
        if (node.may(actor, Capability.GET_ITEMS)) {
            return Result.ok(node);
        }
        if (node.config().accessModel() == AccessModel.WHITELIST) {
            return Result.fail(PubSubError.CLOSED_NODE, actor.bare() + " is not on the whitelist of " + id);
        }
        Optional<Subscription> sub = store.subscription(id, actor.bare());
        if (sub.isEmpty()) {
            sub = store.subscription(id, actor);
        }
        if (sub.isPresent() && sub.get().state() == Subscription.State.SUBSCRIBED) {
            return Result.ok(node);
        }
        if (sub.isPresent() && sub.get().state() == Subscription.State.PENDING) {
            return Result.fail(PubSubError.PENDING_SUBSCRIPTION, "the subscription of " + actor.bare() + " awaits approval");
        }
        return Result.fail(PubSubError.SUBSCRIPTION_REQUIRED, actor.bare() + " is not subscribed to " + id);
    }

    // ------------------------------------------------------------------ subscriptions

    /**
     * XEP-0060 §6.1: subscribes {@code jid}. authorize: unaffiliated platforms become pending and every
     * owner is asked (§8.6); whitelist: only affiliated platforms may subscribe.
     */
    public Result<Subscription> subscribe(String id, Jid actor, Jid jid) {
        Optional<Node> found = store.node(id);
        if (found.isEmpty()) {
            return Result.fail(PubSubError.NODE_NOT_FOUND, "no node " + id);
        }
        Node node = found.get();
        if (!jid.bare().equals(actor.bare()) && !node.may(actor, Capability.SUBSCRIBE_OTHER)) {
            return Result.fail(PubSubError.INVALID_JID, actor.bare() + " may not subscribe " + jid);
        }
        Affiliation a = node.affiliationOf(jid);
        if (a == Affiliation.OUTCAST || !AccessControl.may(a, node.config().overrides(), Capability.BE_SUBSCRIBED)) {
            return Result.fail(PubSubError.FORBIDDEN, jid.bare() + " may not be subscribed to " + id);
        }
        if (!node.may(actor, Capability.SUBSCRIBE) && !node.may(actor, Capability.SUBSCRIBE_OTHER)) {
            return Result.fail(PubSubError.FORBIDDEN, actor.bare() + " may not subscribe");
        }
        String refused = policy.refuses(jid, ActorPolicy.Action.SUBSCRIBE, id, node.config().payloadType(), a == Affiliation.OWNER);
        if (refused != null) {
            return Result.fail(PubSubError.FORBIDDEN, refused);
        }
        boolean affiliated = a == Affiliation.OWNER || a == Affiliation.PUBLISHER || a == Affiliation.MEMBER;
        if (node.config().accessModel() == AccessModel.WHITELIST && !affiliated) {
            return Result.fail(PubSubError.CLOSED_NODE, jid.bare() + " is not on the whitelist of " + id);
        }
        Optional<Subscription> existing = store.subscription(id, jid);
        if (existing.isPresent() && existing.get().state() == Subscription.State.PENDING) {
            // XEP-0060 §6.1.3.7: "If the requesting entity has a pending subscription, the service MUST
            // return a <not-authorized/> error to the subscriber, specifying a pubsub-specific error
            // condition of <pending-subscription/>."
            return Result.fail(PubSubError.PENDING_SUBSCRIPTION, jid + " already awaits approval for " + id);
        }
        if (existing.isPresent() && existing.get().state() != Subscription.State.NONE) {
            return Result.ok(existing.get());
        }
        boolean approved = affiliated || node.may(actor, Capability.SUBSCRIBE_OTHER) && !jid.bare().equals(actor.bare());
        Subscription sub = new Subscription(id, jid, approved ? Subscription.State.SUBSCRIBED : Subscription.State.PENDING,
                newId("sub-"));
        store.saveSubscription(sub);
        if (sub.state() == Subscription.State.PENDING) {
            broadcaster.emit(new ApprovalRequested(node, sub, owners(node)));
        } else {
            sendLastItem(node, sub);
        }
        return Result.ok(sub);
    }

    /** XEP-0060 §6.2: removes a subscription. */
    public Result<Void> unsubscribe(String id, Jid actor, Jid jid) {
        Optional<Node> found = store.node(id);
        if (found.isEmpty()) {
            return Result.fail(PubSubError.NODE_NOT_FOUND, "no node " + id);
        }
        Node node = found.get();
        if (!jid.bare().equals(actor.bare()) && !node.may(actor, Capability.SUBSCRIBE_OTHER)) {
            return Result.fail(PubSubError.FORBIDDEN, actor.bare() + " may not unsubscribe " + jid);
        }
        if (store.subscription(id, jid).isEmpty()) {
            return Result.fail(PubSubError.NOT_SUBSCRIBED, jid + " is not subscribed to " + id);
        }
        store.deleteSubscription(id, jid);
        return Result.ok(null);
    }

    /** XEP-0060 §5.6: the actor's own subscriptions (all nodes when {@code id} is null). */
    public Result<List<Subscription>> subscriptionsOf(String id, Jid actor) {
        List<Subscription> out = new ArrayList<>();
        for (Subscription s : store.subscriptionsOf(actor.bare())) {
            if (id == null || s.node().equals(id)) {
                out.add(s);
            }
        }
        if (!actor.isBare()) {
            for (Subscription s : store.subscriptionsOf(actor)) {
                if (id == null || s.node().equals(id)) {
                    out.add(s);
                }
            }
        }
        return Result.ok(out);
    }

    /** XEP-0060 §8.8.1: every subscription of a node, for owners. */
    public Result<List<Subscription>> subscriptions(String id, Jid actor) {
        Result<Node> n = managed(id, actor, Capability.GET_SUBSCRIPTIONS);
        return n.isOk() ? Result.ok(store.subscriptions(id)) : n.cast();
    }

    /** An owner operation: the affiliation's capability, and the owner's template grants MANAGE (issue 19 §2). */
    private Result<Node> managed(String id, Jid actor, Capability c) {
        Result<Node> n = owned(id, actor, c);
        if (!n.isOk()) {
            return n;
        }
        String refused = policy.refuses(actor, ActorPolicy.Action.MANAGE, id, n.value().config().payloadType(),
                n.value().affiliationOf(actor) == Affiliation.OWNER);
        return refused == null ? n : Result.fail(PubSubError.FORBIDDEN, refused);
    }

    /**
     * XEP-0060 §8.8.2 and §8.6: sets subscription states; approving a pending one subscribes it,
     * {@code none} removes it. The subscriber is told either way.
     */
    public Result<Void> setSubscriptions(String id, Jid actor, Map<Jid, Subscription.State> changes) {
        Result<Node> n = managed(id, actor, Capability.SET_SUBSCRIPTIONS);
        return n.isOk() ? applySubscriptions(n.value(), changes) : n.cast();
    }

    /**
     * An administrator of the grid (RFC 8600 §8.3.2, the console) approves, denies or changes
     * subscriptions of any Topic, with the same effects as its owner (XEP-0060 §8.6, §8.8.2).
     */
    public Result<Void> administerSubscriptions(String id, Map<Jid, Subscription.State> changes) {
        Optional<Node> found = store.node(id);
        return found.isPresent() ? applySubscriptions(found.get(), changes)
                : Result.fail(PubSubError.NODE_NOT_FOUND, "no node " + id);
    }

    private Result<Void> applySubscriptions(Node node, Map<Jid, Subscription.State> changes) {
        String id = node.id();
        List<PubSubEvent> events = new ArrayList<>();
        for (Map.Entry<Jid, Subscription.State> c : changes.entrySet()) {
            Jid jid = c.getKey();
            Optional<Subscription> existing = store.subscription(id, jid);
            if (c.getValue() == Subscription.State.NONE) {
                if (existing.isPresent()) {
                    store.deleteSubscription(id, jid);
                    events.add(new SubscriptionChanged(node, existing.get().withState(Subscription.State.NONE)));
                }
                continue;
            }
            if (node.affiliationOf(jid) == Affiliation.OUTCAST) {
                return Result.fail(PubSubError.NOT_ACCEPTABLE, jid + " is an outcast");
            }
            if (c.getValue() == Subscription.State.SUBSCRIBED) {
                // an owner (or an administrator) approves only a subscriber whose own template lets it subscribe
                String refused = policy.refuses(jid, ActorPolicy.Action.SUBSCRIBE, id, node.config().payloadType(),
                        node.affiliationOf(jid) == Affiliation.OWNER);
                if (refused != null) {
                    return Result.fail(PubSubError.NOT_ACCEPTABLE, refused);
                }
            }
            Subscription s = existing.orElse(new Subscription(id, jid, Subscription.State.NONE, newId("sub-")))
                    .withState(c.getValue());
            store.saveSubscription(s);
            if (existing.isEmpty() || existing.get().state() != s.state()) {
                events.add(new SubscriptionChanged(node, s));
                if (s.state() == Subscription.State.SUBSCRIBED) {
                    store.lastItem(id).filter(i -> node.config().sendLastPublishedItem() == NodeConfig.SendLastPublished.ON_SUB)
                            .ifPresent(i -> events.add(new LastItemSent(node, i, s)));
                }
            }
        }
        events.forEach(broadcaster::emit);
        return Result.ok(null);
    }

    // ------------------------------------------------------------------ affiliations

    /** XEP-0060 §8.9.1: affiliations of a node, for owners. */
    public Result<Map<Jid, Affiliation>> affiliations(String id, Jid actor) {
        Result<Node> n = managed(id, actor, Capability.GET_AFFILIATIONS);
        return n.isOk() ? Result.ok(n.value().affiliations()) : n.cast();
    }

    /** XEP-0060 §8.9.2: changes affiliations; a node keeps at least one owner; outcasts lose their subscription. */
    public Result<Void> setAffiliations(String id, Jid actor, Map<Jid, Affiliation> changes) {
        Result<Node> n = owned(id, actor, Capability.SET_AFFILIATIONS);
        if (!n.isOk()) {
            return n.cast();
        }
        String refused = policy.refuses(actor, ActorPolicy.Action.MANAGE, id, n.value().config().payloadType(), true);
        if (refused != null) {
            return Result.fail(PubSubError.FORBIDDEN, refused);
        }
        return applyAffiliations(n.value(), changes);
    }

    /** An administrator of the grid changes affiliations on any Topic, under the same rules as its owners. */
    public Result<Void> administerAffiliations(String id, Map<Jid, Affiliation> changes) {
        Optional<Node> found = store.node(id);
        return found.isPresent() ? applyAffiliations(found.get(), changes)
                : Result.fail(PubSubError.NODE_NOT_FOUND, "no node " + id);
    }

    private Result<Void> applyAffiliations(Node node, Map<Jid, Affiliation> changes) {
        String id = node.id();
        Map<Jid, Affiliation> next = new HashMap<>(node.affiliations());
        for (Map.Entry<Jid, Affiliation> c : changes.entrySet()) {
            if (c.getValue() == Affiliation.NONE) {
                next.remove(c.getKey().bare());
            } else {
                next.put(c.getKey().bare(), c.getValue());
            }
        }
        if (!next.containsValue(Affiliation.OWNER)) {
            return Result.fail(PubSubError.NOT_ACCEPTABLE, "a node keeps at least one owner");
        }
        store.updateNode(node.withAffiliations(next));
        for (Map.Entry<Jid, Affiliation> c : changes.entrySet()) {
            if (c.getValue() == Affiliation.OUTCAST) {
                for (Subscription s : store.subscriptions(id)) {
                    if (s.jid().bare().equals(c.getKey().bare())) {
                        store.deleteSubscription(id, s.jid());
                    }
                }
            }
        }
        return Result.ok(null);
    }

    /** The actor's affiliations, over all nodes or one (XEP-0060 §5.7); one indexed query, no scan. */
    public Result<Map<String, Affiliation>> affiliationsOf(String id, Jid actor) {
        Map<String, Affiliation> all = store.affiliationsOf(actor.bare());
        if (id == null) {
            return Result.ok(all);
        }
        Map<String, Affiliation> out = new HashMap<>();
        if (all.containsKey(id)) {
            out.put(id, all.get(id));
        }
        return Result.ok(out);
    }

    // ------------------------------------------------------------------ helpers

    private Result<Node> owned(String id, Jid actor, Capability c) {
        Optional<Node> found = store.node(id);
        if (found.isEmpty()) {
            return Result.fail(PubSubError.NODE_NOT_FOUND, "no node " + id);
        }
        if (!found.get().may(actor, c)) {
            return Result.fail(PubSubError.FORBIDDEN, actor.bare() + " lacks " + c + " on " + id);
        }
        return Result.ok(found.get());
    }

    /**
     * Subscribers that receive notifications: subscribed, still allowed to be by their affiliation, and by their
     * template as it is now (issue 19 §2): it grants SUBSCRIBE, and RETRIEVE where notifications carry payloads. A
     * platform downgraded to a template without them receives nothing more from its old subscriptions.
     */
    private List<Subscription> recipients(Node node) {
        List<Subscription> subscribed = new ArrayList<>();
        List<Jid> jids = new ArrayList<>();
        for (Subscription s : store.subscriptions(node.id())) {
            if (s.state() == Subscription.State.SUBSCRIBED && node.may(s.jid(), Capability.BE_SUBSCRIBED)) {
                subscribed.add(s);
                jids.add(s.jid());
            }
        }
        if (subscribed.isEmpty()) {
            return subscribed;
        }
        java.util.function.Predicate<Jid> owner = j -> node.affiliationOf(j) == Affiliation.OWNER;
        String type = node.config().payloadType();
        List<Jid> allowed = policy.allowed(jids, ActorPolicy.Action.SUBSCRIBE, node.id(), type, owner);
        if (node.config().deliverPayloads() && !allowed.isEmpty()) {
            allowed = policy.allowed(allowed, ActorPolicy.Action.RETRIEVE, node.id(), type, owner);
        }
        if (allowed.size() == subscribed.size()) {
            return subscribed;
        }
        java.util.Set<Jid> keep = new java.util.HashSet<>(allowed);
        List<Subscription> out = new ArrayList<>(allowed.size());
        for (Subscription s : subscribed) {
            if (keep.contains(s.jid())) {
                out.add(s);
            }
        }
        return out;
    }

    private static List<Jid> owners(Node node) {
        List<Jid> out = new ArrayList<>();
        node.affiliations().forEach((j, a) -> {
            if (a == Affiliation.OWNER) {
                out.add(j);
            }
        });
        return out;
    }

    private void sendLastItem(Node node, Subscription sub) {
        if (node.config().sendLastPublishedItem() == NodeConfig.SendLastPublished.ON_SUB) {
            store.lastItem(node.id()).ifPresent(i -> broadcaster.emit(new LastItemSent(node, i, sub)));
        }
    }

    private PageRequest capped(PageRequest page) {
        PageRequest p = page == null ? PageRequest.first(settings.maxPageSize()) : page;
        int max = p.max() <= 0 || p.max() > settings.maxPageSize() ? settings.maxPageSize() : p.max();
        return new PageRequest(max, p.after(), p.before(), p.lastPage(), p.index());
    }

    private static String newId(String prefix) {
        StringBuilder sb = new StringBuilder(prefix);
        for (int i = 0; i < 20; i++) {
            sb.append(ID_CHARS[RANDOM.nextInt(ID_CHARS.length)]);
        }
        return sb.toString();
    }
}
