package io.xmppgrid.core.pubsub;

/**
 * Operator settings of the pubsub service (RFC 8600 §8.3.3 default access model; §8.3.4 limits).
 */
public record ServiceSettings(AccessModel defaultAccessModel, int defaultMaxItems, int maxItemsLimit,
                              int maxPayloadBytes, int maxPageSize, int maxNodesPerOwner) {

    public static ServiceSettings defaults() {
        return new ServiceSettings(AccessModel.AUTHORIZE, 1000, 100_000, 262_144 - 4096, 100, 1000);
    }
}
