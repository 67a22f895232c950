package io.xmppgrid.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.time.Instant;

/** A certificate the grid CA issued to a platform; revoked ones no longer authenticate. */
@Entity
@Table(name = "platform_certificate")
@NamedQuery(name = PlatformCertificate.ALL_REVOKED, query = "select c from PlatformCertificate c where c.revokedAt is not null")
@NamedQuery(name = PlatformCertificate.UNREVOKED,
        query = "select c from PlatformCertificate c where c.platform = :platform and c.revokedAt is null")
@NamedQuery(name = PlatformCertificate.REVOKED_SERIALS,
        query = "select c.serial from PlatformCertificate c where c.platform = :platform and c.revokedAt is not null")
public class PlatformCertificate {

    public static final String REVOKED_SERIALS = "PlatformCertificate.revokedSerials";
    public static final String UNREVOKED = "PlatformCertificate.unrevoked";
    public static final String ALL_REVOKED = "PlatformCertificate.allRevoked";

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "credential_seq")
    @SequenceGenerator(name = "credential_seq", sequenceName = "credential_seq", allocationSize = 50)
    private Long id;

    @ManyToOne(optional = false, fetch = FetchType.LAZY)
    @JoinColumn(name = "platform_id")
    private Platform platform;

    @Column(nullable = false, unique = true, length = 64)
    private String serial;

    @Column(nullable = false, length = 1024)
    private String subject;

    @Column(name = "not_before", nullable = false)
    private Instant notBefore;

    @Column(name = "not_after", nullable = false)
    private Instant notAfter;

    @Column(name = "issued_at", nullable = false)
    private Instant issuedAt;

    @Column(name = "revoked_at")
    private Instant revokedAt;

    protected PlatformCertificate() {
    }

    public PlatformCertificate(Platform platform, String serial, String subject, Instant notBefore, Instant notAfter,
                               Instant issuedAt) {
        this.platform = platform;
        this.serial = serial;
        this.subject = subject;
        this.notBefore = notBefore;
        this.notAfter = notAfter;
        this.issuedAt = issuedAt;
    }

    public Platform getPlatform() {
        return platform;
    }

    public String getSerial() {
        return serial;
    }

    public String getSubject() {
        return subject;
    }

    public Instant getNotBefore() {
        return notBefore;
    }

    public Instant getNotAfter() {
        return notAfter;
    }

    public Instant getIssuedAt() {
        return issuedAt;
    }

    public Instant getRevokedAt() {
        return revokedAt;
    }

    public void revoke(Instant now) {
        this.revokedAt = now;
    }
}
