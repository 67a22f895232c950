package io.xmppgrid.ejb;

import io.xmppgrid.persistence.Platform;
import io.xmppgrid.persistence.PlatformCertificate;
import io.xmppgrid.persistence.ScramCredential;
import io.xmppgrid.ra.api.PlatformCredentials.ScramKeys;
import io.xmppgrid.security.GridKeyMaterial;
import io.xmppgrid.security.GridPki;
import io.xmppgrid.security.ScramCredentials;
import io.xmppgrid.security.ScramHash;
import io.xmppgrid.xmpp.Jid;
import jakarta.ejb.Stateless;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Onboarding (RFC 8600 §8.3.1): platform accounts with SCRAM credentials, and client
 * certificates from the grid CA for SASL EXTERNAL.
 */
@Stateless
public class PlatformAdmin {

    private static final Logger LOG = Logger.getLogger(PlatformAdmin.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    @PersistenceContext(unitName = "grid")
    private EntityManager em;

    /** The result of creating a platform: its JID and the password (generated when none was given). */
    public record Created(String jid, String password, boolean generated) {
    }

    /** An issued certificate: PKCS#12 bytes, their password, the serial. */
    public record IssuedCertificate(String jid, String serial, byte[] pkcs12, String password) {
    }

    public Created createPlatform(String name, String password) {
        String local = normalize(name);
        if (find(local) != null) {
            throw new AdminException(AdminException.Reason.CONFLICT, "platform " + local + " already exists");
        }
        boolean generated = password == null || password.isEmpty();
        String pw = generated ? randomSecret(18) : password;
        if (pw.length() < 12) {
            throw new AdminException(AdminException.Reason.INVALID, "password shorter than 12 characters");
        }
        Instant now = Instant.now();
        Platform p = new Platform(local, Platform.State.ENABLED, now);
        em.persist(p);
        for (ScramHash h : hashes()) {
            ScramKeys k = ScramCredentials.derive(h, pw.toCharArray(), ScramCredentials.DEFAULT_ITERATIONS);
            Base64.Encoder b64 = Base64.getEncoder();
            em.persist(new ScramCredential(p, k.hash(), b64.encodeToString(k.salt()), k.iterations(),
                    b64.encodeToString(k.storedKey()), b64.encodeToString(k.serverKey()), now));
        }
        String jid = Jid.of(local, GridSettings.domain(), null).toString();
        LOG.infof("GRID0201: platform %s created with SCRAM credentials (%s)", jid, hashes());
        return new Created(jid, pw, generated);
    }

    /** Issues a certificate for the platform (created, without password, if it does not exist). */
    public IssuedCertificate issueCertificate(String name, int days, String p12Password) {
        String local = normalize(name);
        if (days < 1 || days > 3650) {
            throw new AdminException(AdminException.Reason.INVALID, "validity must be 1 to 3650 days");
        }
        Instant now = Instant.now();
        Platform p = find(local);
        if (p == null) {
            p = new Platform(local, Platform.State.ENABLED, now);
            em.persist(p);
        }
        GridKeyMaterial km;
        try {
            km = GridKeyMaterial.loadOrCreate(GridSettings.tlsDirectory(), GridSettings.domain());
        } catch (IOException e) {
            throw new UncheckedIOException("GRID0203: cannot open the grid CA", e);
        }
        Jid jid = Jid.of(local, GridSettings.domain(), null);
        GridPki.Issued cert = GridPki.issuePlatform(km.ca(), jid, Duration.ofDays(days));
        String pw = p12Password == null || p12Password.isEmpty() ? randomSecret(18) : p12Password;
        byte[] p12 = GridPki.toPkcs12(cert, GridPki.PLATFORM_ALIAS, pw.toCharArray());
        em.persist(new PlatformCertificate(p, cert.serialHex(), cert.certificate().getSubjectX500Principal().getName(),
                cert.certificate().getNotBefore().toInstant(), cert.certificate().getNotAfter().toInstant(), now));
        LOG.infof("GRID0202: certificate %s issued to %s, valid until %s", cert.serialHex(), jid,
                cert.certificate().getNotAfter().toInstant());
        return new IssuedCertificate(jid.toString(), cert.serialHex(), p12, pw);
    }

    private Platform find(String local) {
        List<Platform> l = em.createNamedQuery(Platform.BY_LOCALPART, Platform.class)
                .setParameter("localpart", local).getResultList();
        return l.isEmpty() ? null : l.get(0);
    }

    private static List<ScramHash> hashes() {
        return Boolean.parseBoolean(System.getProperty("grid.scramSha1", "false"))
                ? List.of(ScramHash.SHA_256, ScramHash.SHA_1) : List.of(ScramHash.SHA_256);
    }

    private static String normalize(String name) {
        if (name == null || name.isBlank()) {
            throw new AdminException(AdminException.Reason.INVALID, "platform name missing");
        }
        try {
            return Jid.normalizeLocal(name.trim());
        } catch (IllegalArgumentException e) {
            throw new AdminException(AdminException.Reason.INVALID, "invalid platform name: " + e.getMessage());
        }
    }

    private static String randomSecret(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
