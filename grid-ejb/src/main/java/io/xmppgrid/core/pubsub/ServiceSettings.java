package io.xmppgrid.core.pubsub;

/**
 * Operator settings of the pubsub service (RFC 8600 §8.3.3 default access model; §8.3.4 limits).
 * {@code maxTopicBytes}: the payload bytes one Topic keeps; past it, its oldest items go, as they do past
 * {@code max_items} (XEP-0060 §7.1.2), so the storage a platform can take is bounded by its Topics
 * ({@code maxNodesPerOwner}) times this. {@code maxPageBytes}: the payload bytes one items reply carries (pages,
 * {@code max_items} and requests by item id end early; at least one item is always returned).
 */
public record ServiceSettings(AccessModel defaultAccessModel, int defaultMaxItems, int maxItemsLimit,
                              int maxPayloadBytes, int maxPageSize, int maxNodesPerOwner, long maxTopicBytes,
                              long maxPageBytes) {

    public ServiceSettings {
        if (maxTopicBytes < maxPayloadBytes) {
            throw new IllegalArgumentException("maxTopicBytes " + maxTopicBytes + " below maxPayloadBytes " + maxPayloadBytes);
        }
    }

    public static ServiceSettings defaults() {
        return new ServiceSettings(AccessModel.AUTHORIZE, 1000, 100_000, 262_144 - 4096, 100, 1000, 64L * 1024 * 1024,
                1024 * 1024);
    }
}
