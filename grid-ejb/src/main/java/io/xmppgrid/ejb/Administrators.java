package io.xmppgrid.ejb;

import io.xmppgrid.ejb.audit.AuditLog;
import io.xmppgrid.persistence.Administrator;
import io.xmppgrid.persistence.AuditEntry;
import io.xmppgrid.security.AdminPasswords;
import io.xmppgrid.security.Totp;
import jakarta.ejb.EJB;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Administrators of the grid and their sign-in (RFC 8600 §8.3.2: strong authentication, no
 * password-only access): a password and a TOTP code (RFC 6238), or a client certificate from
 * the grid CA. Failed attempts are counted per administrator and recorded; {@value #LOCK_AFTER}
 * failures in a row lock the account for {@code grid.admin.lockMinutes} (15).
 */
@Stateless
public class Administrators {

    private static final Logger LOG = Logger.getLogger(Administrators.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    static final int LOCK_AFTER = 5;
    private static final String DECOY = AdminPasswords.decoy();

    @PersistenceContext(unitName = "grid")
    private EntityManager em;

    @EJB
    private AuditLog audit;

    @EJB
    private io.xmppgrid.ejb.cluster.ClusterBus cluster;

    @jakarta.annotation.Resource
    private jakarta.transaction.TransactionSynchronizationRegistry transactions;

    /** A new administrator: its generated password (if none was given) and its TOTP key URI. */
    public record Enrolled(String name, String password, boolean generated, String otpauthUri) {
    }

    /** An administrator as the console and API show it (never a secret). */
    public record AdminView(String name, String state, boolean totp, String certSerial, Instant createdAt,
                            Instant lastSignInAt, int failedCount, Instant lockedUntil) {
    }

    /** The outcome of a sign-in attempt; {@code reason} is for the log and the audit entry only. */
    public record SignIn(boolean ok, boolean locked, String reason) {
    }

    public Enrolled create(String name, String password) {
        String n = checkName(name);
        if (em.find(Administrator.class, n) != null) {
            throw new AdminException(AdminException.Reason.CONFLICT, "administrator " + n + " already exists");
        }
        boolean generated = password == null || password.isEmpty();
        String pw = generated ? randomSecret() : password;
        if (pw.length() < AdminPasswords.MIN_LENGTH) {
            throw new AdminException(AdminException.Reason.INVALID,
                    "password shorter than " + AdminPasswords.MIN_LENGTH + " characters");
        }
        Administrator a = new Administrator(n, Instant.now());
        a.passwordHash = AdminPasswords.hash(pw.toCharArray());
        byte[] secret = Totp.newSecret();
        a.totpSecret = TotpSecrets.seal(n, secret);
        em.persist(a);
        LOG.infof("GRID0221: administrator %s created (password and TOTP)", n);
        return new Enrolled(n, pw, generated, Totp.uri("XMPP-Grid " + GridSettings.domain(), n, secret));
    }

    /**
     * Checks a password and a TOTP code, in a transaction of its own so that failures are counted
     * and recorded even though the caller refuses. An unknown name costs the same as a known one.
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public SignIn signIn(String name, char[] password, String code, String address) {
        Instant now = Instant.now();
        String n = name == null ? "" : name.strip().toLowerCase(java.util.Locale.ROOT);
        Administrator a = n.isEmpty() || n.length() > 64 ? null
                : em.find(Administrator.class, n, LockModeType.PESSIMISTIC_WRITE);
        SignIn result;
        if (a == null || a.passwordHash == null) {
            AdminPasswords.matches(password, DECOY);
            result = new SignIn(false, false, a == null ? "unknown administrator" : "no password sign-in for this administrator");
        } else if (a.state != Administrator.State.ENABLED) {
            result = new SignIn(false, false, "administrator disabled");
        } else if (a.lockedUntil != null && a.lockedUntil.isAfter(now)) {
            result = new SignIn(false, true, "locked until " + a.lockedUntil + " after " + a.failedCount + " failures");
        } else {
            boolean pwOk = AdminPasswords.matches(password, a.passwordHash);
            long step = Totp.verify(TotpSecrets.open(a.name, a.totpSecret), code, now, a.lastTotpStep);
            if (pwOk && step >= 0) {
                a.failedCount = 0;
                a.lockedUntil = null;
                a.lastTotpStep = step;
                a.lastSignInAt = now;
                result = new SignIn(true, false, "password and TOTP");
            } else {
                a.failedCount++;
                String why = !pwOk ? "wrong password" : "wrong, expired or reused TOTP code";
                if (a.failedCount >= LOCK_AFTER) {
                    a.lockedUntil = now.plus(lockTime());
                    why += "; locked until " + a.lockedUntil;
                }
                result = new SignIn(false, a.lockedUntil != null && a.lockedUntil.isAfter(now), why);
            }
        }
        recordSignIn(n, "password+totp", result, address);
        return result;
    }

    /** Seals the TOTP secrets stored in clear before V18 (at start; the audit key exists by then). */
    public int sealTotpSecrets() {
        int n = 0;
        for (Administrator a : em.createQuery("select a from Administrator a where a.totpSecret is not null",
                Administrator.class).setLockMode(LockModeType.PESSIMISTIC_WRITE).getResultList()) {
            if (!TotpSecrets.sealed(a.totpSecret)) {
                a.totpSecret = TotpSecrets.seal(a.name, Totp.fromBase32(a.totpSecret));
                n++;
            }
        }
        return n;
    }

    /** The administrator a grid-CA client certificate (by SHA-256 fingerprint) belongs to, if enabled. */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public String signInWithCertificate(String sha256, String serial, String address) {
        return signInWithCertificate(sha256, serial, address, true);
    }

    /**
     * As {@link #signInWithCertificate(String, String, String)}; a certificate of no administrator (a platform's) is
     * logged and audited only when {@code recordUnknown} (the console records those once every few seconds).
     */
    public String signInWithCertificate(String sha256, String serial, String address, boolean recordUnknown) {
        List<Administrator> l = em.createNamedQuery(Administrator.BY_CERT, Administrator.class).setParameter("fp", sha256)
                .getResultList();
        Administrator a = l.isEmpty() ? null : l.get(0);
        SignIn result = a == null ? new SignIn(false, false, "certificate " + serial + " belongs to no administrator")
                : a.state != Administrator.State.ENABLED ? new SignIn(false, false, "administrator disabled")
                : new SignIn(true, false, "client certificate " + serial);
        if (result.ok()) {
            a.lastSignInAt = Instant.now();
        }
        if (a != null || recordUnknown) {
            recordSignIn(a == null ? "" : a.name, "certificate", result, address);
        }
        return result.ok() ? a.name : null;
    }

    private void recordSignIn(String name, String method, SignIn r, String address) {
        if (r.ok()) {
            LOG.infof("GRID0222: administrator %s signed in (%s) from %s", name, method, address);
        } else {
            LOG.warnf("GRID0223: administrator sign-in refused for '%s' (%s) from %s: %s", name, method, address, r.reason());
        }
        audit.record(AuditEntry.Kind.ADMIN, name.isEmpty() ? "(unknown)" : name, "admin.signin", null,
                r.ok() ? "ok" : r.locked() ? "locked" : "refused", method + ": " + r.reason(), address);
    }

    /** An administrator's client certificate: PKCS#12 bytes, their password, the serial. */
    public record AdminCertificate(String name, String serial, byte[] pkcs12, String password) {
    }

    /**
     * Issues a client certificate from the grid CA for an administrator (replacing any earlier
     * one: only the newest certificate signs in). Sign-in with it needs {@code certificate} in
     * {@code grid.admin.signIn} and the console's HTTPS listener.
     */
    public AdminCertificate issueCertificate(String name, int days, String p12Password) {
        Administrator a = em.find(Administrator.class, checkName(name), LockModeType.PESSIMISTIC_WRITE);
        if (a == null) {
            throw new AdminException(AdminException.Reason.NOT_FOUND, "no administrator " + name);
        }
        if (days < 1 || days > 825) {
            throw new AdminException(AdminException.Reason.INVALID, "validity must be 1 to 825 days");
        }
        String pw = p12Password == null || p12Password.isEmpty() ? randomSecret() : p12Password;
        if (pw.length() < 12) {
            throw new AdminException(AdminException.Reason.INVALID, "PKCS#12 password shorter than 12 characters");
        }
        io.xmppgrid.security.GridKeyMaterial km;
        try {
            km = io.xmppgrid.security.GridKeyMaterial.loadOrCreate(GridSettings.tlsDirectory(), GridSettings.domain());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("GRID0203: cannot open the grid CA", e);
        }
        io.xmppgrid.security.GridPki.Issued cert = io.xmppgrid.security.GridPki.issueAdministrator(km.ca(), a.name,
                Duration.ofDays(days));
        try {
            a.certSha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(cert.certificate().getEncoded()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 of a certificate", e);
        }
        String replaced = a.certSerial;
        a.certSerial = cert.serialHex();
        if (replaced != null) {
            revokeSerial(replaced, a.name); // only the newest signs in: the one it replaces goes on the CRL too
        }
        LOG.infof("GRID0225: client certificate %s issued to administrator %s, valid until %s", a.certSerial, a.name,
                cert.certificate().getNotAfter().toInstant());
        return new AdminCertificate(a.name, a.certSerial,
                io.xmppgrid.security.GridPki.toPkcs12(cert, "administrator", pw.toCharArray()), pw);
    }

    /**
     * Revokes an administrator's client certificate: it no longer signs in (the fingerprint is forgotten) and its serial
     * goes on the grid CA's CRL, published when this commits. The administrator stays enabled (password and TOTP).
     * @return the revoked serial
     */
    public String revokeCertificate(String name) {
        Administrator a = em.find(Administrator.class, checkName(name), LockModeType.PESSIMISTIC_WRITE);
        if (a == null) {
            throw new AdminException(AdminException.Reason.NOT_FOUND, "no administrator " + name);
        }
        if (a.certSerial == null) {
            throw new AdminException(AdminException.Reason.CONFLICT, "administrator " + a.name + " has no certificate");
        }
        if (a.passwordHash == null) {
            throw new AdminException(AdminException.Reason.CONFLICT, "administrator " + a.name
                    + " signs in with the certificate only: issue a new certificate (which revokes this one) or disable it");
        }
        String serial = a.certSerial;
        a.certSerial = null;
        a.certSha256 = null;
        revokeSerial(serial, a.name);
        LOG.infof("GRID0226: client certificate %s of administrator %s revoked", serial, a.name);
        return serial;
    }

    private void revokeSerial(String serial, String administrator) {
        if (em.find(io.xmppgrid.persistence.RevokedAdminCertificate.class, serial) == null) {
            em.persist(new io.xmppgrid.persistence.RevokedAdminCertificate(serial, administrator, Instant.now()));
        }
        transactions.registerInterposedSynchronization(new jakarta.transaction.Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == jakarta.transaction.Status.STATUS_COMMITTED) {
                    cluster.crlChanged(); // published here, in a transaction of its own, and on every other node
                }
            }
        });
    }

    /** Whether the administrator may still act (checked on every console request). */
    public boolean active(String name) {
        Administrator a = em.find(Administrator.class, name);
        return a != null && a.state == Administrator.State.ENABLED;
    }

    public List<AdminView> list() {
        return em.createNamedQuery(Administrator.ALL, Administrator.class).getResultList().stream()
                .map(a -> new AdminView(a.name, a.state.name().toLowerCase(java.util.Locale.ROOT), a.totpSecret != null,
                        a.certSerial, a.createdAt, a.lastSignInAt, a.failedCount, a.lockedUntil)).toList();
    }

    /** Disables or enables an administrator; the last enabled one cannot be disabled. Enabling also unlocks. */
    public void setEnabled(String name, boolean enabled) {
        Administrator a = em.find(Administrator.class, checkName(name), LockModeType.PESSIMISTIC_WRITE);
        if (a == null) {
            throw new AdminException(AdminException.Reason.NOT_FOUND, "no administrator " + name);
        }
        if (!enabled && a.state == Administrator.State.ENABLED && em.createQuery(
                "select count(a) from Administrator a where a.state = :s", Long.class)
                .setParameter("s", Administrator.State.ENABLED).getSingleResult() <= 1) {
            throw new AdminException(AdminException.Reason.CONFLICT, "the last enabled administrator cannot be disabled");
        }
        a.state = enabled ? Administrator.State.ENABLED : Administrator.State.DISABLED;
        if (enabled) {
            a.failedCount = 0;
            a.lockedUntil = null;
        }
        LOG.infof("GRID0224: administrator %s %s", a.name, enabled ? "enabled" : "disabled");
    }

    private static Duration lockTime() {
        return Duration.ofMinutes(Long.getLong("grid.admin.lockMinutes", 15));
    }

    static String checkName(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(java.util.Locale.ROOT);
        if (!n.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw new AdminException(AdminException.Reason.INVALID, "administrator names are 1-64 of a-z 0-9 . _ - (got " + name + ")");
        }
        return n;
    }

    private static String randomSecret() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
