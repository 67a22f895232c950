package io.xmppgrid.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Administrator password hashes: PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) with a random 16-byte salt,
 * stored as {@code pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>}. The password is one of
 * two factors (RFC 8600 §8.3.2: no password-only authentication for administrators).
 */
public final class AdminPasswords {

    /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
    public static final int ITERATIONS = 600_000;
    public static final int MIN_LENGTH = 12;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "pbkdf2-sha256";

    private AdminPasswords() {
    }

    public static String hash(char[] password) {
        return hash(password, ITERATIONS);
    }

    static String hash(char[] password, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder();
        return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(derive(password, salt, iterations));
    }

    /** Whether the password matches the stored hash (constant-time comparison). */
    public static boolean matches(char[] password, String stored) {
        if (stored == null) {
            return false;
        }
        String[] p = stored.split("\\$");
        if (p.length != 4 || !p[0].equals(PREFIX)) {
            return false;
        }
        Base64.Decoder b64 = Base64.getDecoder();
        byte[] expected = b64.decode(p[3]);
        return MessageDigest.isEqual(expected, derive(password, b64.decode(p[2]), Integer.parseInt(p[1])));
    }

    /** A hash of a random password, for making failures of unknown names cost the same. */
    public static String decoy() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return hash(new String(b, StandardCharsets.ISO_8859_1).toCharArray());
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
            try {
                return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
            } finally {
                spec.clearPassword();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        }
    }
}
