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
 * must carry the CA's signature, be current (its nextUpdate not passed) and not be older than one
 * this node has seen (its CRL number, RFC 5280 §5.2.3: an attacker cannot put back an older signed
 * list); a CRL that is missing, does not verify, is stale or older refuses EXTERNAL logins (fail
 * closed, issue 19 §6) until a good one is published (the application publishes one at every start,
 * after every revocation, and before the current one expires).
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
    /** The highest CRL number this node has accepted. */
    private java.math.BigInteger highest = java.math.BigInteger.valueOf(-1);

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
            throw new Unusable("no CRL at " + file + " (the application publishes one as it starts)");
        } catch (IOException e) {
            throw new Unusable("cannot read " + file + ": " + e.getMessage());
        }
        if (!mtime.equals(loadedAt)) {
            load(mtime);
        }
        if (problem != null) {
            throw new Unusable(problem);
        }
        if (crl.getNextUpdate() != null && crl.getNextUpdate().before(new java.util.Date())) {
            throw new Unusable("the CRL " + file + " expired at " + crl.getNextUpdate().toInstant());
        }
        return cert.getIssuerX500Principal().equals(crl.getIssuerX500Principal()) && crl.isRevoked(cert);
    }

    /** The CRL number extension (2.5.29.20, RFC 5280 §5.2.3); -1 when absent. */
    static java.math.BigInteger number(X509CRL c) {
        byte[] ext = c.getExtensionValue("2.5.29.20");
        if (ext == null) {
            return java.math.BigInteger.valueOf(-1);
        }
        return org.bouncycastle.asn1.ASN1Integer.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets()).getValue();
    }

    private void load(FileTime mtime) {
        loadedAt = mtime;
        try (InputStream in = Files.newInputStream(file)) {
            X509CRL c = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
            c.verify(ca.getPublicKey());
            java.math.BigInteger number = number(c);
            if (number.compareTo(highest) < 0) {
                throw new GeneralSecurityException("CRL number " + number + " is older than " + highest
                        + ", which this node accepted before");
            }
            highest = number;
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
