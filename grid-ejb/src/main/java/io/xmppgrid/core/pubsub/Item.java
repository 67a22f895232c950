package io.xmppgrid.core.pubsub;

import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;
import java.time.Instant;

/**
 * A published item: its id, who published it (bare JID), the payload (null when the node
 * carries no payloads), when, and its size in bytes as published. {@code sequence} orders the
 * items of a node (assigned by the store; RSM cursors are built from it).
 */
public record Item(String id, Jid publisher, XmlElement payload, Instant published, int sizeBytes, long sequence) {

    public Item withSequence(long seq) {
        return new Item(id, publisher, payload, published, sizeBytes, seq);
    }
}
