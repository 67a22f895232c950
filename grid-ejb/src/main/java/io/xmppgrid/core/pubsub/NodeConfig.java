package io.xmppgrid.core.pubsub;

import java.util.Map;
import java.util.Set;

/**
 * A node's configuration (XEP-0060 §16.4.3 pubsub#node_config), immutable. {@code payloadType}
 * is {@code pubsub#type}: the namespace every published payload's root element must have (RFC
 * 8600 §6), or null for any. {@code overrides} replaces the default capabilities of affiliations
 * on this node (not exposed on the wire). {@code offlineCache} (RFC 8600 §5) says whether the
 * notifications may be stored for subscribers that are offline; when false they reach only
 * available sessions. {@code itemReply} ({@code pubsub#itemreply}): {@code publisher} puts each item's publisher (its
 * bare JID) in notifications and retrieved items, as the XEP-0060 item's {@code publisher} attribute.
 */
public record NodeConfig(
        String title,
        String description,
        String payloadType,
        AccessModel accessModel,
        boolean persistItems,
        int maxItems,
        boolean deliverPayloads,
        boolean deliverNotifications,
        boolean notifyRetract,
        boolean notifyDelete,
        SendLastPublished sendLastPublishedItem,
        NotificationType notificationType,
        boolean offlineCache,
        ItemReply itemReply,
        Map<Affiliation, Set<Capability>> overrides) {

    /** XEP-0060 pubsub#itemreply: whom replies go to; {@code publisher} also names the publisher in every item. */
    public enum ItemReply implements WireName {
        OWNER("owner"), PUBLISHER("publisher");

        private final String wire;

        ItemReply(String wire) {
            this.wire = wire;
        }

        @Override
        public String wireName() {
            return wire;
        }

        public static ItemReply fromWire(String s) {
            return WireName.find(values(), s);
        }
    }

    /** XEP-0060 pubsub#send_last_published_item values we support. */
    public enum SendLastPublished implements WireName {
        NEVER("never"), ON_SUB("on_sub");

        private final String wire;

        SendLastPublished(String wire) {
            this.wire = wire;
        }

        @Override
        public String wireName() {
            return wire;
        }

        public static SendLastPublished fromWire(String s) {
            return WireName.find(values(), s);
        }
    }

    /** XEP-0060 pubsub#notification_type: normal survives offline storage (RFC 6121 §8.5.2), headline does not. */
    public enum NotificationType implements WireName {
        NORMAL("normal"), HEADLINE("headline");

        private final String wire;

        NotificationType(String wire) {
            this.wire = wire;
        }

        @Override
        public String wireName() {
            return wire;
        }

        public static NotificationType fromWire(String s) {
            return WireName.find(values(), s);
        }
    }

    public NodeConfig {
        overrides = Map.copyOf(overrides);
        itemReply = itemReply == null ? ItemReply.OWNER : itemReply;
        if (maxItems < 1) {
            throw new IllegalArgumentException("max_items must be at least 1");
        }
    }

    /** The service's defaults, with the operator's default access model and item limit. */
    public static NodeConfig defaults(AccessModel accessModel, int maxItems) {
        return new NodeConfig(null, null, null, accessModel, true, maxItems, true, true, true, true,
                SendLastPublished.NEVER, NotificationType.NORMAL, true, ItemReply.OWNER, Map.of());
    }

    public NodeConfig withAccessModel(AccessModel m) {
        return new NodeConfig(title, description, payloadType, m, persistItems, maxItems, deliverPayloads,
                deliverNotifications, notifyRetract, notifyDelete, sendLastPublishedItem, notificationType, offlineCache, itemReply, overrides);
    }

    public NodeConfig withPayloadType(String type) {
        return new NodeConfig(title, description, type, accessModel, persistItems, maxItems, deliverPayloads,
                deliverNotifications, notifyRetract, notifyDelete, sendLastPublishedItem, notificationType, offlineCache, itemReply, overrides);
    }

    public NodeConfig withMaxItems(int n) {
        return new NodeConfig(title, description, payloadType, accessModel, persistItems, n, deliverPayloads,
                deliverNotifications, notifyRetract, notifyDelete, sendLastPublishedItem, notificationType, offlineCache, itemReply, overrides);
    }

    public NodeConfig withSendLastPublished(SendLastPublished v) {
        return new NodeConfig(title, description, payloadType, accessModel, persistItems, maxItems, deliverPayloads,
                deliverNotifications, notifyRetract, notifyDelete, v, notificationType, offlineCache, itemReply, overrides);
    }

    public NodeConfig withTitle(String t) {
        return new NodeConfig(t, description, payloadType, accessModel, persistItems, maxItems, deliverPayloads,
                deliverNotifications, notifyRetract, notifyDelete, sendLastPublishedItem, notificationType, offlineCache, itemReply, overrides);
    }
}
