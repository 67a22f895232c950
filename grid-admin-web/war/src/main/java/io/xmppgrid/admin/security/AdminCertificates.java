package io.xmppgrid.admin.security;

import io.xmppgrid.ejb.GridSettings;
import io.xmppgrid.security.GridKeyMaterial;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * Checks an administrator's client certificate: issued (signed) by the grid CA, within its
 * validity, and not on the CA's CRL. Which administrator it belongs to is decided by its
 * SHA-256 fingerprint, never by its subject.
 */
final class AdminCertificates {

    private AdminCertificates() {
    }

    /** Null when the certificate is acceptable, else why not. */
    static String check(X509Certificate cert) {
        try {
            Path dir = GridSettings.tlsDirectory();
            X509Certificate ca; // the public certificate: a sign-in neither opens the CA's key store nor creates one
            try (InputStream in = Files.newInputStream(dir.resolve(GridKeyMaterial.CA_PEM))) {
                ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            }
            try {
                cert.verify(ca.getPublicKey());
            } catch (java.security.GeneralSecurityException e) {
                return "not issued by the grid CA (" + cert.getIssuerX500Principal().getName() + ")";
            }
            cert.checkValidity();
            Path crlFile = dir.resolve(GridKeyMaterial.CRL_PEM);
            if (Files.exists(crlFile)) {
                try (InputStream in = Files.newInputStream(crlFile)) {
                    X509CRL crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(in);
                    crl.verify(ca.getPublicKey());
                    if (crl.isRevoked(cert)) {
                        return "revoked (serial " + cert.getSerialNumber().toString(16) + ")";
                    }
                }
            }
            return null;
        } catch (java.security.cert.CertificateExpiredException | java.security.cert.CertificateNotYetValidException e) {
            return "outside its validity: " + e.getMessage();
        } catch (Exception e) {
            return "cannot be checked: " + e.getMessage();
        }
    }

    static String sha256(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException("SHA-256 of a certificate", e);
        }
    }
}
