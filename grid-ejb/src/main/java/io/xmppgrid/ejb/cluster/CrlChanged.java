package io.xmppgrid.ejb.cluster;

import java.io.Serializable;
import org.wildfly.clustering.server.dispatcher.Command;

/** A certificate was revoked (committed): the receiving node publishes the CRL again from the database. */
final class CrlChanged implements Command<Boolean, ClusterBus.Node, RuntimeException>, Serializable {

    private static final long serialVersionUID = 1L;

    @Override
    public Boolean execute(ClusterBus.Node node) {
        node.publishCrl();
        return Boolean.TRUE;
    }
}
