package io.xmppgrid.client;

import java.time.Instant;
import java.util.Optional;

/**
 * An item published to a Topic this platform subscribes to (XEP-0060 §7.1.2.1): the Topic, the item id, who published
 * it (bare JID, when the Topic names publishers: {@code pubsub#itemreply=publisher}, as Topics this client creates do;
 * else null), the payload as XML text (null for a notification-only Topic), and, when it was stored for this platform
 * while it was away (RFC 8600 §6, XEP-0203), when it was stored.
 */
public record Notification(String topic, String itemId, String publisher, String payload, Instant storedAt) {

    /** XEP-0203 delay: when the grid stored this notification because the platform was away; empty when it is live. */
    public Optional<Instant> delay() {
        return Optional.ofNullable(storedAt);
    }
}
