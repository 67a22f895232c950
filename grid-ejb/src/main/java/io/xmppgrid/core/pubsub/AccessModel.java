package io.xmppgrid.core.pubsub;

/**
 * The access models RFC 8600 §8.3.3 allows: {@code authorize} (an owner approves every
 * subscription; only subscribers retrieve items) and {@code whitelist} (only affiliated
 * platforms subscribe or retrieve). XEP-0060's open, presence and roster are refused.
 */
public enum AccessModel implements WireName {
    AUTHORIZE("authorize"),
    WHITELIST("whitelist");

    private final String wire;

    AccessModel(String wire) {
        this.wire = wire;
    }

    @Override
    public String wireName() {
        return wire;
    }

    /** The model with this name, or null (also for XEP-0060 models that are not allowed here). */
    public static AccessModel fromWire(String s) {
        return WireName.find(values(), s);
    }
}
