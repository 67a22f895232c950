package io.xmppgrid.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.xmpp.Jid;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** XEP-0178: identities come from subjectAltName, never from the subject DN. */
class CertificateIdentityTest {

    private static final GridPki.Issued CA = GridPki.createCa("test CA", Duration.ofDays(1));

    @Test
    void platformCertificateCarriesItsXmppAddr() throws Exception {
        GridPki.Issued p = GridPki.issuePlatform(CA, Jid.parse("sensor1@grid.local"), Duration.ofDays(1));
        assertEquals(List.of(Jid.parse("sensor1@grid.local")), CertificateIdentity.xmppAddrs(p.certificate()));
        assertEquals(List.of(Jid.parse("sensor1@grid.local")),
                CertificateIdentity.clientIdentities(p.certificate(), Jid.domain("grid.local")));
        p.certificate().verify(CA.certificate().getPublicKey());
    }

    @Test
    void otherDomainsAreNotIdentities() {
        GridPki.Issued p = GridPki.issuePlatform(CA, Jid.parse("sensor1@other.example"), Duration.ofDays(1));
        assertTrue(CertificateIdentity.clientIdentities(p.certificate(), Jid.domain("grid.local")).isEmpty());
    }

    @Test
    void subjectCommonNameIsIgnored() {
        // a server certificate: CN=grid.local, dNSName entries, no xmppAddr
        GridPki.Issued s = GridPki.issueServer(CA, "grid.local", Duration.ofDays(1), "localhost");
        assertTrue(CertificateIdentity.xmppAddrs(s.certificate()).isEmpty());
        assertTrue(CertificateIdentity.clientIdentities(s.certificate(), Jid.domain("grid.local")).isEmpty());
        assertEquals(List.of("grid.local", "localhost"), CertificateIdentity.dnsNames(s.certificate()));
    }
}
