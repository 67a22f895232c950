package io.xmppgrid.security;

import io.xmppgrid.ra.api.PlatformCredentials.ScramKeys;
import java.nio.CharBuffer;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Arrays;

/**
 * Derives what the server stores for a SCRAM credential (RFC 5802 §3): a random salt, the
 * iteration count, StoredKey = H(HMAC(SaltedPassword, "Client Key")) and
 * ServerKey = HMAC(SaltedPassword, "Server Key"). The password itself is never kept.
 */
public final class ScramCredentials {

    /** RFC 7677 §4: at least 4096; we default higher. */
    public static final int MIN_ITERATIONS = 4096;
    public static final int DEFAULT_ITERATIONS = 10000;
    private static final int MAX_ITERATIONS = 1_000_000;

    /**
     * The iteration count for new credentials (and for the simulated exchange of unknown users, so
     * both look alike): {@code grid.scram.iterations}, bounded to 4096..1,000,000, else 10,000.
     */
    public static int iterations() {
        Integer configured = Integer.getInteger("grid.scram.iterations");
        return configured == null ? DEFAULT_ITERATIONS : Math.max(MIN_ITERATIONS, Math.min(MAX_ITERATIONS, configured));
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private ScramCredentials() {
    }

    public static ScramKeys derive(ScramHash hash, char[] password, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return derive(hash, password, salt, iterations);
    }

    public static ScramKeys derive(ScramHash hash, char[] password, byte[] salt, int iterations) {
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException("SCRAM iteration count below " + MIN_ITERATIONS);
        }
        char[] prepared = prepare(password);
        byte[] salted = hash.saltedPassword(prepared, salt, iterations);
        Arrays.fill(prepared, '\0');
        try {
            byte[] clientKey = hash.hmac(salted, "Client Key");
            byte[] storedKey = hash.hash(clientKey);
            byte[] serverKey = hash.hmac(salted, "Server Key");
            return new ScramKeys(hash.digestName(), salt, iterations, storedKey, serverKey);
        } finally {
            Arrays.fill(salted, (byte) 0);
        }
    }

    /**
     * The password as SCRAM hashes it. RFC 5802 asks for SASLprep; for the ASCII passwords
     * the onboarding command generates this is the identity, and for others NFKC is the
     * mapping SASLprep and its successor OpaqueString (RFC 8265) agree on.
     */
    static char[] prepare(char[] password) {
        String s = Normalizer.normalize(CharBuffer.wrap(password), Normalizer.Form.NFKC);
        return s.toCharArray();
    }

}
