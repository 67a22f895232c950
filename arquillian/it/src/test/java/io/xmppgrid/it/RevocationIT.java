package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.client.sasl.Scram256Mechanism;
import java.math.BigInteger;
import java.nio.file.Files;
import java.security.cert.X509CRL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.StreamError;
import org.jivesoftware.smack.sasl.SASLErrorException;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Revocation and disabling (RFC 8600 §8.3.2: easy revocation): one command ends a platform's
 * live sessions at once with a stream error, revokes its certificates, and keeps it out, with
 * every credential, until it is enabled again.
 */
@ExtendWith(ArquillianExtension.class)
class RevocationIT {

    private static final String PASSWORD = "revoke-password-1";
    private static final String P12_PASSWORD = "p12-secret-456";
    private static final Pattern SERIAL = Pattern.compile("\"serial\":\"([0-9a-f]+)\"");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    /** A platform with a password and a certificate; returns the certificate's serial. */
    private static String onboard(String name, Path p12) {
        Grid.platform(name, PASSWORD);
        Grid.Result r = Grid.admin("cert", "issue", name, "--out", p12.toString(), "--p12-password", P12_PASSWORD);
        assertEquals(0, r.status(), r.err());
        Matcher m = SERIAL.matcher(r.out());
        assertTrue(m.find(), r.out());
        return m.group(1);
    }

