package io.xmppgrid.ejb;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;

/**
 * Publishes the grid CA's CRL from the database in a transaction of its own: on this node after a revocation commits,
 * and on every other node when told (ClusterBus), so that a node whose TLS directory is its own has the same list.
 */
@Stateless
public class CrlPublisher {

    @PersistenceContext(unitName = "grid")
    private EntityManager em;

    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void publish() {
        PlatformAdmin.publishCrl(em);
    }
}
