package io.xmppgrid.sinttest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.admin.cli.GridAdmin;
import io.xmppgrid.client.sasl.Scram256Mechanism;
import java.io.File;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.igniterealtime.smack.inttest.Configuration;
import org.igniterealtime.smack.inttest.SmackIntegrationTestFramework;
import org.igniterealtime.smack.inttest.SmackIntegrationTestFramework.TestRunResult;
import org.igniterealtime.smack.inttest.XmppConnectionDescriptor;
import org.igniterealtime.smack.inttest.XmppConnectionManager;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jivesoftware.smack.SASLAuthentication;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs Smack's integration test framework against the deployed controller for XEP-0060 (Smack's
 * own PubSubIntegrationTest) and XEP-0030 (ours, the framework ships none), over STARTTLS with
 * SCRAM-SHA-256, three onboarded accounts, trust in the grid CA only. Every result is printed;
 * the test fails on any failed test that is not listed, with its reason, in the README.
 */
@ExtendWith(ArquillianExtension.class)
class SmackIntegrationSuiteIT {

    /** Failures we accept, each explained in the README ("Smack's integration tests"). None today. */
    private static final Set<String> KNOWN_FAILURES = Set.of();

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return ShrinkWrap.createFromZipFile(EnterpriseArchive.class, new File(System.getProperty("grid.ear")));
    }

    private static Path dataDir() {
        return Path.of(System.getProperty("grid.test.base.dir"), "data", "grid");
    }

    private static String account(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        int rc = GridAdmin.run(new String[] {"--url", "http://127.0.0.1:18080/grid-admin/api",
                "--token-file", dataDir().resolve("admin-token").toString(), "platform", "add", name, "--password", name + "-pass",
                "--role", "trusted"});
        assertEquals(0, rc, "onboarding " + name);
        return name;
    }

    private static X509TrustManager gridCa() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(dataDir().resolve("tls").resolve("ca.pem"))) {
            ks.setCertificateEntry("grid-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }

    @Test
    void smackIntegrationTestsForPubSubAndDisco() throws Exception {
        String one = account("sint-one");
        String two = account("sint-two");
        String three = account("sint-three");
        X509TrustManager trust = gridCa();
        SASLAuthentication.registerSASLMechanism(new Scram256Mechanism());
        XmppConnectionManager.addConnectionDescriptor(XmppConnectionDescriptor
                .buildWith(XMPPTCPConnection.class, XMPPTCPConnectionConfiguration.class, XMPPTCPConnectionConfiguration.Builder.class)
                .withNickname("grid")
                .applyExtraConfiguration(b -> {
                    b.setHostAddress(InetAddress.getLoopbackAddress()).setPort(15222).setCustomX509TrustManager(trust);
                    b.addEnabledSaslMechanism(Scram256Mechanism.NAME);
                })
                .build());
        Configuration config = Configuration.builder()
                .setService("grid.local")
                .setSecurityMode("required")
                .setUsernamesAndPassword(one, one + "-pass", two, two + "-pass", three, three + "-pass")
                .setDefaultConnection("grid")
                .setEnabledSpecifications("XEP-0060,XEP-0030")
                .addTestPackage("org.jivesoftware.smackx")
                .addTestPackage("io.xmppgrid.sinttest")
                .setReplyTimeout("15000")
                .setDebugger("none")
                .build();
        TestRunResult result = new SmackIntegrationTestFramework(config).run();

        Set<String> failed = new TreeSet<>();
        result.getSuccessfulTests().forEach(t -> System.out.println("SINTTEST PASS " + t.concreteTest));
        result.getFailedTests().forEach(t -> {
            System.out.println("SINTTEST FAIL " + t.concreteTest + ": " + t.failureReason);
            failed.add(t.concreteTest.getMethod().getDeclaringClass().getSimpleName() + "." + t.concreteTest.getMethod().getName());
        });
        result.getNotPossibleTests().forEach(t -> System.out.println("SINTTEST NOT-POSSIBLE " + t.concreteTest + ": "
                + t.testNotPossibleException.getMessage()));
        result.getImpossibleTestClasses().forEach((c, e) -> System.out.println("SINTTEST IMPOSSIBLE-CLASS " + c.getName() + ": " + e));
        System.out.println("SINTTEST SUMMARY " + result.getSuccessfulTests().size() + " passed, " + failed.size() + " failed, "
                + result.getNotPossibleTests().size() + " not possible, " + result.getImpossibleTestClasses().size() + " impossible classes");

        assertTrue(result.getSuccessfulTests().size() >= 6, "Smack's XEP-0060 tests and our XEP-0030 tests must have run");
        failed.removeAll(KNOWN_FAILURES);
        assertTrue(failed.isEmpty(), "failures not documented in the README: " + failed);
        assertTrue(result.getImpossibleTestClasses().isEmpty(), "test classes that could not run: " + result.getImpossibleTestClasses());
    }
}
