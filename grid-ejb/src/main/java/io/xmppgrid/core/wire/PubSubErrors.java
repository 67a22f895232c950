package io.xmppgrid.core.wire;

import io.xmppgrid.core.pubsub.PubSubError;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.StanzaError;
import io.xmppgrid.xmpp.Stanzas;
import io.xmppgrid.xmpp.XmlElement;
import java.util.EnumMap;
import java.util.Map;

/** The one table from the broker's errors to XEP-0060 wire errors (§6–§8 error cases). */
public final class PubSubErrors {

    public static final String ERRORS_NS = "http://jabber.org/protocol/pubsub#errors";

    /** A wire error: the RFC 6120 condition, the pubsub#errors child (or null), its feature attribute (or null). */
    record Wire(StanzaError condition, String pubsubChild, String feature) {
    }

    private static final Map<PubSubError, Wire> TABLE = new EnumMap<>(PubSubError.class);

    static {
        TABLE.put(PubSubError.NODE_NOT_FOUND, new Wire(StanzaError.ITEM_NOT_FOUND, null, null));
        TABLE.put(PubSubError.NODE_EXISTS, new Wire(StanzaError.CONFLICT, null, null));
        TABLE.put(PubSubError.NODEID_REQUIRED, new Wire(StanzaError.NOT_ACCEPTABLE, "nodeid-required", null));
        TABLE.put(PubSubError.FORBIDDEN, new Wire(StanzaError.FORBIDDEN, null, null));
        TABLE.put(PubSubError.CLOSED_NODE, new Wire(StanzaError.NOT_ALLOWED, "closed-node", null));
        TABLE.put(PubSubError.UNSUPPORTED_ACCESS_MODEL, new Wire(StanzaError.NOT_ACCEPTABLE, "unsupported-access-model", null));
        TABLE.put(PubSubError.INVALID_CONFIGURATION, new Wire(StanzaError.NOT_ACCEPTABLE, null, null));
        TABLE.put(PubSubError.INVALID_PAYLOAD, new Wire(StanzaError.BAD_REQUEST, "invalid-payload", null));
        TABLE.put(PubSubError.PAYLOAD_TOO_BIG, new Wire(StanzaError.NOT_ACCEPTABLE, "payload-too-big", null));
        TABLE.put(PubSubError.PAYLOAD_REQUIRED, new Wire(StanzaError.BAD_REQUEST, "payload-required", null));
        TABLE.put(PubSubError.ITEM_REQUIRED, new Wire(StanzaError.BAD_REQUEST, "item-required", null));
        TABLE.put(PubSubError.ITEM_FORBIDDEN, new Wire(StanzaError.BAD_REQUEST, "item-forbidden", null));
        TABLE.put(PubSubError.ITEM_NOT_FOUND, new Wire(StanzaError.ITEM_NOT_FOUND, null, null));
        TABLE.put(PubSubError.PRECONDITION_NOT_MET, new Wire(StanzaError.CONFLICT, "precondition-not-met", null));
        TABLE.put(PubSubError.INVALID_JID, new Wire(StanzaError.BAD_REQUEST, "invalid-jid", null));
        TABLE.put(PubSubError.NOT_SUBSCRIBED, new Wire(StanzaError.UNEXPECTED_REQUEST, "not-subscribed", null));
        TABLE.put(PubSubError.PENDING_SUBSCRIPTION, new Wire(StanzaError.NOT_AUTHORIZED, "pending-subscription", null));
        TABLE.put(PubSubError.SUBSCRIPTION_REQUIRED, new Wire(StanzaError.NOT_AUTHORIZED, "not-subscribed", null));
        TABLE.put(PubSubError.TOO_MANY_NODES, new Wire(StanzaError.NOT_ALLOWED, "max-nodes-exceeded", null));
        TABLE.put(PubSubError.TOO_MANY_ITEMS_REQUESTED, new Wire(StanzaError.POLICY_VIOLATION, "too-many-items", null));
        TABLE.put(PubSubError.NOT_ACCEPTABLE, new Wire(StanzaError.NOT_ACCEPTABLE, null, null));
        TABLE.put(PubSubError.BAD_REQUEST, new Wire(StanzaError.BAD_REQUEST, null, null));
        if (TABLE.size() != PubSubError.values().length) {
            throw new ExceptionInInitializerError("every PubSubError needs a wire form");
        }
    }

    private PubSubErrors() {
    }

    /** The error reply to {@code request} for a broker error. */
    public static XmlElement reply(XmlElement request, PubSubError error) {
        Wire w = TABLE.get(error);
        return withPubsubChild(Stanzas.error(request, w.condition(), null), w.pubsubChild(), w.feature());
    }

    /** An error reply with a pubsub#errors child (e.g. unsupported features). */
    public static XmlElement reply(XmlElement request, StanzaError condition, String pubsubChild, String feature) {
        return withPubsubChild(Stanzas.error(request, condition, null), pubsubChild, feature);
    }

    private static XmlElement withPubsubChild(XmlElement error, String child, String feature) {
        if (child == null) {
            return error;
        }
        XmlElement.Builder b = XmlElement.builder(error.name(), error.namespace());
        error.attributes().forEach(a -> b.attribute(a.namespace(), a.name(), a.value()));
        for (XmlElement c : error.elements()) {
            if (c.is("error", Ns.CLIENT)) {
                b.child(c.toBuilder().child(XmlElement.builder(child, ERRORS_NS).attribute("feature", feature).build()).build());
            } else {
                b.child(c);
            }
        }
        return b.build();
    }

    /** The condition element name for a broker error (for tests and logs). */
    public static String condition(PubSubError e) {
        return TABLE.get(e).condition().condition();
    }
}
