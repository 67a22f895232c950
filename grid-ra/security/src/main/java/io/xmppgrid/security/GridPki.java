package io.xmppgrid.security;

import io.xmppgrid.xmpp.Jid;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The grid's certificate authority: creates the CA, the server certificate for the XMPP
 * domain, and platform certificates carrying an xmppAddr (XEP-0178) for SASL EXTERNAL.
 * Keys are ECDSA P-256, signatures SHA256withECDSA. Bouncy Castle builds the certificates;
 * the JDK's providers do the cryptography, so no provider is registered globally.
 */
public final class GridPki {

    public static final String CA_ALIAS = "grid-ca";
    public static final String SERVER_ALIAS = "server";
    public static final String PLATFORM_ALIAS = "platform";
    /** The signature algorithm for a signing key: ECDSA for the grid's own keys, RSA for an operator's RSA CA. */
    static String signatureAlgorithm(PrivateKey key) {
        return "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
    }
    private static final SecureRandom RANDOM = new SecureRandom();

    private GridPki() {
    }

    /** A private key with its certificate chain (leaf first). */
    public record Issued(PrivateKey key, X509Certificate[] chain) {
        public X509Certificate certificate() {
            return chain[0];
        }

        public String serialHex() {
            return chain[0].getSerialNumber().toString(16);
        }
    }

    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed CA certificate valid for {@code validity}. */
    public static Issued createCa(String commonName, Duration validity) {
        KeyPair kp = newKeyPair();
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "XMPP-Grid").addRDN(BCStyle.CN, commonName).build();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(name, name, kp, validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            X509Certificate cert = sign(b, kp.getPrivate());
            return new Issued(kp.getPrivate(), new X509Certificate[] {cert});
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot create the grid CA", e);
        }
    }

    /**
     * An intermediate CA signed by {@code parent} (basic constraints CA, path length 0; keyCertSign, cRLSign): what an
     * operator's offline root makes for the grid to hold online ({@link GridKeyMaterial#importCa}).
     */
    public static Issued issueCa(Issued parent, String commonName, Duration validity) {
        KeyPair kp = newKeyPair();
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "XMPP-Grid").addRDN(BCStyle.CN, commonName).build();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X500Name issuer = X500Name.getInstance(parent.certificate().getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder b = builder(issuer, name, kp, validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(parent.certificate()));
            X509Certificate cert = sign(b, parent.key());
            X509Certificate[] chain = new X509Certificate[parent.chain().length + 1];
            chain[0] = cert;
            System.arraycopy(parent.chain(), 0, chain, 1, parent.chain().length);
            return new Issued(kp.getPrivate(), chain);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot create an intermediate CA", e);
        }
    }

    /** A TLS server certificate for the XMPP domain (dNSName, XEP-0178 / RFC 6125) and extra names. */
    public static Issued issueServer(Issued ca, String domain, Duration validity, String... extraDnsNames) {
        ASN1EncodableVector names = new ASN1EncodableVector();
        names.add(new GeneralName(GeneralName.dNSName, domain));
        for (String n : extraDnsNames) {
            names.add(new GeneralName(GeneralName.dNSName, n));
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "XMPP-Grid").addRDN(BCStyle.CN, domain).build();
        // clientAuth too: the server presents it as the client of its outbound server-to-server links (issue 24), and a
        // peer that checks the purpose of a client certificate (OpenSSL does) would otherwise refuse it
        return issue(ca, subject, GeneralNames.getInstance(new DERSequence(names)), validity,
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
    }

    /** A platform certificate whose xmppAddr is {@code platform} (a bare JID), for SASL EXTERNAL. */
    public static Issued issuePlatform(Issued ca, Jid platform, Duration validity) {
        ASN1EncodableVector otherName = new ASN1EncodableVector();
        otherName.add(new ASN1ObjectIdentifier(CertificateIdentity.ID_ON_XMPP_ADDR));
        otherName.add(new DERTaggedObject(true, 0, new DERUTF8String(platform.bare().toString())));
        GeneralNames names = new GeneralNames(new GeneralName(GeneralName.otherName, new DERSequence(otherName)));
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "XMPP-Grid").addRDN(BCStyle.CN, platform.bare().toString()).build();
        return issue(ca, subject, names, validity, KeyPurposeId.id_kp_clientAuth);
    }

    /**
     * A client certificate for an administrator of the console: no xmppAddr (it can never be a
     * platform's EXTERNAL credential), organisational unit "administrators". Which administrator
     * it belongs to is recorded by its fingerprint, not read from its subject.
     */
    public static Issued issueAdministrator(Issued ca, String name, Duration validity) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "XMPP-Grid").addRDN(BCStyle.OU, "administrators").addRDN(BCStyle.CN, name).build();
        return issue(ca, subject, null, validity, KeyPurposeId.id_kp_clientAuth);
    }

    private static Issued issue(Issued ca, X500Name subject, GeneralNames sans, Duration validity, KeyPurposeId... purposes) {
        KeyPair kp = newKeyPair();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X500Name issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
            X509v3CertificateBuilder b = builder(issuer, subject, kp, validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(ca.certificate()));
            if (sans != null) {
                b.addExtension(Extension.subjectAlternativeName, false, sans);
            }
            X509Certificate cert = sign(b, ca.key());
            X509Certificate[] chain = new X509Certificate[ca.chain().length + 1];
            chain[0] = cert;
            System.arraycopy(ca.chain(), 0, chain, 1, ca.chain().length);
            return new Issued(kp.getPrivate(), chain);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot issue a certificate for " + subject, e);
        }
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair kp, Duration validity) {
        Instant now = Instant.now();
        BigInteger serial = new BigInteger(127, RANDOM).setBit(126); // positive, 16 bytes, never zero
        return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(validity)), subject, kp.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(signatureAlgorithm(key)).build(key);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /**
     * A CRL (RFC 5280 §5) of the grid CA listing {@code revoked} (serial → when), numbered
     * {@code number}, valid until {@code thisUpdate + validity}.
     */
    public static java.security.cert.X509CRL createCrl(Issued ca, java.util.Map<BigInteger, Instant> revoked,
                                                        BigInteger number, Instant thisUpdate, Duration validity) {
        try {
            X500Name issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
            org.bouncycastle.cert.X509v2CRLBuilder b = new org.bouncycastle.cert.X509v2CRLBuilder(issuer, Date.from(thisUpdate));
            b.setNextUpdate(Date.from(thisUpdate.plus(validity)));
            for (java.util.Map.Entry<BigInteger, Instant> r : revoked.entrySet()) {
                b.addCRLEntry(r.getKey(), Date.from(r.getValue()), org.bouncycastle.asn1.x509.CRLReason.privilegeWithdrawn);
            }
            b.addExtension(Extension.cRLNumber, false, new org.bouncycastle.asn1.x509.CRLNumber(number));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.certificate()));
            ContentSigner signer = new JcaContentSignerBuilder(signatureAlgorithm(ca.key())).build(ca.key());
            return new org.bouncycastle.cert.jcajce.JcaX509CRLConverter().getCRL(b.build(signer));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot sign the CRL", e);
        }
    }

    /** PEM text of a CRL. */
    public static String toPem(java.security.cert.X509CRL crl) {
        return pem(crl);
    }

    /** PKCS#12 bytes holding the key and chain under {@code alias}. */
    public static byte[] toPkcs12(Issued issued, String alias, char[] password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(alias, issued.key(), password, issued.chain());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ks.store(out, password);
            return out.toByteArray();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot write PKCS#12", e);
        }
    }

    /** Reads the first key entry of a PKCS#12 (or other) keystore. */
    public static Issued fromKeyStore(KeyStore ks, char[] password) {
        try {
            for (String alias : java.util.Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    Certificate[] chain = ks.getCertificateChain(alias);
                    X509Certificate[] x = new X509Certificate[chain.length];
                    for (int i = 0; i < chain.length; i++) {
                        x[i] = (X509Certificate) chain[i];
                    }
                    return new Issued((PrivateKey) ks.getKey(alias, password), x);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the key store", e);
        }
        throw new IllegalStateException("the key store has no key entry");
    }

    public static String toPem(X509Certificate cert) {
        return pem(cert);
    }

    private static String pem(Object o) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }
}
