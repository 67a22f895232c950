package io.xmppgrid.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.time.Instant;

/** A security platform's account on the grid: its JID localpart and whether it may connect. */
@Entity
@Table(name = "platform")
@NamedQuery(name = Platform.BY_LOCALPART, query = "select p from Platform p where p.localpart = :localpart")
@NamedQuery(name = Platform.ROLES_OF, query = "select p.localpart, p.role from Platform p where p.localpart in :localparts")
public class Platform {

    public static final String BY_LOCALPART = "Platform.byLocalpart";
    public static final String ROLES_OF = "Platform.rolesOf";

    /** pending: registered, awaiting approval; enabled; disabled by an administrator; revoked. */
    public enum State { PENDING, ENABLED, DISABLED, REVOKED }

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "platform_seq")
    @SequenceGenerator(name = "platform_seq", sequenceName = "platform_seq", allocationSize = 50)
    private Long id;

    @Column(nullable = false, unique = true, length = 1023)
    private String localpart;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private State state;

    @Column(length = 1000)
    private String description;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    /** The role template's name; null: the operator's default, if any. */
    @Column(length = 64)
    private String role;

    protected Platform() {
    }

    public Platform(String localpart, State state, Instant now) {
        this.localpart = localpart;
        this.state = state;
        this.createdAt = now;
        this.updatedAt = now;
    }

    public Long getId() {
        return id;
    }

    public String getLocalpart() {
        return localpart;
    }

    public State getState() {
        return state;
    }

    public void setState(State state, Instant now) {
        this.state = state;
        this.updatedAt = now;
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    public String getRole() {
        return role;
    }

    public void setRole(String role, Instant now) {
        this.role = role;
        this.updatedAt = now;
    }
}
