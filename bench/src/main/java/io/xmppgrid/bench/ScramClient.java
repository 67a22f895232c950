package io.xmppgrid.bench;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/** The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677), without channel binding. */
final class ScramClient {

    private final String user;
    private final String password;
    private final String nonce;
    private String clientFirstBare;
    private byte[] serverSignature;

    ScramClient(String user, String password) {
        this(user, password, newNonce());
    }

    ScramClient(String user, String password, String nonce) {
        this.user = user;
        this.password = password;
        this.nonce = nonce;
    }

    private static String newNonce() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().withoutPadding().encodeToString(b);
    }

    String clientFirst() {
        clientFirstBare = "n=" + user.replace("=", "=3D").replace(",", "=2C") + ",r=" + nonce;
        return "n,," + clientFirstBare;
    }

    String clientFinal(String serverFirst) {
        String r = null;
        String s = null;
        int i = 0;
        for (String part : serverFirst.split(",")) {
            if (part.startsWith("r=")) {
                r = part.substring(2);
            } else if (part.startsWith("s=")) {
                s = part.substring(2);
            } else if (part.startsWith("i=")) {
                i = Integer.parseInt(part.substring(2));
            }
        }
        if (r == null || s == null || i < 1 || !r.startsWith(nonce)) {
            throw new IllegalStateException("bad server-first-message: " + serverFirst);
        }
        try {
            byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(new PBEKeySpec(password.toCharArray(), Base64.getDecoder().decode(s), i, 256)).getEncoded();
            byte[] clientKey = hmac(salted, "Client Key");
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            String withoutProof = "c=biws,r=" + r;
            String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
            byte[] signature = hmac(storedKey, authMessage);
            byte[] proof = new byte[clientKey.length];
            for (int k = 0; k < proof.length; k++) {
                proof[k] = (byte) (clientKey[k] ^ signature[k]);
            }
            serverSignature = hmac(hmac(salted, "Server Key"), authMessage);
            return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the server-final-message proves the server knew the password too. */
    boolean verifyServerFinal(String serverFinal) {
        return serverFinal.startsWith("v=")
                && MessageDigest.isEqual(Base64.getDecoder().decode(serverFinal.substring(2)), serverSignature);
    }

    private static byte[] hmac(byte[] key, String data) throws GeneralSecurityException {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(key, "HmacSHA256"));
        return m.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }
}
