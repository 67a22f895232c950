package io.xmppgrid.ejb;

import io.xmppgrid.ejb.audit.AuditChain;
import io.xmppgrid.security.Totp;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Administrators' TOTP secrets at rest (issue 19 §5): sealed with AES-256-GCM under a key derived from the audit key
 * (HMAC-SHA256 with a label of its own), which lives outside the database and which cluster nodes share; the
 * administrator's name is the associated data, so a sealed secret does not work for another row. Someone who reads
 * the database alone learns no second factor. Values stored in clear before (base32) are still read, and sealed.
 */
final class TotpSecrets {

    private static final String PREFIX = "v1.";
    private static final String LABEL = "xmpp-grid administrator totp secrets v1";
    private static final SecureRandom RANDOM = new SecureRandom();

    private TotpSecrets() {
    }

    static String seal(String administrator, byte[] secret) {
        try {
            byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key(), new GCMParameterSpec(128, nonce));
            c.updateAAD(administrator.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(secret);
            byte[] out = Arrays.copyOf(nonce, nonce.length + ct.length);
            System.arraycopy(ct, 0, out, nonce.length, ct.length);
            return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a TOTP secret", e);
        }
    }

    /** The secret; a value that does not open (altered, or moved to another row) gives an empty secret (no code works). */
    static byte[] open(String administrator, String stored) {
        if (!sealed(stored)) {
            return Totp.fromBase32(stored);
        }
        try {
            byte[] in = Base64.getUrlDecoder().decode(stored.substring(PREFIX.length()));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key(), new GCMParameterSpec(128, in, 0, 12));
            c.updateAAD(administrator.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(in, 12, in.length - 12);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return new byte[0];
        }
    }

    static boolean sealed(String stored) {
        return stored != null && stored.startsWith(PREFIX);
    }

    private static SecretKeySpec key() throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(AuditChain.key(), "HmacSHA256"));
        return new SecretKeySpec(mac.doFinal(LABEL.getBytes(StandardCharsets.US_ASCII)), "AES");
    }
}
