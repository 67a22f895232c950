package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSession;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the server offers after TLS (RFC 6120 §6.4.1, XEP-0440) and that channel binding is
 * really checked (RFC 5802 §6, RFC 5929, RFC 9266). tls-exporter is offered only when the server
 * runs on a JDK that exports keying material; the build runs the test server on Java 25 where one
 * is installed, and then also checks a tls-exporter login from this (Java 25) client.
 */
@ExtendWith(ArquillianExtension.class)
class ChannelBindingIT {

    private static final String PASSWORD = "binding-password-1";

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    private static boolean serverExports() {
        return Boolean.getBoolean("grid.server.exports");
    }

    private static List<String> all(String regex, String text) {
        Matcher m = Pattern.compile(regex).matcher(text);
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test // RFC 8600 §8.3.1: SHA-256 variants, -PLUS preferred; no SHA-1 unless configured, never PLAIN
    void offeredMechanismsAndBindings() throws Exception {
        try (RawXmpp x = RawXmpp.plain()) {
            x.send(RawXmpp.HEADER);
            String plain = x.await("</stream:features>");
            assertTrue(plain.contains("<starttls xmlns=\"urn:ietf:params:xml:ns:xmpp-tls\"><required/></starttls>"), plain);
            assertFalse(plain.contains("<mechanisms"), "no SASL before TLS: " + plain);
        }
        String features;
        try (RawXmpp x = RawXmpp.secured()) {
            features = x.lastFeatures();
        }
        assertEquals(List.of("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"), all("<mechanism>([^<]+)</mechanism>", features));
        List<String> types = all("<channel-binding type=\"([^\"]+)\"/>", features);
        assertTrue(types.contains("tls-server-end-point"), features);
        assertEquals(serverExports(), types.contains("tls-exporter"), features);
    }

    @Test // RFC 5929 §4.1 tls-server-end-point: the right hash logs in
    void serverEndPointLogin() throws Exception {
        String name = Grid.platform(Grid.uniqueName("cb"), PASSWORD);
        try (RawXmpp x = RawXmpp.secured()) {
            X509Certificate server = (X509Certificate) x.tlsSession().getPeerCertificates()[0];
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(server.getEncoded());
            x.scram(name, PASSWORD, null, "tls-server-end-point", hash);
        }
    }

    @Test // RFC 5802 §6: binding data that does not match this TLS connection (a man in the middle) fails
    void wrongBindingDataIsRefused() throws Exception {
        String name = Grid.platform(Grid.uniqueName("cb"), PASSWORD);
        try (RawXmpp x = RawXmpp.secured()) {
            AssertionError e = assertThrows(AssertionError.class,
                    () -> x.scram(name, PASSWORD, null, "tls-server-end-point", new byte[32]));
            assertTrue(e.getMessage().contains("<not-authorized/>"), e.getMessage());
        }
    }

    @Test // RFC 9266 tls-exporter: works exactly when the server offers it
    void exporterLogin() throws Exception {
        String name = Grid.platform(Grid.uniqueName("cb"), PASSWORD);
        try (RawXmpp x = RawXmpp.secured()) {
            byte[] ekm = exporter(x.tlsSession());
            if (serverExports()) {
                assertTrue(ekm != null, "the test JVM must export keying material when the server does");
                x.scram(name, PASSWORD, null, "tls-exporter", ekm);
            } else {
                AssertionError e = assertThrows(AssertionError.class,
                        () -> x.scram(name, PASSWORD, null, "tls-exporter", ekm == null ? new byte[32] : ekm));
                assertTrue(e.getMessage().contains("<not-authorized/>"), e.getMessage());
            }
        }
    }

    @Test // RFC 6120 §6.3.8: SCRAM's authzid must be the authenticating platform itself
    void authzidOfSelfIsAccepted() throws Exception {
        String name = Grid.platform(Grid.uniqueName("cb"), PASSWORD);
        try (RawXmpp x = RawXmpp.secured()) {
            x.scram(name, PASSWORD, name + "@grid.local", null, null);
        }
    }

    private static byte[] exporter(SSLSession s) {
        try {
            Method m = javax.net.ssl.ExtendedSSLSession.class.getMethod("exportKeyingMaterialData", String.class,
                    byte[].class, int.class);
            return (byte[]) m.invoke(s, "EXPORTER-Channel-Binding", new byte[0], 32);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
