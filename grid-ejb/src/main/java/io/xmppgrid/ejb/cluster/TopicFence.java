package io.xmppgrid.ejb.cluster;

import java.io.Serializable;
import org.wildfly.clustering.server.dispatcher.Command;

/**
 * Sent to every other node around a transaction that changes a Topic (configuration, affiliations, subscriptions,
 * deletion): raised before the commit, so that no node caches the Topic while the change may become visible, and
 * lowered after it; both drop what the node cached of the Topic. The next publish on any node then reads the
 * committed change. A fence whose lowering never comes (its node died) expires.
 */
final class TopicFence implements Command<Boolean, ClusterBus.Node, RuntimeException>, Serializable {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String fence;
    private final boolean raise;

    TopicFence(String topic, String fence, boolean raise) {
        this.topic = topic;
        this.fence = fence;
        this.raise = raise;
    }

    @Override
    public Boolean execute(ClusterBus.Node node) {
        node.fenceTopic(topic, fence, raise);
        return Boolean.TRUE;
    }
}
