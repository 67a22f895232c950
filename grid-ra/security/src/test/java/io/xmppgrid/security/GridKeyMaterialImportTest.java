package io.xmppgrid.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.xmpp.Jid;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19 §5, an offline root: the operator's intermediate CA becomes the grid CA before the first start; everything the
 * grid issues then chains to the root (RFC 5280 §6 path validation with the root as the only anchor), the CRL is the
 * intermediate's, and what is not an intermediate with its chain is refused.
 */
class GridKeyMaterialImportTest {

    private static final char[] PW = "operator-p12-pw".toCharArray();

    @TempDir
    Path tmp;

    private final GridPki.Issued root = GridPki.createCa("Example Root", Duration.ofDays(3650));
    private final GridPki.Issued intermediate = GridPki.issueCa(root, "Example XMPP-Grid CA", Duration.ofDays(1825));

    private Path p12(GridPki.Issued issued) throws IOException {
        Path f = Files.createTempFile(tmp, "ca", ".p12");
        Files.write(f, GridPki.toPkcs12(issued, "ca", PW));
        return f;
    }

    @Test
    void everythingTheGridIssuesChainsToTheOfflineRoot() throws Exception {
        Path dir = tmp.resolve("tls");
        GridKeyMaterial m = GridKeyMaterial.importCa(dir, "grid.local", p12(intermediate), PW);
        assertEquals(intermediate.certificate(), m.ca().certificate());
        assertEquals(3, m.server().chain().length, "server, intermediate, root");
        validate(m.server().chain());
        validate(GridPki.issuePlatform(m.ca(), Jid.parse("sensor1@grid.local"), Duration.ofDays(30)).chain());
        m.publishCrl(Map.of(), BigInteger.ONE).verify(intermediate.certificate().getPublicKey());
        List<? extends java.security.cert.Certificate> pem;
        try (InputStream in = Files.newInputStream(dir.resolve(GridKeyMaterial.CA_PEM))) {
            pem = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
        assertEquals(List.of(intermediate.certificate(), root.certificate()), pem, "ca.pem: the grid CA, then the root");
        // a restart keeps it
        assertEquals(intermediate.certificate(), GridKeyMaterial.loadOrCreate(dir, "grid.local").ca().certificate());
        assertArrayEquals(m.server().chain(), GridKeyMaterial.loadOrCreate(dir, "grid.local").server().chain());
    }

    @Test
    void aGridWithACaAlreadyRefusesTheImport() throws Exception {
        Path dir = tmp.resolve("tls");
        GridKeyMaterial.loadOrCreate(dir, "grid.local");
        IOException e = assertThrows(IOException.class, () -> GridKeyMaterial.importCa(dir, "grid.local", p12(intermediate), PW));
        assertTrue(e.getMessage().contains("has a CA already"), e.getMessage());
    }

    @Test
    void aRootsKeyOrANonCaOrAWrongPasswordIsRefused() throws Exception {
        Path dir = tmp.resolve("tls");
        IOException rootKey = assertThrows(IOException.class, () -> GridKeyMaterial.importCa(dir, "grid.local", p12(root), PW));
        assertTrue(rootKey.getMessage().contains("root's key"), rootKey.getMessage());
        GridPki.Issued leaf = GridPki.issuePlatform(intermediate, Jid.parse("p@grid.local"), Duration.ofDays(1));
        IOException notCa = assertThrows(IOException.class, () -> GridKeyMaterial.importCa(dir, "grid.local", p12(leaf), PW));
        assertTrue(notCa.getMessage().contains("not a CA"), notCa.getMessage());
        assertThrows(IOException.class, () -> GridKeyMaterial.importCa(dir, "grid.local", p12(intermediate),
                "wrong".toCharArray()));
        GridPki.Issued other = GridPki.createCa("Example Root", Duration.ofDays(10)); // the root's name, another key
        GridPki.Issued forged = new GridPki.Issued(intermediate.key(), new X509Certificate[] {intermediate.certificate(),
            other.certificate()});
        IOException broken = assertThrows(IOException.class, () -> GridKeyMaterial.importCa(dir, "grid.local", p12(forged), PW));
        assertTrue(broken.getMessage().contains("does not verify"), broken.getMessage());
        assertTrue(!Files.exists(dir.resolve(GridKeyMaterial.CA_P12)), "nothing was written");
    }

    /** RFC 5280 §6 with the root as the only trust anchor. */
    private void validate(X509Certificate[] chain) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        PKIXParameters p = new PKIXParameters(Set.of(new TrustAnchor(root.certificate(), null)));
        p.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(Arrays.asList(chain).subList(0, chain.length - 1)), p);
    }
}
