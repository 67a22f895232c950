package io.xmppgrid.core.pubsub;

/** What an actor may do on a node; granted per affiliation by {@link AccessControl}. */
public enum Capability {
    /** Request a subscription for oneself (the access model decides what happens then). */
    SUBSCRIBE,
    /** Subscribe or unsubscribe another address. */
    SUBSCRIBE_OTHER,
    /** Be a subscriber at all (outcasts are not). */
    BE_SUBSCRIBED,
    /** Retrieve items without being subscribed. */
    GET_ITEMS,
    PUBLISH,
    /** Retract items one published oneself. */
    RETRACT_OWN,
    /** Retract any item. */
    RETRACT_ANY,
    PURGE,
    CONFIGURE,
    DELETE,
    GET_SUBSCRIPTIONS,
    SET_SUBSCRIPTIONS,
    GET_AFFILIATIONS,
    SET_AFFILIATIONS
}
