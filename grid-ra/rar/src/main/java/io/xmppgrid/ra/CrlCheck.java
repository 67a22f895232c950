package io.xmppgrid.ra;

import io.xmppgrid.security.GridKeyMaterial;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;

/**
 * The grid CA's CRL (RFC 5280 §5, {@code crl.pem} in the TLS directory), checked at every SASL
 * EXTERNAL login in addition to the database's list. The file is read again when it changes and
 * must carry the CA's signature; a CRL that does not verify refuses EXTERNAL logins (fail closed)
 * until a good one is published.
 */
final class CrlCheck {

    /** The CRL exists but cannot be trusted. */
    static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String message) {
            super(message, null, false, false);
        }
    }

    private final Path file;
    private final X509Certificate ca;
    private FileTime loadedAt;
    private X509CRL crl;
    private String problem;

    CrlCheck(Path tlsDirectory, X509Certificate ca) {
        this.file = tlsDirectory.resolve(GridKeyMaterial.CRL_PEM);
        this.ca = ca;
    }

    /** Whether the grid CA's CRL lists this certificate. */
    synchronized boolean revoked(X509Certificate cert) throws Unusable {
        FileTime mtime;
        try {
            mtime = Files.getLastModifiedTime(file);
        } catch (NoSuchFileException e) {
            return false; // none published yet: the database's list still applies
        } catch (IOException e) {
            throw new Unusable("cannot read " + file + ": " + e.getMessage());
        }
        if (!mtime.equals(loadedAt)) {
            load(mtime);
        }
        if (problem != null) {
            throw new Unusable(problem);
        }
        return cert.getIssuerX500Principal().equals(crl.getIssuerX500Principal()) && crl.isRevoked(cert);
    }

    private void load(FileTime mtime) {
        loadedAt = mtime;
        try (InputStream in = Files.newInputStream(file)) {
            X509CRL c = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
            c.verify(ca.getPublicKey());
            crl = c;
            problem = null;
            Log.AUTH.infof("GRIDRA0205: CRL loaded from %s: %d revoked certificates, next update %s", file,
                    c.getRevokedCertificates() == null ? 0 : c.getRevokedCertificates().size(), c.getNextUpdate());
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            crl = null;
            problem = "the CRL " + file + " is not a valid CRL of the grid CA: " + e.getMessage();
            Log.AUTH.errorf("GRIDRA0206: %s; EXTERNAL logins are refused until a good one is published", problem);
        }
    }
}
