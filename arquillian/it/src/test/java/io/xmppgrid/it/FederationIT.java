package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.security.GridPki;
import io.xmppgrid.security.PeerTrust;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Inbound links of peer grids (issue 24): RFC 6120 §4.7–§4.8 ({@code jabber:server} streams), §5
 * (STARTTLS required), §6.4 and XEP-0178 §3 (SASL EXTERNAL with the peer server's certificate),
 * XEP-0368 (direct TLS), §4.9.3 stream errors. A peer is a raw TLS socket presenting a server
 * certificate of its own CA; the grid accepts it only when an administrator configured that domain
 * with that CA and has not revoked it.
 */
@ExtendWith(ArquillianExtension.class)
class FederationIT {

    static final int S2S_PORT = Integer.getInteger("grid.test.xmpp.s2s-port", 15269);
    static final int S2S_TLS_PORT = Integer.getInteger("grid.test.xmpp.s2s-tls-port", 15270);

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    /** A peer grid: its domain, its CA, and its server's key and certificate. */
    private record Peer(String domain, GridPki.Issued ca, GridPki.Issued server) {
        static Peer create(String name) {
            String domain = Grid.uniqueName(name) + ".example.org";
            GridPki.Issued ca = GridPki.createCa(domain + " CA", Duration.ofDays(30));
            return new Peer(domain, ca, GridPki.issueServer(ca, domain, Duration.ofDays(10)));
        }

        String header() {
            return "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'"
                    + " from='" + domain + "' to='" + Grid.DOMAIN + "' version='1.0'>";
        }

        /** TLS presenting this peer's server certificate, trusting the grid's CA. */
        SSLContext tls() throws Exception {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = "peer".toCharArray();
            ks.setKeyEntry("server", server.key(), pw, server.chain());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("grid-ca", Grid.caCertificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        }

        void configure(GridPki.Issued trustedCa, String pin) throws Exception {
            String form = "caPem=" + URLEncoder.encode(GridPki.toPem(trustedCa.certificate()), StandardCharsets.UTF_8)
                    + "&role=consumer" + (pin == null ? "" : "&pin=" + pin);
            Grid.Result r = Grid.api("PUT", "/peers/" + domain, form);
            assertEquals(200, r.status(), r.out());
        }
    }

    @Test
    void aConfiguredPeerLinksWithItsOwnCaOverStartTlsOrDirectTlsAndSaslExternal() throws Exception {
        Peer peer = Peer.create("fedok");
        peer.configure(peer.ca(), PeerTrust.spkiPin(peer.server().certificate()));
        try (RawXmpp x = RawXmpp.s2s(S2S_PORT, peer.header(), peer.tls())) {
            String features = x.lastFeatures();
            assertTrue(features.contains("<mechanism>EXTERNAL</mechanism>"), features);
            assertFalse(features.contains("SCRAM"), "a peer grid has no password: " + features);
            assertFalse(features.contains("dialback"), "XEP-0220 is off: " + features);
            x.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
            assertTrue(x.awaitAny("<success", "</failure>").contains("<success"), x.transcript());
            x.send(peer.header());
            String after = x.await("</stream:features>");
            assertFalse(after.contains("<bind") || after.contains("<mechanism"), "nothing left to negotiate: " + after);
            // RFC 6120 §4.9.3.9: a stanza over this link must come from the peer's domain
            x.send("<message from='someone@elsewhere.example.org' to='x@" + Grid.DOMAIN + "'><body>hi</body></message>");
            assertTrue(x.await("</stream:stream>").contains("<invalid-from"), x.transcript());
        }
        String audit = Grid.api("GET", "/audit?actor=" + peer.domain() + "&limit=20", null).out();
        assertTrue(audit.contains("s2s.link") && audit.contains("\"outcome\":\"up\"") && audit.contains("\"outcome\":\"down\""),
                audit);

        // XEP-0368: the same with TLS from the first byte, the authzid naming the peer's domain
        try (RawXmpp x = RawXmpp.s2sDirect(S2S_TLS_PORT, peer.header(), peer.tls())) {
            assertTrue(x.lastFeatures().contains("<mechanism>EXTERNAL</mechanism>"), x.lastFeatures());
            x.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>"
                    + java.util.Base64.getEncoder().encodeToString(peer.domain().getBytes(StandardCharsets.UTF_8)) + "</auth>");
            assertTrue(x.awaitAny("<success", "</failure>").contains("<success"), x.transcript());
            x.send(peer.header());
            x.await("</stream:features>");
            // issue 24: revoking a peer closes its links at once (the issue asks for 1 s; 3 s allowed for a loaded CI)
            assertEquals(200, Grid.api("POST", "/peers/" + peer.domain() + "/revoke", null).status());
            String end = x.await("</stream:stream>", Duration.ofSeconds(3));
            assertTrue(end.contains("<not-authorized") && end.contains("revoked"), end);
        }
        assertEquals(200, Grid.api("POST", "/peers/" + peer.domain() + "/enable", null).status());
        try (RawXmpp x = RawXmpp.s2s(S2S_PORT, peer.header(), peer.tls())) {
            x.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
            assertTrue(x.awaitAny("<success", "</failure>").contains("<success"), x.transcript());
            assertEquals(204, Grid.api("DELETE", "/peers/" + peer.domain(), null).status());
            String end = x.await("</stream:stream>", Duration.ofSeconds(3));
            assertTrue(end.contains("<not-authorized") && end.contains("removed"), end);
        }
    }

    @Test
    void unknownRevokedWronglyIssuedOrRepinnedPeersAreRefusedAndAudited() throws Exception {
        // not on the allow-list: refused at its first header, before TLS
        Peer stranger = Peer.create("fedstranger");
        try (RawXmpp x = RawXmpp.plain(S2S_PORT)) {
            x.send(stranger.header());
            String got = x.await("</stream:stream>");
            assertTrue(got.contains("<policy-violation"), got);
            assertFalse(got.contains("<starttls"), "no features for a stranger: " + got);
        }
        // configured with another CA than the one that issued its certificate
        Peer impostor = Peer.create("fedimpostor");
        GridPki.Issued otherCa = GridPki.createCa("someone else's CA", Duration.ofDays(30));
        impostor.configure(otherCa, null);
        try (RawXmpp x = RawXmpp.s2s(S2S_PORT, impostor.header(), impostor.tls())) {
            x.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
            String got = x.await("</stream:stream>");
            assertTrue(got.contains("<not-authorized/></failure>") && got.contains("<not-authorized xmlns"), got);
        }
        // the right CA but another key than the pinned one
        Peer repinned = Peer.create("fedpin");
        repinned.configure(repinned.ca(), PeerTrust.spkiPin(otherCa.certificate()));
        try (RawXmpp x = RawXmpp.s2s(S2S_PORT, repinned.header(), repinned.tls())) {
            x.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
            assertTrue(x.await("</stream:stream>").contains("<not-authorized/></failure>"), x.transcript());
        }
        // a peer may not ask to act as another domain
        Peer claims = Peer.create("fedclaims");
        claims.configure(claims.ca(), null);
        try (RawXmpp x = RawXmpp.s2s(S2S_PORT, claims.header(), claims.tls())) {
            x.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>"
                    + java.util.Base64.getEncoder().encodeToString("grid.cert.example".getBytes(StandardCharsets.UTF_8))
                    + "</auth>");
            assertTrue(x.await("</stream:stream>").contains("<invalid-authzid/></failure>"), x.transcript());
        }
        // revoked: refused again at the header
        assertEquals(200, Grid.api("POST", "/peers/" + claims.domain() + "/revoke", null).status());
        try (RawXmpp x = RawXmpp.plain(S2S_PORT)) {
            x.send(claims.header());
            assertTrue(x.await("</stream:stream>").contains("<policy-violation"), x.transcript());
        }
        for (Peer p : new Peer[] {stranger, impostor, repinned, claims}) {
            String audit = Grid.api("GET", "/audit?actor=" + p.domain() + "&limit=20", null).out();
            assertTrue(audit.contains("s2s.link") && audit.contains("\"outcome\":\"refused\""), p.domain() + ": " + audit);
        }
    }

    @Test
    void hostileInputOnTheServerPortGetsTheSameStreamErrorsAsOnClientStreams() throws Exception {
        try (RawXmpp x = RawXmpp.plain(S2S_PORT)) {
            x.send(RawXmpp.HEADER); // a client's header
            assertTrue(x.await("</stream:stream>").contains("<invalid-namespace"), x.transcript());
        }
        try (RawXmpp x = RawXmpp.plain(S2S_PORT)) {
            x.send("<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'"
                    + " to='" + Grid.DOMAIN + "' version='1.0'>");
            assertTrue(x.await("</stream:stream>").contains("<invalid-from"), "a peer names itself: " + x.transcript());
        }
        try (RawXmpp x = RawXmpp.plain(S2S_PORT)) {
            x.send("<<<not xml at all>>>");
            assertTrue(x.await("</stream:stream>").contains("<not-well-formed"), x.transcript());
        }
        Peer peer = Peer.create("fedbig");
        peer.configure(peer.ca(), null);
        try (RawXmpp x = RawXmpp.plain(S2S_PORT)) {
            x.send(peer.header());
            x.await("</stream:features>");
            // before authentication an element may hold 16 KiB, as on client streams
            x.send("<message from='" + peer.domain() + "'><body>" + "a".repeat(20_000) + "</body></message>");
            String got = x.await("</stream:stream>");
            assertTrue(got.contains("<policy-violation") && got.contains("exceeds 16384 bytes"), got);
        }
    }
}
