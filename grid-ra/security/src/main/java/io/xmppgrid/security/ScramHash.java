package io.xmppgrid.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/** The hash families of SCRAM (RFC 5802 for SHA-1, RFC 7677 for SHA-256) and their primitives. */
public enum ScramHash {
    SHA_256("SHA-256", "HmacSHA256", "PBKDF2WithHmacSHA256", "SCRAM-SHA-256"),
    SHA_1("SHA-1", "HmacSHA1", "PBKDF2WithHmacSHA1", "SCRAM-SHA-1");

    private final String digest;
    private final String hmac;
    private final String pbkdf2;
    private final String mechanism;

    ScramHash(String digest, String hmac, String pbkdf2, String mechanism) {
        this.digest = digest;
        this.hmac = hmac;
        this.pbkdf2 = pbkdf2;
        this.mechanism = mechanism;
    }

    /** The JCA digest name, also the name stored with a credential. */
    public String digestName() {
        return digest;
    }

    public String mechanism() {
        return mechanism;
    }

    public static ScramHash byDigestName(String name) {
        for (ScramHash h : values()) {
            if (h.digest.equals(name)) {
                return h;
            }
        }
        throw new IllegalArgumentException("unknown SCRAM hash " + name);
    }

    public byte[] hash(byte[] data) {
        try {
            return MessageDigest.getInstance(digest).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(hmac);
            mac.init(new SecretKeySpec(key, hmac));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] hmac(byte[] key, String data) {
        return hmac(key, data.getBytes(StandardCharsets.UTF_8));
    }

    /** Hi(password, salt, i) of RFC 5802 §2.2, which is PBKDF2 with this HMAC. */
    public byte[] saltedPassword(char[] normalizedPassword, byte[] salt, int iterations) {
        try {
            int bits = hash(new byte[0]).length * 8;
            PBEKeySpec spec = new PBEKeySpec(normalizedPassword, salt, iterations, bits);
            try {
                return SecretKeyFactory.getInstance(pbkdf2).generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