    @Test // RFC 8600 §8.3.2: revocation cuts SCRAM and EXTERNAL sessions at once and keeps the platform out
    void revocationEndsSessionsRevokesCertificatesAndRefusesLogins() throws Exception {
        String name = Grid.uniqueName("rev");
        Path p12 = Files.createTempFile("revoked", ".p12");
        String serial = onboard(name, p12);
        XMPPTCPConnection scram = Smack.connect(Smack.starttls(name, PASSWORD, Scram256Mechanism.NAME));
        XMPPTCPConnection external = Smack.connect(Smack.external(p12, P12_PASSWORD.toCharArray()));
        CompletableFuture<Exception> scramClosed = Smack.closedOnError(scram);
        CompletableFuture<Exception> externalClosed = Smack.closedOnError(external);

        Grid.Result r = Grid.admin("platform", "revoke", name);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\"state\":\"revoked\""), r.out());
        assertTrue(r.out().contains("\"sessionsEnded\":2"), r.out());
        assertTrue(r.out().contains("\"certificatesRevoked\":[\"" + serial + "\"]"), r.out());

        for (CompletableFuture<Exception> closed : java.util.List.of(scramClosed, externalClosed)) {
            Exception e = closed.get(10, TimeUnit.SECONDS);
            assertTrue(e instanceof XMPPException.StreamErrorException, "closed by a stream error: " + e);
            assertEquals(StreamError.Condition.not_authorized,
                    ((XMPPException.StreamErrorException) e).getStreamError().getCondition());
        }
        // RFC 5280: the grid CA publishes a CRL with the serial, signed by the CA
        X509CRL crl = crl();
        crl.verify(Grid.caCertificate().getPublicKey());
        assertTrue(crl.getRevokedCertificate(new BigInteger(serial, 16)) != null, crl.toString());

        // no way back in: neither the password nor the certificate
        assertThrows(SASLErrorException.class, () -> Smack.connect(Smack.starttls(name, PASSWORD, Scram256Mechanism.NAME)));
        assertThrows(SASLErrorException.class, () -> Smack.connect(Smack.external(p12, P12_PASSWORD.toCharArray())));

        // issue 19 §4: revocation removed its credentials, so enabling alone does not re-admit it; an administrator
        // gives it new credentials, then enables it: the new password works, the old one and the old certificate do not
        Grid.Result refused = Grid.admin("platform", "enable", name);
        assertTrue(refused.status() != 0 && (refused.out() + refused.err()).contains("new credentials"),
                refused.out() + refused.err());
        assertEquals(0, Grid.admin("platform", "password", name, "--password", PASSWORD + "-new").status());
        assertEquals(0, Grid.admin("platform", "enable", name).status());
        XMPPTCPConnection again = Smack.connect(Smack.starttls(name, PASSWORD + "-new", Scram256Mechanism.NAME));
        again.disconnect();
        assertThrows(SASLErrorException.class, () -> Smack.connect(Smack.starttls(name, PASSWORD, Scram256Mechanism.NAME)));
        assertThrows(SASLErrorException.class, () -> Smack.connect(Smack.external(p12, P12_PASSWORD.toCharArray())));
    }

    @Test // RFC 5280 §5: EXTERNAL logins check the CRL itself: a certificate the database forgot is still refused
    void crlIsCheckedAtEveryExternalLogin() throws Exception {
        java.util.Properties db = new java.util.Properties();
        Path props = Path.of(System.getProperty("grid.test.base.dir"), "database.properties");
        if (Files.exists(props)) {
            try (var in = Files.newInputStream(props)) {
                db.load(in);
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue("postgresql".equals(db.getProperty("grid.db.driver")),
                "changing the database behind the server's back needs PostgreSQL");
        String name = Grid.uniqueName("crl");
        Path p12 = Files.createTempFile("crl", ".p12");
        String serial = onboard(name, p12);
        assertEquals(0, Grid.admin("platform", "revoke", name).status());
        // an intruder (or a restore from an old backup) un-revokes the certificate in the database
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(db.getProperty("grid.db.url"), "postgres", "");
             java.sql.Statement st = c.createStatement()) {
            assertEquals(1, st.executeUpdate("update platform_certificate set revoked_at = null where serial = '" + serial + "'"));
            assertEquals(1, st.executeUpdate("update platform set state = 'ENABLED' where localpart = '" + name + "'"));
        }
        // the database now says the platform is enabled and its certificate good (its password was deleted with the
        // revocation, issue 19 §4): only the CRL still stands in the way
        assertThrows(SASLErrorException.class, () -> Smack.connect(Smack.external(p12, P12_PASSWORD.toCharArray())),
                "the CRL still refuses the certificate");
    }

    /**
     * Issue 19 §6, RFC 5280 §5.2.3 (CRL number) and §5.1.2.5 (nextUpdate): the CRL fails closed. With no CRL, or with
     * an older CRL of the grid CA put back (validly signed, a lower number), EXTERNAL logins are refused
     * ({@code <temporary-auth-failure/>}); with the current CRL back, they work again.
     */
    @Test
    void aMissingOrOlderCrlRefusesExternalLogins() throws Exception {
        String name = Grid.uniqueName("crl-fresh");
        Path p12 = Files.createTempFile("fresh", ".p12");
        onboard(name, p12);
        Path file = Grid.dataDir().resolve("tls").resolve("crl.pem");
        byte[] older = Files.readAllBytes(file);
        Smack.connect(Smack.external(p12, P12_PASSWORD.toCharArray())).disconnect(); // reads the CRL as it is
        String other = Grid.uniqueName("crl-other");
        onboard(other, Files.createTempFile("other", ".p12"));
        assertEquals(0, Grid.admin("platform", "revoke", other).status()); // a newer CRL is published
        long deadline = System.currentTimeMillis() + 10_000;
        while (java.util.Arrays.equals(older, Files.readAllBytes(file)) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        byte[] current = Files.readAllBytes(file);
        assertTrue(!java.util.Arrays.equals(older, current), "a newer CRL was published");
        Smack.connect(Smack.external(p12, P12_PASSWORD.toCharArray())).disconnect(); // the node accepts the newer one
        try {
            Files.write(file, older);
            assertThrows(SASLErrorException.class, () -> Smack.connect(Smack.external(p12, P12_PASSWORD.toCharArray())),
                    "an older CRL put back");
            Files.delete(file);
            assertThrows(SASLErrorException.class, () -> Smack.connect(Smack.external(p12, P12_PASSWORD.toCharArray())),
                    "no CRL");
        } finally {
            Files.write(file, current);
        }
        Smack.connect(Smack.external(p12, P12_PASSWORD.toCharArray())).disconnect();
    }

    private static X509CRL crl() throws Exception {
        try (var in = Files.newInputStream(Grid.dataDir().resolve("tls").resolve("crl.pem"))) {
            return (X509CRL) java.security.cert.CertificateFactory.getInstance("X.509").generateCRL(in);
        }
    }

    @Test // disabling ends live sessions and stops logins; enabling restores them
    void disableAndEnable() throws Exception {
        String name = Grid.platform(Grid.uniqueName("dis"), PASSWORD);
        try (RawXmpp x = RawXmpp.bound(name, PASSWORD)) {
            Grid.Result r = Grid.admin("platform", "disable", name);
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("\"sessionsEnded\":1"), r.out());
            String closed = x.awaitClose(Duration.ofSeconds(10));
            assertTrue(closed.contains("<not-authorized xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>"), closed);
            assertTrue(closed.contains("disabled by an administrator"), closed);
        }
        assertThrows(SASLErrorException.class, () -> Smack.connect(Smack.starttls(name, PASSWORD, Scram256Mechanism.NAME)));
        assertEquals(0, Grid.admin("platform", "enable", name).status());
        Smack.connect(Smack.starttls(name, PASSWORD, Scram256Mechanism.NAME)).disconnect();
    }

    @Test // a stream that authenticated just before the revocation gets no session afterwards
    void authenticatedBeforeRevocationCannotBind() throws Exception {
        String name = Grid.platform(Grid.uniqueName("race"), PASSWORD);
        try (RawXmpp x = RawXmpp.authenticated(name, PASSWORD)) {
            assertEquals(0, Grid.admin("platform", "revoke", name).status());
            x.send("<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
            String closed = x.awaitClose(Duration.ofSeconds(10));
            assertTrue(closed.contains("<not-authorized xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>"), closed);
        }
    }

    @Test // the API names what it cannot find
    void unknownPlatform() {
        Grid.Result r = Grid.admin("platform", "revoke", "no-such-platform-y");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("no platform no-such-platform-y"), r.err());
    }
}
