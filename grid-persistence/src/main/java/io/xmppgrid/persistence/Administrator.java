package io.xmppgrid.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * An administrator of the grid: password hash plus TOTP secret, and/or a grid-CA client
 * certificate (by SHA-256 fingerprint). Failed sign-ins lock the account for a while.
 */
@Entity
@Table(name = "administrator")
@NamedQuery(name = Administrator.ALL, query = "select a from Administrator a order by a.name")
@NamedQuery(name = Administrator.BY_CERT, query = "select a from Administrator a where a.certSha256 = :fp")
public class Administrator {

    public static final String ALL = "Administrator.all";
    public static final String BY_CERT = "Administrator.byCert";

    public enum State { ENABLED, DISABLED }

    @Id
    @Column(length = 64)
    public String name;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    public State state;

    @Column(name = "password_hash", length = 200)
    public String passwordHash;

    /** Base32 (RFC 4648). */
    @Column(name = "totp_secret", length = 255)
    public String totpSecret;

    @Column(name = "last_totp_step", nullable = false)
    public long lastTotpStep;

    @Column(name = "cert_sha256", length = 64)
    public String certSha256;

    @Column(name = "cert_serial", length = 64)
    public String certSerial;

    @Column(name = "failed_count", nullable = false)
    public int failedCount;

    @Column(name = "locked_until")
    public Instant lockedUntil;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "last_sign_in_at")
    public Instant lastSignInAt;

    protected Administrator() {
    }

    public Administrator(String name, Instant createdAt) {
        this.name = name;
        this.state = State.ENABLED;
        this.createdAt = createdAt;
    }
}
