package io.xmppgrid.core.pubsub;

/** XEP-0060 §4.1 affiliations, strongest first. */
public enum Affiliation implements WireName {
    OWNER("owner"),
    PUBLISHER("publisher"),
    PUBLISH_ONLY("publish-only"),
    MEMBER("member"),
    NONE("none"),
    OUTCAST("outcast");

    private final String wire;

    Affiliation(String wire) {
        this.wire = wire;
    }

    @Override
    public String wireName() {
        return wire;
    }

    /** The affiliation with this XEP-0060 name, or null. */
    public static Affiliation fromWire(String s) {
        return WireName.find(values(), s);
    }
}
