package io.xmppgrid.client.sasl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.spec.KeySpec;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import javax.security.auth.callback.CallbackHandler;
import org.jivesoftware.smack.SmackException.SmackSaslException;
import org.jivesoftware.smack.sasl.SASLMechanism;

/**
 * SCRAM-SHA-256 (RFC 7677, RFC 5802) for Smack 4.4 and 4.5, whose own SCRAM hashes StoredKey with SHA-1 whatever
 * the HMAC. Written against the RFC, not Smack's code; JDK cryptography only. Without channel binding the GS2 flag is
 * {@code n}; {@link Scram256PlusMechanism} adds {@code tls-server-end-point} channel binding. The client refuses a
 * server-first-message whose nonce does not extend its own or whose iteration count is below 4096, and a success
 * whose server signature does not verify (the server must prove it knows the credential).
 */
public class Scram256Mechanism extends SASLMechanism {

    public static final String NAME = "SCRAM-SHA-256";

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
            byte[] salted = hi(password.toCharArray(), Base64.getDecoder().decode(salt), iterations);
            byte[] clientKey = hmac(salted, "Client Key");
            byte[] signature = hmac(sha256(clientKey), authMessage);
            byte[] proof = new byte[clientKey.length];
            for (int i = 0; i < proof.length; i++) {
                proof[i] = (byte) (clientKey[i] ^ signature[i]);
            }
            expectedServerSignature = hmac(hmac(salted, "Server Key"), authMessage);
            return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
        }
        // server-final-message, carried in <success/>
        if (!c.startsWith("v=") || !MessageDigest.isEqual(Base64.getDecoder().decode(c.substring(2)), expectedServerSignature)) {
            throw new SmackSaslException("the server's signature does not verify: " + c);
        }
        verified = true;
        return null;
    }

    /** Hi() of RFC 5802 §2.2: PBKDF2 with HMAC-SHA-256 (the JDK encodes the password as UTF-8). */
    private static byte[] hi(char[] password, byte[] salt, int iterations) throws SmackSaslException {
        try {
            KeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (java.security.GeneralSecurityException e) {
            throw new SmackSaslException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) throws SmackSaslException {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new SmackSaslException(e);
        }
    }

    private static byte[] sha256(byte[] data) throws SmackSaslException {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.GeneralSecurityException e) {
            throw new SmackSaslException(e);
        }
    }

    @Override
    public void checkIfSuccessfulOrThrow() throws SmackSaslException {
        if (!verified) {
            throw new SmackSaslException("the server never proved it knows the credential");
        }
    }
}
