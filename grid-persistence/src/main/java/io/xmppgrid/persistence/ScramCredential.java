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

/** One salted SCRAM credential (RFC 5802 §3) of a platform; keys stored as Base64. */
@Entity
@Table(name = "scram_credential")
@NamedQuery(name = ScramCredential.BY_PLATFORM, query = "select c from ScramCredential c where c.platform = :platform")
@NamedQuery(name = ScramCredential.ITERATIONS_IN_USE,
        query = "select c.iterations, count(c) from ScramCredential c where c.hash = :hash group by c.iterations")
public class ScramCredential {

    public static final String BY_PLATFORM = "ScramCredential.byPlatform";
    public static final String ITERATIONS_IN_USE = "ScramCredential.iterationsInUse";

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "credential_seq")
    @SequenceGenerator(name = "credential_seq", sequenceName = "credential_seq", allocationSize = 50)
    private Long id;

    @ManyToOne(optional = false, fetch = FetchType.LAZY)
    @JoinColumn(name = "platform_id")
    private Platform platform;

    @Column(nullable = false, length = 16)
    private String hash;

    @Column(nullable = false, length = 128)
    private String salt;

    @Column(nullable = false)
    private int iterations;

    @Column(name = "stored_key", nullable = false, length = 128)
    private String storedKey;

    @Column(name = "server_key", nullable = false, length = 128)
    private String serverKey;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    protected ScramCredential() {
    }

    public ScramCredential(Platform platform, String hash, String salt, int iterations, String storedKey,
                           String serverKey, Instant now) {
        this.platform = platform;
        this.hash = hash;
        this.salt = salt;
        this.iterations = iterations;
        this.storedKey = storedKey;
        this.serverKey = serverKey;
        this.createdAt = now;
    }

    public Platform getPlatform() {
        return platform;
    }

    public String getHash() {
        return hash;
    }

    public String getSalt() {
        return salt;
    }

    public int getIterations() {
        return iterations;
    }

    public String getStoredKey() {
        return storedKey;
    }

    public String getServerKey() {
        return serverKey;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }
}
