package io.xmppgrid.it;

import io.xmppgrid.security.GridPki;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Another organisation's grid as the tests play it (issue 24): a domain, its own CA, and its server's
 * key and certificate, which it presents on the server-to-server streams it opens (raw TLS sockets).
 */
record PeerGrid(String domain, GridPki.Issued ca, GridPki.Issued server) {

    static PeerGrid create(String name) {
        String domain = Grid.uniqueName(name) + ".example.org";
        GridPki.Issued ca = GridPki.createCa(domain + " CA", Duration.ofDays(30));
        return new PeerGrid(domain, ca, GridPki.issueServer(ca, domain, Duration.ofDays(10)));
    }

    /** Its stream header to this grid (RFC 6120 §4.7, {@code jabber:server}). */
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

    /** The form of {@code PUT /api/peers/{domain}} that configures it with {@code trustedCa} (role consumer). */
    String form(GridPki.Issued trustedCa, String pin) {
        return "caPem=" + URLEncoder.encode(GridPki.toPem(trustedCa.certificate()), StandardCharsets.UTF_8)
                + "&role=consumer" + (pin == null ? "" : "&pin=" + pin);
    }

    /** A link in over STARTTLS to {@code port}, authenticated with SASL EXTERNAL and restarted (features read). */
    RawXmpp link(int port) throws Exception {
        RawXmpp x = RawXmpp.s2s(port, header(), tls());
        x.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
        String outcome = x.awaitAny("<success", "</failure>");
        if (!outcome.contains("<success")) {
            x.close();
            throw new AssertionError("link of " + domain + " not authenticated: " + outcome);
        }
        x.send(header());
        x.features = x.await("</stream:features>");
        return x;
    }
}
