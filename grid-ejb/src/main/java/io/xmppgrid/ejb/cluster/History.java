package io.xmppgrid.ejb.cluster;

import io.xmppgrid.ejb.history.TrafficHistory;
import io.xmppgrid.ejb.history.TrafficSampler;
import java.io.Serializable;
import org.wildfly.clustering.server.dispatcher.Command;

/**
 * Asked of every node for the console's charts (issue 21): its traffic over the last hour or day, or one platform's
 * stanzas on it. At most a few thousand floats per answer.
 */
final class History implements Command<TrafficHistory.Snapshot, ClusterBus.Node, RuntimeException>, Serializable {

    private static final long serialVersionUID = 1L;

    private final boolean day;
    /** Null: the node's series; else this platform's (bare JID). */
    private final String platform;

    History(boolean day, String platform) {
        this.day = day;
        this.platform = platform;
    }

    @Override
    public TrafficHistory.Snapshot execute(ClusterBus.Node node) {
        return platform == null ? TrafficSampler.history().snapshot(day) : TrafficSampler.history().platform(platform);
    }
}
