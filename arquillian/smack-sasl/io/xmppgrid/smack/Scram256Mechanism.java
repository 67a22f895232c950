package io.xmppgrid.smack;

import io.xmppgrid.security.ScramHash;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.security.auth.callback.CallbackHandler;
import org.jivesoftware.smack.SmackException.SmackSaslException;
import org.jivesoftware.smack.sasl.SASLMechanism;

/**
 * SCRAM-SHA-256 (RFC 7677) for Smack 4.4 and 4.5, whose own SCRAM hashes StoredKey with SHA-1 whatever
 * the HMAC. Written against the RFC, not Smack's code; {@link Scram256PlusMechanism} adds
 * channel binding.
 */
public class Scram256Mechanism extends SASLMechanism {

    public static final String NAME = "SCRAM-SHA-256";
    private static final ScramHash H = ScramHash.SHA_256;

    private String gs2Header;
    private String clientFirstBare;
    private String nonce;
    private byte[] expectedServerSignature;
    private boolean verified;
    private int step;

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public int getPriority() {
        return 90;
    }

    @Override
    protected SASLMechanism newInstance() {
        return new Scram256Mechanism();
    }

    @Override
    public boolean authzidSupported() {
        return true;
    }

    @Override
    protected void authenticateInternal(CallbackHandler cbh) {
        throw new UnsupportedOperationException("callback handlers are not used");
    }

    /** "n" without channel binding; the -PLUS subclass returns "p=type". */
    protected String cbindFlag() {
        return "n";
    }

    protected byte[] channelBindingData() throws SmackSaslException {
        return new byte[0];
    }

    private static String saslName(String s) {
        return s.replace("=", "=3D").replace(",", "=2C");
    }

    @Override
    protected byte[] getAuthenticationText() {
        byte[] r = new byte[18];
        new SecureRandom().nextBytes(r);
        nonce = Base64.getEncoder().encodeToString(r);
        gs2Header = cbindFlag() + "," + (authorizationId == null ? "" : "a=" + saslName(authorizationId.toString())) + ",";
        clientFirstBare = "n=" + saslName(authenticationId) + ",r=" + nonce;
        return (gs2Header + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected byte[] evaluateChallenge(byte[] challenge) throws SmackSaslException {
        String c = new String(challenge, StandardCharsets.UTF_8);
        if (step++ == 0) {
            String serverNonce = null;
            String salt = null;
            int iterations = 0;
            for (String attr : c.split(",")) {
                if (attr.startsWith("r=")) {
                    serverNonce = attr.substring(2);
                } else if (attr.startsWith("s=")) {
                    salt = attr.substring(2);
                } else if (attr.startsWith("i=")) {
                    iterations = Integer.parseInt(attr.substring(2));
                }
            }
            if (serverNonce == null || !serverNonce.startsWith(nonce) || salt == null || iterations < 4096) {
                throw new SmackSaslException("bad server-first-message: " + c);
            }
            byte[] header = gs2Header.getBytes(StandardCharsets.UTF_8);
            byte[] cb = channelBindingData();
            byte[] cbind = new byte[header.length + cb.length];
            System.arraycopy(header, 0, cbind, 0, header.length);
            System.arraycopy(cb, 0, cbind, header.length, cb.length);
            String withoutProof = "c=" + Base64.getEncoder().encodeToString(cbind) + ",r=" + serverNonce;
            String authMessage = clientFirstBare + "," + c + "," + withoutProof;
            byte[] salted = H.saltedPassword(password.toCharArray(), Base64.getDecoder().decode(salt), iterations);
            byte[] clientKey = H.hmac(salted, "Client Key");
            byte[] signature = H.hmac(H.hash(clientKey), authMessage);
            byte[] proof = new byte[clientKey.length];
            for (int i = 0; i < proof.length; i++) {
                proof[i] = (byte) (clientKey[i] ^ signature[i]);
            }
            expectedServerSignature = H.hmac(H.hmac(salted, "Server Key"), authMessage);
            return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
        }
        // server-final-message, carried in <success/>
        if (!c.startsWith("v=") || !MessageDigest.isEqual(Base64.getDecoder().decode(c.substring(2)), expectedServerSignature)) {
            throw new SmackSaslException("the server's signature does not verify: " + c);
        }
        verified = true;
        return null;
    }

    @Override
    public void checkIfSuccessfulOrThrow() throws SmackSaslException {
        if (!verified) {
            throw new SmackSaslException("the server never proved it knows the credential");
        }
    }
}
