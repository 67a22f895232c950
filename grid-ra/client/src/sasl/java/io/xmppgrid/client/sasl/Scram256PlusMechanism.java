package io.xmppgrid.client.sasl;

import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Locale;
import org.jivesoftware.smack.SmackException.SmackSaslException;
import org.jivesoftware.smack.sasl.SASLMechanism;

/** SCRAM-SHA-256-PLUS with tls-server-end-point (RFC 5929 §4.1: hash of the server certificate). */
public class Scram256PlusMechanism extends Scram256Mechanism {

    public static final String NAME = "SCRAM-SHA-256-PLUS";

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public int getPriority() {
        return 80;
    }

    @Override
    protected SASLMechanism newInstance() {
        return new Scram256PlusMechanism();
    }

    @Override
    protected String cbindFlag() {
        return "p=tls-server-end-point";
    }

    @Override
    protected byte[] channelBindingData() throws SmackSaslException {
        try {
            X509Certificate server = (X509Certificate) sslSession.getPeerCertificates()[0];
            String alg = server.getSigAlgName().toUpperCase(Locale.ROOT);
            String hash = alg.startsWith("SHA384") ? "SHA-384" : alg.startsWith("SHA512") ? "SHA-512" : "SHA-256";
            return MessageDigest.getInstance(hash).digest(server.getEncoded());
        } catch (Exception e) {
            throw new SmackSaslException(e);
        }
    }
}
