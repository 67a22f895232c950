package io.xmppgrid.client;

/**
 * An owner's decision on this platform's subscription request, or another change of its subscription
 * (XEP-0060 §8.6, "Notification of Subscription State Changes"): {@code SUBSCRIBED} when approved, {@code NONE} when
 * denied or cancelled.
 */
public record SubscriptionChange(String topic, String jid, SubscriptionState state) {
}
