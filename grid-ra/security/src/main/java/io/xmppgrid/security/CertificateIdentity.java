package io.xmppgrid.security;

import io.xmppgrid.xmpp.Jid;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;

/**
 * The XMPP identities a certificate asserts (XEP-0178, RFC 6120 §13.7.1.4): xmppAddr
 * ({@code id-on-xmppAddr}, 1.3.6.1.5.5.7.8.5) otherName entries in the subjectAltName for
 * clients, dNSName entries for servers. Read from the structured extension only: the subject
 * DN is never parsed.
 */
public final class CertificateIdentity {

    public static final String ID_ON_XMPP_ADDR = "1.3.6.1.5.5.7.8.5";

    private CertificateIdentity() {
    }

    /** The xmppAddr values that are valid JIDs, in certificate order. */
    public static List<Jid> xmppAddrs(X509Certificate cert) {
        List<Jid> out = new ArrayList<>();
        for (List<?> san : sans(cert)) {
            if (((Integer) san.get(0)) == 0 && san.get(1) instanceof byte[]) {
                String addr = otherNameValue((byte[]) san.get(1), ID_ON_XMPP_ADDR);
                Jid jid = addr == null ? null : Jid.parseOrNull(addr);
                if (jid != null) {
                    out.add(jid);
                }
            }
        }
        return out;
    }

    /** The dNSName values, lower case, in certificate order. */
    public static List<String> dnsNames(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        for (List<?> san : sans(cert)) {
            if (((Integer) san.get(0)) == 2 && san.get(1) instanceof String) {
                out.add(((String) san.get(1)).toLowerCase(java.util.Locale.ROOT));
            }
        }
        return out;
    }

    /**
     * The bare JIDs in {@code domain} that this client certificate may authenticate as:
     * its xmppAddr identities with a localpart and that domain.
     */
    public static List<Jid> clientIdentities(X509Certificate cert, Jid domain) {
        List<Jid> out = new ArrayList<>();
        for (Jid j : xmppAddrs(cert)) {
            if (j.local() != null && j.resource() == null && j.domainPart().equals(domain.domainPart())) {
                out.add(j);
            }
        }
        return out;
    }

    private static Collection<List<?>> sans(X509Certificate cert) {
        try {
            Collection<List<?>> s = cert.getSubjectAlternativeNames();
            return s == null ? List.of() : s;
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    /** OtherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }; the value as a string. */
    static String otherNameValue(byte[] der, String oid) {
        try {
            ASN1Primitive p = ASN1Primitive.fromByteArray(der);
            if (p instanceof ASN1TaggedObject) { // the JDK hands over the GeneralName [0] wrapper
                p = ((ASN1TaggedObject) p).getBaseObject().toASN1Primitive();
            }
            ASN1Sequence seq = ASN1Sequence.getInstance(p);
            if (seq.size() != 2 || !ASN1ObjectIdentifier.getInstance(seq.getObjectAt(0)).getId().equals(oid)) {
                return null;
            }
            ASN1Encodable v = seq.getObjectAt(1);
            while (v instanceof ASN1TaggedObject) {
                v = ((ASN1TaggedObject) v).getBaseObject();
            }
            return v instanceof ASN1String ? ((ASN1String) v).getString() : null;
        } catch (Exception e) {
            return null;
        }
    }
}
