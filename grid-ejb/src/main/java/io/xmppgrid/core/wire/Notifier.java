package io.xmppgrid.core.wire;

import io.xmppgrid.core.BareJidDelivery;
import io.xmppgrid.core.Delivery;
import io.xmppgrid.core.OfflineSink;
import io.xmppgrid.core.pubsub.Broadcaster;
import io.xmppgrid.core.pubsub.Item;
import io.xmppgrid.core.pubsub.Node;
import io.xmppgrid.core.pubsub.NodeConfig;
import io.xmppgrid.core.pubsub.PubSubEvent;
import io.xmppgrid.core.pubsub.Subscription;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.XmlElement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Turns broker events into XEP-0060 notification messages (§7.1.2.1 items, §7.2.2.1 retract,
 * §8.4.2 delete, §8.5.2 purge, §8.6 approval form, and the subscription state changes of §8.6 and §8.8.2 as events) and delivers them: to a full JID's
 * session, or to the sessions of a bare JID (available ones first), or to offline storage.
 */
public final class Notifier implements Broadcaster {

    public static final String EVENT_NS = "http://jabber.org/protocol/pubsub#event";
    public static final String SUBSCRIBE_AUTHORIZATION = "http://jabber.org/protocol/pubsub#subscribe_authorization";

    private final Jid service;
    private final Delivery delivery;
    private final OfflineSink offline;

    public Notifier(Jid service, Delivery delivery, OfflineSink offline) {
        this.service = service;
        this.delivery = delivery;
        this.offline = offline;
    }

    @Override
    public void emit(PubSubEvent event) {
        if (event instanceof PubSubEvent.ItemPublished e) {
            broadcast(e.node(), e.recipients(), event(itemsElement(e.node(), e.item())));
        } else if (event instanceof PubSubEvent.LastItemSent e) {
            Jid to = e.recipient().jid();
            deliver(to, message(e.node(), to, event(itemsElement(e.node(), e.item())), new Ids().next()));
        } else if (event instanceof PubSubEvent.ItemsRetracted e) {
            XmlElement.Builder items = XmlElement.builder("items", EVENT_NS).attribute("node", e.node().id());
            for (String id : e.itemIds()) {
                items.child(XmlElement.builder("retract", EVENT_NS).attribute("id", id).build());
            }
            broadcast(e.node(), e.recipients(), event(items.build()));
        } else if (event instanceof PubSubEvent.NodePurged e) {
            broadcast(e.node(), e.recipients(), event(XmlElement.builder("purge", EVENT_NS).attribute("node", e.node().id()).build()));
        } else if (event instanceof PubSubEvent.NodeDeleted e) {
            broadcast(e.node(), e.recipients(), event(XmlElement.builder("delete", EVENT_NS).attribute("node", e.node().id()).build()));
        } else if (event instanceof PubSubEvent.ApprovalRequested e) {
            XmlElement form = DataForm.builder("form", SUBSCRIBE_AUTHORIZATION)
                    .title("PubSub subscriber request")
                    .instructions("To approve this entity's subscription request, click the OK button. "
                            + "To deny the request, click the cancel button.")
                    .field("pubsub#subid", "hidden", null, List.of(e.pending().subid()))
                    .field("pubsub#node", "text-single", "Node ID", List.of(e.node().id()))
                    .field("pubsub#subscriber_jid", "jid-single", "Subscriber Address", List.of(e.pending().jid().toString()))
                    .field("pubsub#allow", "boolean", "Allow this JID to subscribe to this pubsub node?", List.of("false"))
                    .build();
            Ids ids = new Ids();
            for (Jid owner : e.owners()) {
                deliver(owner, XmlElement.builder("message", Ns.CLIENT).attribute("from", service.toString())
                        .attribute("to", owner.toString()).attribute("id", ids.next())
                        .child(form).build());
            }
        } else if (event instanceof PubSubEvent.SubscriptionChanged e) {
            Subscription s = e.subscription();
            // XEP-0060 §8.6 (example "approvalnotify1") and the implementation note "Notification of Subscription State Changes":
            // the new state as an event, <event xmlns='...#event'><subscription .../></event>; 'none' for a
            // denial or cancellation
            XmlElement outcome = event(XmlElement.builder("subscription", EVENT_NS).attribute("node", e.node().id())
                    .attribute("jid", s.jid().toString()).attribute("subscription", s.state().wireName())
                    .attribute("subid", s.state() == Subscription.State.NONE ? null : s.subid()).build());
            deliver(s.jid(), message(e.node(), s.jid(), outcome, new Ids().next()));
        }
    }

