package io.xmppgrid.client;

/** A subscription's state (XEP-0060 §4.2): what {@code subscribe} answers and what an approval changes it to. */
public enum SubscriptionState {
    /** Notifications are delivered. */
    SUBSCRIBED,
    /** Waiting for an owner's approval (authorize model). */
    PENDING,
    /** Not subscribed: denied, cancelled or never asked. */
    NONE;

    static SubscriptionState of(org.jivesoftware.smackx.pubsub.Subscription.State s) {
        if (s == null) {
            return NONE;
        }
        return switch (s) {
            case subscribed -> SUBSCRIBED;
            case pending -> PENDING;
            default -> NONE;
        };
    }
}
