package io.xmppgrid.core.pubsub;

import io.xmppgrid.xmpp.Jid;
import java.util.List;

/** What the broker announces after a change is saved; the wire layer turns these into stanzas. */
public sealed interface PubSubEvent {

    /** A new or replaced item, to the subscribers listed. */
    record ItemPublished(Node node, Item item, List<Subscription> recipients) implements PubSubEvent {
    }

    record ItemsRetracted(Node node, List<String> itemIds, List<Subscription> recipients) implements PubSubEvent {
    }

    record NodePurged(Node node, List<Subscription> recipients) implements PubSubEvent {
    }

    record NodeDeleted(Node node, List<Subscription> recipients) implements PubSubEvent {
    }

    /** An authorize-model request: each owner gets the XEP-0060 §8.6 approval form. */
    record ApprovalRequested(Node node, Subscription pending, List<Jid> owners) implements PubSubEvent {
    }

    /** A subscription was approved, denied or cancelled: the subscriber is told (XEP-0060 §8.6). */
    record SubscriptionChanged(Node node, Subscription subscription) implements PubSubEvent {
    }

    /** The last item, sent to a new subscriber (send_last_published_item = on_sub). */
    record LastItemSent(Node node, Item item, Subscription recipient) implements PubSubEvent {
    }
}