    /**
     * Recipients sorted by bare JID: storing offline locks each platform's queue, and publishes
     * that lock in one global order cannot deadlock each other.
     */
    private static List<Subscription> inLockOrder(List<Subscription> recipients) {
        record Keyed(String key, Subscription s) {
        }
        List<Keyed> keyed = new ArrayList<>(recipients.size());
        for (Subscription s : recipients) {
            keyed.add(new Keyed(s.jid().bare().toString(), s)); // each key made once, not per comparison
        }
        keyed.sort(java.util.Comparator.comparing(Keyed::key));
        List<Subscription> sorted = new ArrayList<>(keyed.size());
        for (Keyed k : keyed) {
            sorted.add(k.s());
        }
        return sorted;
    }

    private static String key(Node node) {
        return "pubsub:" + node.id();
    }

    private static XmlElement event(XmlElement child) {
        return XmlElement.builder("event", EVENT_NS).child(child).build();
    }

    private static XmlElement itemsElement(Node node, Item item) {
        XmlElement.Builder it = XmlElement.builder("item", EVENT_NS).attribute("id", item.id());
        if (node.config().itemReply() == NodeConfig.ItemReply.PUBLISHER && item.publisher() != null) {
            it.attribute("publisher", item.publisher().toString()); // XEP-0060 §7.1.2.1, pubsub#itemreply
        }
        if (node.config().deliverPayloads() && item.payload() != null) {
            it.child(item.payload());
        }
        return XmlElement.builder("items", EVENT_NS).attribute("node", node.id()).child(it.build()).build();
    }

    /**
     * One event to every recipient, in lock order. The copies share the event element, whose
     * serialized text is kept (XmlWriter): the payload is written once, not once per subscriber.
     */
    private void broadcast(Node node, List<Subscription> recipients, XmlElement ev) {
        Ids ids = new Ids();
        inLockOrder(recipients).forEach(s -> deliver(s.jid(), message(node, s.jid(), ev, ids.next()), key(node)));
    }

    /**
     * Message ids for the copies of one event: a random UUID (unguessable across events) and a
     * counter, so an event to a thousand subscribers draws from the system's random source once.
     */
    private static final class Ids {
        private final String base = UUID.randomUUID().toString();
        private int n;

        String next() {
            return base + '.' + n++;
        }
    }

    private XmlElement message(Node node, Jid to, XmlElement payload, String id) {
        String type = node.config().notificationType() == NodeConfig.NotificationType.HEADLINE ? "headline" : null;
        XmlElement.Builder m = XmlElement.builder("message", Ns.CLIENT).attribute("from", service.toString())
                .attribute("to", to.toString()).attribute("type", type).attribute("id", id)
                .child(payload);
        if (!node.config().offlineCache()) {
            // RFC 8600 §5: this Topic's messages must not be cached; XEP-0334 says so to every hop
            m.child(XmlElement.empty("no-store", Ns.HINTS));
        }
        return m.build();
    }

    private void deliver(Jid to, XmlElement message) {
        deliver(to, message, null);
    }

    /**
     * Delivers to a full JID's session, or else to the bare JID's available sessions, or else to
     * offline storage (BareJidDelivery). Notifications of one node carry the node as ordering key,
     * so they leave in commit order.
     */
    private void deliver(Jid to, XmlElement message, String orderingKey) {
        if (delivery.atPeer(to)) {
            // a subscriber at a peer grid (issue 24): over the link, in the Topic's order; its own grid delivers it, or
            // stores it while the subscriber is offline
            delivery.sendToPeer(to, message.withAttribute("to", to.toString()), orderingKey);
            return;
        }
        if (!to.isBare()) {
            if (delivery.session(to).isPresent() && delivery.send(to, message.withAttribute("to", to.toString()), orderingKey)) {
                return;
            }
            to = to.bare();
        }
        new BareJidDelivery(delivery, offline, true).deliver(to, message.withAttribute("to", to.toString()), orderingKey, true);
    }
}
