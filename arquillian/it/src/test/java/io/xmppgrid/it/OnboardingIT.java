package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.xmppgrid.security.CertificateIdentity;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The onboarding command against the running node: accounts, generated passwords, certificates. */
@ExtendWith(ArquillianExtension.class)
class OnboardingIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    @Test
    void generatedPasswordLogsIn() throws Exception {
        String name = Grid.uniqueName("gen");
        Grid.Result r = Grid.admin("platform", "add", name);
        assertEquals(0, r.status(), r.err());
        Matcher m = Pattern.compile("\"password\":\"([^\"]+)\"").matcher(r.out());
        assertTrue(m.find(), "no generated password in " + r.out());
        assertTrue(r.out().contains("\"jid\":\"" + name + "@grid.local\""), r.out());
        try (RawXmpp x = RawXmpp.bound(name, m.group(1))) {
            x.send("<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>");
            assertTrue(x.await("id=\"p1\"").contains("type=\"result\""));
        }
    }

    @Test
    void duplicatePlatformIsRefused() {
        String name = Grid.platform(Grid.uniqueName("dup"), "duplicate-pass-1");
        Grid.Result again = Grid.admin("platform", "add", name, "--password", "duplicate-pass-2");
        assertEquals(1, again.status());
        assertTrue(again.err().contains("already exists"), again.err());
    }

    @Test
    void shortPasswordIsRefused() {
        Grid.Result r = Grid.admin("platform", "add", Grid.uniqueName("short"), "--password", "short");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("shorter than 12"), r.err());
    }

    @Test
    void apiRequiresTheToken() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(Grid.ADMIN_URL + "/platforms"))
                .header("Authorization", "Bearer not-the-token")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=intruder")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode());
    }

    @Test // XEP-0178 §2: the certificate names the platform in an xmppAddr, signed by the grid CA
    void issuedCertificateCarriesXmppAddr() throws Exception {
        String name = Grid.uniqueName("cert");
        Path out = Files.createTempFile("platform", ".p12");
        Grid.Result r = Grid.admin("cert", "issue", name, "--out", out.toString(), "--p12-password", "p12-secret-123");
        assertEquals(0, r.status(), r.err());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(out)) {
            ks.load(in, "p12-secret-123".toCharArray());
        }
        X509Certificate cert = (X509Certificate) ks.getCertificate(ks.aliases().nextElement());
        assertEquals(name + "@grid.local", CertificateIdentity.xmppAddrs(cert).get(0).toString());
        cert.verify(Grid.caCertificate().getPublicKey());
    }
}
