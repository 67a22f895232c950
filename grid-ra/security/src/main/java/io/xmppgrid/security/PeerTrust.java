package io.xmppgrid.security;

import io.xmppgrid.xmpp.Jid;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a federated peer grid is trusted with (issue 24): its own trust anchors (the peer grid's CA,
 * imported by an administrator, never the grid CA nor the JDK's) and, optionally, a pin of its
 * server key. A peer server's certificate is accepted for a domain only when it chains to that
 * peer's anchors, is valid now, names the domain (RFC 6125 DNS-ID, one leftmost wildcard label at
 * most, or an xmppAddr of the bare domain: XEP-0178 §3) and, when pinned, carries the pinned key.
 */
public final class PeerTrust {

    /** PEM of a peer's anchors: at most this many bytes and certificates. */
    public static final int MAX_PEM_BYTES = 16 * 1024;
    public static final int MAX_ANCHORS = 8;

    private final String domain;
    private final List<X509Certificate> anchors;
    private final String pin;

    private PeerTrust(String domain, List<X509Certificate> anchors, String pin) {
        this.domain = domain;
        this.anchors = anchors;
        this.pin = pin;
    }

    /**
     * A peer's trust from what an administrator gave: a domain (a bare domain JID), the peer CA's
     * certificates as PEM, and an optional pin ({@link #spkiPin}: 64 hex digits).
     *
     * @throws IllegalArgumentException naming what is wrong, in words an administrator can act on
     */
    public static PeerTrust of(String domain, String pem, String pin) {
        Jid d = domain == null ? null : Jid.parseOrNull(domain.strip());
        if (d == null || d.local() != null || d.resource() != null || !d.domainPart().contains(".")) {
            throw new IllegalArgumentException("a peer is a domain name such as grid.example.org (got " + domain + ")");
        }
        String p = pin == null || pin.isBlank() ? null : pin.strip().toLowerCase(Locale.ROOT).replace(":", "");
        if (p != null && !p.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a pin is the SHA-256 of the peer server's public key (SubjectPublicKeyInfo),"
                    + " 64 hexadecimal digits");
        }
        return new PeerTrust(d.domainPart(), parseAnchors(pem), p);
    }

    /** The CA certificates in {@code pem}: 1 to {@value #MAX_ANCHORS}, each a CA, none expired. */
    public static List<X509Certificate> parseAnchors(String pem) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException("the peer's CA certificate (PEM) is required");
        }
        byte[] bytes = pem.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length > MAX_PEM_BYTES) {
            throw new IllegalArgumentException("the PEM is over " + MAX_PEM_BYTES + " bytes");
        }
        Collection<? extends java.security.cert.Certificate> certs;
        try {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not PEM certificates: " + e.getMessage());
        }
        if (certs.isEmpty() || certs.size() > MAX_ANCHORS) {
            throw new IllegalArgumentException("1 to " + MAX_ANCHORS + " CA certificates are expected (got " + certs.size() + ")");
        }
        List<X509Certificate> out = new ArrayList<>();
        for (java.security.cert.Certificate c : certs) {
            X509Certificate x = (X509Certificate) c;
            if (x.getBasicConstraints() < 0) {
                throw new IllegalArgumentException(x.getSubjectX500Principal().getName() + " is not a CA certificate");
            }
            try {
                x.checkValidity();
            } catch (CertificateException e) {
                throw new IllegalArgumentException(x.getSubjectX500Principal().getName() + " is not valid now: " + e.getMessage());
            }
            out.add(x);
        }
        return List.copyOf(out);
    }

    public String domain() {
        return domain;
    }

    public List<X509Certificate> anchors() {
        return anchors;
    }

    /** The pinned key (hex SHA-256 of the SubjectPublicKeyInfo), or null. */
    public String pin() {
        return pin;
    }

    /**
     * Whether {@code chain} (leaf first, as the TLS handshake gave it) authenticates this peer's domain
     * at {@code now}.
     *
     * @throws CertificateException saying why not
     */
    public void verify(X509Certificate[] chain, Instant now) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("no certificate");
        }
        X509Certificate leaf = chain[0];
        try {
            Set<TrustAnchor> ta = new HashSet<>();
            for (X509Certificate a : anchors) {
                ta.add(new TrustAnchor(a, null));
            }
            PKIXParameters params = new PKIXParameters(ta);
            params.setRevocationEnabled(false); // the anchors are this peer's own; revoking it is removing the peer
            params.setDate(Date.from(now));
            List<X509Certificate> path = new ArrayList<>(Arrays.asList(chain));
            path.removeIf(c -> anchors.contains(c)); // a chain that includes the anchor itself
            CertPathValidator.getInstance("PKIX").validate(
                    CertificateFactory.getInstance("X.509").generateCertPath(path), params);
        } catch (GeneralSecurityException e) {
            throw new CertificateException("not issued by the CA configured for " + domain + ": " + e.getMessage());
        }
        if (!names(leaf, domain)) {
            throw new CertificateException("the certificate does not name " + domain);
        }
        if (pin != null && !pin.equals(spkiPin(leaf))) {
            throw new CertificateException("the certificate's key is not the one pinned for " + domain);
        }
    }

    /** RFC 6125 §6.4: a DNS-ID equal to the domain, or with one wildcard leftmost label; or xmppAddr = domain. */
    static boolean names(X509Certificate cert, String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        for (String dns : CertificateIdentity.dnsNames(cert)) {
            if (dns.equals(d)) {
                return true;
            }
            if (dns.startsWith("*.") && d.indexOf('.') > 0 && dns.substring(2).equals(d.substring(d.indexOf('.') + 1))
                    && dns.substring(2).contains(".")) {
                return true;
            }
        }
        for (Jid j : CertificateIdentity.xmppAddrs(cert)) {
            if (j.local() == null && j.resource() == null && j.domainPart().equals(d)) {
                return true;
            }
        }
        return false;
    }

    /** SHA-256 of the certificate's SubjectPublicKeyInfo, hex (what a pin names: survives re-issuing the same key). */
    public static String spkiPin(X509Certificate cert) {
        return HexFormat.of().formatHex(sha256(cert.getPublicKey().getEncoded()));
    }

    /** SHA-256 of the whole certificate, hex with colons (what administrators compare by telephone). */
    public static String fingerprint(X509Certificate cert) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256(cert.getEncoded()));
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
