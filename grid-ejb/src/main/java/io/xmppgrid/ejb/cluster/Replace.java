package io.xmppgrid.ejb.cluster;

import java.io.Serializable;
import org.wildfly.clustering.server.dispatcher.Command;

/**
 * RFC 6120 §7.7.2.2 across nodes (policy {@code override}): a full JID was bound on the sending node; the receiving
 * node ends its older session of it with {@code <conflict/>}.
 */
final class Replace implements Command<Boolean, ClusterBus.Node, RuntimeException>, Serializable {

    private static final long serialVersionUID = 1L;

    private final String fullJid;

    Replace(String fullJid) {
        this.fullJid = fullJid;
    }

    @Override
    public Boolean execute(ClusterBus.Node node) {
        return node.replace(fullJid);
    }
}
