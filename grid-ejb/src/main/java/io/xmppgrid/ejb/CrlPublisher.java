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

    /**
     * Published again every six hours, so the CRL on disk is never near its nextUpdate (30 days after it is made): the
     * adapter refuses EXTERNAL logins on an expired CRL (fail closed).
     */
    @jakarta.ejb.Schedule(hour = "*/6", minute = "7", persistent = false, info = "crl-refresh")
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void refresh() {
        PlatformAdmin.publishCrl(em);
    }
}
