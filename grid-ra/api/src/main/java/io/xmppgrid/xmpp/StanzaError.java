package io.xmppgrid.xmpp;

/**
 * The defined stanza error conditions of RFC 6120 §8.3.3, each with the error type the
 * RFC recommends. One vocabulary: code that rejects a stanza picks a condition here, and
 * {@link Stanzas#error} turns it into the wire form.
 */
public enum StanzaError {
    BAD_REQUEST("bad-request", "modify"),
    CONFLICT("conflict", "cancel"),
    FEATURE_NOT_IMPLEMENTED("feature-not-implemented", "cancel"),
    FORBIDDEN("forbidden", "auth"),
    GONE("gone", "cancel"),
    INTERNAL_SERVER_ERROR("internal-server-error", "cancel"),
    ITEM_NOT_FOUND("item-not-found", "cancel"),
    JID_MALFORMED("jid-malformed", "modify"),
    NOT_ACCEPTABLE("not-acceptable", "modify"),
    NOT_ALLOWED("not-allowed", "cancel"),
    NOT_AUTHORIZED("not-authorized", "auth"),
    POLICY_VIOLATION("policy-violation", "modify"),
    RECIPIENT_UNAVAILABLE("recipient-unavailable", "wait"),
    REDIRECT("redirect", "modify"),
    REGISTRATION_REQUIRED("registration-required", "auth"),
    REMOTE_SERVER_NOT_FOUND("remote-server-not-found", "cancel"),
    REMOTE_SERVER_TIMEOUT("remote-server-timeout", "wait"),
    RESOURCE_CONSTRAINT("resource-constraint", "wait"),
    SERVICE_UNAVAILABLE("service-unavailable", "cancel"),
    SUBSCRIPTION_REQUIRED("subscription-required", "auth"),
    UNDEFINED_CONDITION("undefined-condition", "cancel"),
    UNEXPECTED_REQUEST("unexpected-request", "wait");

    private final String condition;
    private final String type;

    StanzaError(String condition, String type) {
        this.condition = condition;
        this.type = type;
    }

    public String condition() {
        return condition;
    }

    public String type() {
        return type;
    }
}
