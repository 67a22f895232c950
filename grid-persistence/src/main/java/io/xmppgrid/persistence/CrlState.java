package io.xmppgrid.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * The grid CA's CRL numbering (one row, id 1): the last CRL number any node published (RFC 5280 §5.2.3: numbers
 * increase). A node takes the next number under this row's lock and reads the revoked certificates under it.
 */
@Entity
@Table(name = "crl_state")
public class CrlState {

    public static final int ID = 1;

    @Id
    public Integer id;

    @Column(name = "last_number", nullable = false)
    public long lastNumber;

    protected CrlState() {
    }
}
