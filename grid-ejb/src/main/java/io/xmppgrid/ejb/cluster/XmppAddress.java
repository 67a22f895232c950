package io.xmppgrid.ejb.cluster;

import java.io.Serializable;
import org.wildfly.clustering.server.dispatcher.Command;

/**
 * Asked of the other nodes by a node whose listener stops gracefully: where each one's XMPP listener is reached
 * ({@code host:port}, null while it does not serve), so that the stopping node can send its clients there with
 * RFC 6120 §4.9.3.19 {@code <see-other-host/>}.
 */
final class XmppAddress implements Command<String, ClusterBus.Node, RuntimeException>, Serializable {

    private static final long serialVersionUID = 1L;

    @Override
    public String execute(ClusterBus.Node node) {
        return node.xmppAddress();
    }
}
