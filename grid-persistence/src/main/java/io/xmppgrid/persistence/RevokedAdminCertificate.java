package io.xmppgrid.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;

/** An administrator's client certificate that was revoked or replaced (V19): it goes on the grid CA's CRL. */
@Entity
@Table(name = "revoked_admin_certificate")
@NamedQuery(name = RevokedAdminCertificate.ALL, query = "select r from RevokedAdminCertificate r")
public class RevokedAdminCertificate {

    public static final String ALL = "RevokedAdminCertificate.all";

    /** Hexadecimal, as the certificate's serial number. */
    @Id
    @Column(length = 64)
    public String serial;

    @Column(nullable = false, length = 64)
    public String administrator;

    @Column(name = "revoked_at", nullable = false)
    public Instant revokedAt;

    protected RevokedAdminCertificate() {
    }

    public RevokedAdminCertificate(String serial, String administrator, Instant revokedAt) {
        this.serial = serial;
        this.administrator = administrator;
        this.revokedAt = revokedAt;
    }
}
