package io.xmppgrid.persistence;

import java.io.Serializable;
import java.util.Objects;

/** The composite key (node_id, jid) of affiliations and subscriptions. */
public class NodeJidKey implements Serializable {
    private static final long serialVersionUID = 1L;

    public Long nodeId;
    public String jid;

    public NodeJidKey() {
    }

    public NodeJidKey(Long nodeId, String jid) {
        this.nodeId = nodeId;
        this.jid = jid;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeJidKey && Objects.equals(((NodeJidKey) o).nodeId, nodeId) && Objects.equals(((NodeJidKey) o).jid, jid);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodeId, jid);
    }
}
