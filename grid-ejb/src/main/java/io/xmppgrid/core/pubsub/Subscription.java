package io.xmppgrid.core.pubsub;

import io.xmppgrid.xmpp.Jid;

/** A subscription (XEP-0060 §4.2): the subscribed address, its state and its id. */
public record Subscription(String node, Jid jid, State state, String subid) {

    /** XEP-0060 subscription states (no "unconfigured": we require no subscription options). */
    public enum State implements WireName {
        SUBSCRIBED("subscribed"), PENDING("pending"), NONE("none");

        private final String wire;

        State(String wire) {
            this.wire = wire;
        }

        @Override
        public String wireName() {
            return wire;
        }

        public static State fromWire(String s) {
            return WireName.find(values(), s);
        }
    }

    public Subscription withState(State s) {
        return new Subscription(node, jid, s, subid);
    }
}
