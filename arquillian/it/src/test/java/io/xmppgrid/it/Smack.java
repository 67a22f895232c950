package io.xmppgrid.it;

import io.xmppgrid.client.sasl.Scram256Mechanism;
import io.xmppgrid.client.sasl.Scram256PlusMechanism;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.SASLAuthentication;
import org.jivesoftware.smack.SmackConfiguration;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;

/** Smack clients for the test server: SCRAM-SHA-256(-PLUS) registered, trust in the grid CA only. */
final class Smack {

    static final String PUBSUB_EVENT = "http://jabber.org/protocol/pubsub#event";

    static {
        SASLAuthentication.registerSASLMechanism(new Scram256Mechanism());
        SASLAuthentication.registerSASLMechanism(new Scram256PlusMechanism());
        SmackConfiguration.setDefaultReplyTimeout(15_000);
        // XEP-0060 §8.6 (example approvalnotify1): a subscription state change comes as
        // <event xmlns='...#event'><subscription .../></event>. Smack 4.4.8 has no provider for <subscription/>
        // in the event namespace, so its EventProvider fails on the cast and the connection is closed as
        // unparseable: a client bug, worked around here by parsing it like the pubsub namespace's <subscription/>.
        org.jivesoftware.smack.provider.ProviderManager.addExtensionProvider("subscription", PUBSUB_EVENT,
                new org.jivesoftware.smackx.pubsub.provider.SubscriptionProvider());
    }

    private Smack() {
    }

    static X509TrustManager trustGridCa() throws Exception {
        return trust(Grid.caCertificate());
    }

    /** Trust in one CA only. */
    static X509TrustManager trust(java.security.cert.X509Certificate ca) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("grid-ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }

    /** STARTTLS (required) on the client port, authenticating with the given mechanism. */
    static XMPPTCPConnectionConfiguration.Builder starttls(String user, String password, String mechanism) throws Exception {
        return XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(Grid.DOMAIN)
                .setHost(Grid.HOST)
                .setPort(Grid.STARTTLS_PORT)
                .setSecurityMode(SecurityMode.required)
                .setCustomX509TrustManager(trustGridCa())
                .setUsernameAndPassword(user, password)
                .addEnabledSaslMechanism(mechanism);
    }

    /** STARTTLS to another grid (issue 24): its domain, port and CA; SCRAM-SHA-256. */
    static XMPPTCPConnectionConfiguration.Builder starttls(String domain, int port, java.security.cert.X509Certificate ca,
                                                          String user, String password) throws Exception {
        return XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(domain)
                .setHost(Grid.HOST)
                .setPort(port)
                .setSecurityMode(SecurityMode.required)
                .setCustomX509TrustManager(trust(ca))
                .setUsernameAndPassword(user, password)
                .addEnabledSaslMechanism("SCRAM-SHA-256");
    }

    /** SASL EXTERNAL with a PKCS#12 client certificate. */
    static XMPPTCPConnectionConfiguration.Builder external(Path p12, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        return XMPPTCPConnectionConfiguration.builder()
                .setXmppDomain(Grid.DOMAIN)
                .setHost(Grid.HOST)
                .setPort(Grid.STARTTLS_PORT)
                .setSecurityMode(SecurityMode.required)
                .setCustomX509TrustManager(trustGridCa())
                .setKeyManagers(kmf.getKeyManagers())
                .allowEmptyOrNullUsernames()
                .addEnabledSaslMechanism("EXTERNAL");
    }

    static XMPPTCPConnection connect(XMPPTCPConnectionConfiguration.Builder b) throws Exception {
        XMPPTCPConnection c = new XMPPTCPConnection(b.build());
        c.setUseStreamManagement(false);
        c.connect().login();
        return c;
    }

    /** Completes with the exception that closed the connection (null for a clean close). */
    static java.util.concurrent.CompletableFuture<Exception> closedOnError(XMPPTCPConnection c) {
        java.util.concurrent.CompletableFuture<Exception> closed = new java.util.concurrent.CompletableFuture<>();
        c.addConnectionListener(new org.jivesoftware.smack.ConnectionListener() {
            @Override
            public void connectionClosedOnError(Exception e) {
                closed.complete(e);
            }

            @Override
            public void connectionClosed() {
                closed.complete(null);
            }
        });
        return closed;
    }
}
