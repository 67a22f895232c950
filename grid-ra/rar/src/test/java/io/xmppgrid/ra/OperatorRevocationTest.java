package io.xmppgrid.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.xmppgrid.security.GridPki;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 8600 §8.3.1 / RFC 5280 §4.2.1.13 and §6.3, issue 19 §6: platforms' certificates from an operator's CA are checked
 * against the CRL their distribution point names, served here over real HTTP; a revoked one is refused, one whose status
 * cannot be determined (no distribution point, the point unreachable or too large, a stale CRL) is refused too (fail
 * closed), and a good answer is kept rather than fetched at every login.
 */
class OperatorRevocationTest {

    private final GridPki.Issued root = GridPki.createCa("Operator Root", Duration.ofDays(365));
    private HttpServer http;
    private final AtomicReference<byte[]> served = new AtomicReference<>();
    private final AtomicInteger fetches = new AtomicInteger();
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private OperatorRevocation revocation;

    @BeforeEach
    void serveTheCrl() throws Exception {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/root.crl", x -> {
            fetches.incrementAndGet();
            byte[] b = served.get();
            if (b == null) {
                x.sendResponseHeaders(404, -1);
            } else {
                x.sendResponseHeaders(200, b.length);
                x.getResponseBody().write(b);
            }
            x.close();
        });
        http.start();
        revocation = new OperatorRevocation(Set.of(new TrustAnchor(root.certificate(), null)), pool, Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() {
        http.stop(0);
        pool.shutdownNow();
    }

    private String crlUri() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/root.crl";
    }

    private void publish(Map<BigInteger, Instant> revoked, Instant thisUpdate, Duration validity) {
        served.set(encoded(GridPki.createCrl(root, revoked, BigInteger.ONE, thisUpdate, validity)));
    }

    private static byte[] encoded(java.security.cert.X509CRL crl) {
        try {
            return crl.getEncoded();
        } catch (java.security.cert.CRLException e) {
            throw new IllegalStateException(e);
        }
    }

    private OperatorRevocation.Result check(X509Certificate leaf) throws Exception {
        return revocation.check(new X509Certificate[] {leaf, root.certificate()}).get(20, TimeUnit.SECONDS);
    }

    @Test
    void aCertificateItsCaDidNotRevokeSignsIn() throws Exception {
        X509Certificate leaf = leaf(crlUri());
        publish(Map.of(), Instant.now(), Duration.ofDays(1));
        assertEquals(OperatorRevocation.Status.GOOD, check(leaf).status(), check(leaf).why());
    }

    @Test
    void aRevokedCertificateIsRefused() throws Exception {
        X509Certificate leaf = leaf(crlUri());
        publish(Map.of(leaf.getSerialNumber(), Instant.now().minusSeconds(60)), Instant.now(), Duration.ofDays(1));
        assertEquals(OperatorRevocation.Status.REVOKED, check(leaf).status());
    }

    @Test
    void anUndeterminedStatusIsRefused() throws Exception {
        assertEquals(OperatorRevocation.Status.UNKNOWN, check(leaf(null)).status(), "no distribution point, no OCSP");
        assertEquals(OperatorRevocation.Status.UNKNOWN, check(leaf(crlUri())).status(), "the point answers 404");
        assertEquals(OperatorRevocation.Status.UNKNOWN, check(leaf("http://127.0.0.1:1/none.crl")).status(), "unreachable");
        publish(Map.of(), Instant.now().minus(Duration.ofDays(3)), Duration.ofDays(1));
        assertEquals(OperatorRevocation.Status.UNKNOWN, check(leaf(crlUri())).status(), "a CRL past its nextUpdate");
        served.set(new byte[OperatorRevocation.MAX_CRL_BYTES + 1]);
        assertEquals(OperatorRevocation.Status.UNKNOWN, check(leaf(crlUri())).status(), "a CRL over the size limit");
        GridPki.Issued other = GridPki.createCa("Someone Else", Duration.ofDays(1));
        GridPki.Issued stranger = GridPki.issuePlatform(other, io.xmppgrid.xmpp.Jid.parse("x@grid.local"), Duration.ofDays(1));
        assertEquals(OperatorRevocation.Status.UNKNOWN, revocation.check(stranger.chain()).get(20, TimeUnit.SECONDS).status(),
                "not an operator anchor's");
    }

    @Test
    void aStatusIsKeptRatherThanFetchedAtEveryLogin() throws Exception {
        X509Certificate leaf = leaf(crlUri());
        publish(Map.of(), Instant.now(), Duration.ofDays(1));
        for (int i = 0; i < 5; i++) {
            assertEquals(OperatorRevocation.Status.GOOD, check(leaf).status());
        }
        assertEquals(1, fetches.get(), "one fetch for five logins");
        assertTrue(OperatorRevocation.distributionPoints(leaf).contains(crlUri()));
    }

    /** A platform certificate of the operator's root, with a CRL distribution point when {@code crl} is given. */
    private X509Certificate leaf(String crl) throws Exception {
        KeyPair kp = GridPki.newKeyPair();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(root.certificate().getSubjectX500Principal().getEncoded()),
                new BigInteger(64, new java.security.SecureRandom()).setBit(63), Date.from(Instant.now().minusSeconds(300)),
                Date.from(Instant.now().plus(Duration.ofDays(30))), new X500Name("CN=sensor1@grid.local"), kp.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        if (crl != null) {
            GeneralNames names = new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, crl));
            b.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
                new DistributionPoint(new DistributionPointName(names), null, null)}));
        }
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA")
                .build(root.key())));
    }
}
