package io.xmppgrid.core.pubsub;

/**
 * The broker's one error vocabulary. Policy code returns these; the wire layer maps each to
 * an XMPP condition and XEP-0060 {@code pubsub#errors} child in one table.
 */
public enum PubSubError {
    NODE_NOT_FOUND,
    NODE_EXISTS,
    NODEID_REQUIRED,
    FORBIDDEN,
    /** whitelist model, and not affiliated */
    CLOSED_NODE,
    /** an access model other than authorize or whitelist */
    UNSUPPORTED_ACCESS_MODEL,
    INVALID_CONFIGURATION,
    INVALID_PAYLOAD,
    PAYLOAD_TOO_BIG,
    ITEM_REQUIRED,
    PAYLOAD_REQUIRED,
    /** e.g. removing the last owner */
    NOT_ACCEPTABLE,
    ITEM_FORBIDDEN,
    ITEM_NOT_FOUND,
    PRECONDITION_NOT_MET,
    /** subscribing another JID than one's own, without the right to */
    INVALID_JID,
    NOT_SUBSCRIBED,
    PENDING_SUBSCRIPTION,
    /** items retrieval in the authorize model without a subscription */
    SUBSCRIPTION_REQUIRED,
    TOO_MANY_NODES,
    TOO_MANY_ITEMS_REQUESTED,
    BAD_REQUEST
}
