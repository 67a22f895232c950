package io.xmppgrid.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A peer grid's server certificate is accepted for its domain only (issue 24; RFC 6125 §6.4,
 * XEP-0178 §3): issued by that peer's own CA, naming the domain, with the pinned key when pinned.
 */
class PeerTrustTest {

    private static final GridPki.Issued PEER_CA = GridPki.createCa("peer grid CA", Duration.ofDays(30));
    private static final GridPki.Issued OTHER_CA = GridPki.createCa("another CA", Duration.ofDays(30));
    private static final GridPki.Issued PEER = GridPki.issueServer(PEER_CA, "grid.peer.example", Duration.ofDays(10));

    @Test
    void aServerCertificateOfThePeersCaNamingItsDomainIsAccepted() throws Exception {
        PeerTrust t = PeerTrust.of("grid.peer.example", GridPki.toPem(PEER_CA.certificate()), null);
        t.verify(PEER.chain(), Instant.now());
        t.verify(new java.security.cert.X509Certificate[] {PEER.certificate()}, Instant.now()); // leaf alone
        assertEquals("grid.peer.example", t.domain());
    }

    @Test
    void anotherCaAnotherDomainOrAnExpiredCertificateIsRefused() {
        PeerTrust other = PeerTrust.of("grid.peer.example", GridPki.toPem(OTHER_CA.certificate()), null);
        CertificateException e = assertThrows(CertificateException.class, () -> other.verify(PEER.chain(), Instant.now()));
        assertTrue(e.getMessage().contains("not issued by the CA configured for grid.peer.example"), e.getMessage());

        PeerTrust wrongName = PeerTrust.of("grid.elsewhere.example", GridPki.toPem(PEER_CA.certificate()), null);
        e = assertThrows(CertificateException.class, () -> wrongName.verify(PEER.chain(), Instant.now()));
        assertTrue(e.getMessage().contains("does not name grid.elsewhere.example"), e.getMessage());

        PeerTrust t = PeerTrust.of("grid.peer.example", GridPki.toPem(PEER_CA.certificate()), null);
        assertThrows(CertificateException.class, () -> t.verify(PEER.chain(), Instant.now().plus(Duration.ofDays(11))));
        assertThrows(CertificateException.class, () -> t.verify(new java.security.cert.X509Certificate[0], Instant.now()));
    }

    @Test
    void aPinnedPeerMustPresentThePinnedKey() throws Exception {
        String pem = GridPki.toPem(PEER_CA.certificate());
        PeerTrust pinned = PeerTrust.of("grid.peer.example", pem, PeerTrust.spkiPin(PEER.certificate()).toUpperCase());
        pinned.verify(PEER.chain(), Instant.now());
        GridPki.Issued reissued = GridPki.issueServer(PEER_CA, "grid.peer.example", Duration.ofDays(10)); // a new key
        CertificateException e = assertThrows(CertificateException.class, () -> pinned.verify(reissued.chain(), Instant.now()));
        assertTrue(e.getMessage().contains("not the one pinned"), e.getMessage());
    }

    @Test
    void wildcardsCoverOneLeftmostLabelOnly() {
        GridPki.Issued wild = GridPki.issueServer(PEER_CA, "*.peer.example", Duration.ofDays(10));
        assertTrue(PeerTrust.names(wild.certificate(), "grid.peer.example"));
        assertTrue(!PeerTrust.names(wild.certificate(), "a.grid.peer.example"));
        assertTrue(!PeerTrust.names(wild.certificate(), "peer.example"));
    }

    @Test
    void whatAnAdministratorGivesIsChecked() {
        String pem = GridPki.toPem(PEER_CA.certificate());
        assertThrows(IllegalArgumentException.class, () -> PeerTrust.of("user@grid.peer.example", pem, null));
        assertThrows(IllegalArgumentException.class, () -> PeerTrust.of("localhost", pem, null));
        assertThrows(IllegalArgumentException.class, () -> PeerTrust.of("grid.peer.example", "", null));
        assertThrows(IllegalArgumentException.class, () -> PeerTrust.of("grid.peer.example", "-----BEGIN CERTIFICATE-----\nAAAA\n"
                + "-----END CERTIFICATE-----\n", null));
        // a server certificate is not a CA
        assertThrows(IllegalArgumentException.class, () -> PeerTrust.of("grid.peer.example",
                GridPki.toPem(PEER.certificate()), null));
        assertThrows(IllegalArgumentException.class, () -> PeerTrust.of("grid.peer.example", pem, "abc"));
        assertThrows(IllegalArgumentException.class, () -> PeerTrust.of("grid.peer.example", pem.repeat(9), null));
        String big = "x".repeat(PeerTrust.MAX_PEM_BYTES + 1);
        assertThrows(IllegalArgumentException.class, () -> PeerTrust.of("grid.peer.example", big, null));
    }
}
