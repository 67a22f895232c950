package io.xmppgrid.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The end of the audit chain (one row, id 1): the last place given and its hash. */
@Entity
@Table(name = "audit_chain")
public class AuditChainHead {

    public static final int ID = 1;

    @Id
    public Integer id;

    @Column(name = "last_seq", nullable = false)
    public long lastSeq;

    @Column(name = "last_hash", nullable = false, length = 64)
    public String lastHash;

    protected AuditChainHead() {
    }
}
