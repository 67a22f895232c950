package io.xmppgrid.ra.api;

import java.util.List;
import java.util.Set;

/**
 * What the adapter needs to authenticate one platform: whether it may log in at all, its
 * salted SCRAM keys (RFC 5802 §3: StoredKey and ServerKey, never a password), and the
 * serial numbers (hex, lower case) of its certificates that were revoked, and its rate limits
 * (stanzas and inbound bytes per second, from its role template; 0: unlimited).
 */
public record PlatformCredentials(String localpart, boolean enabled, List<ScramKeys> scram,
                                  Set<String> revokedCertificateSerials, int stanzasPerSecond, int bytesPerSecond) {

    public PlatformCredentials {
        scram = List.copyOf(scram);
        revokedCertificateSerials = Set.copyOf(revokedCertificateSerials);
    }

    /** Without rate limits. */
    public PlatformCredentials(String localpart, boolean enabled, List<ScramKeys> scram,
                               Set<String> revokedCertificateSerials) {
        this(localpart, enabled, scram, revokedCertificateSerials, 0, 0);
    }

    /** The keys for one hash ("SHA-256" or "SHA-1"), or null. */
    public ScramKeys scramFor(String hash) {
        for (ScramKeys k : scram) {
            if (k.hash().equals(hash)) {
                return k;
            }
        }
        return null;
    }

    /** One SCRAM credential: {@code hash} is the JCA digest name, e.g. "SHA-256". */
    public record ScramKeys(String hash, byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {
        public ScramKeys {
            salt = salt.clone();
            storedKey = storedKey.clone();
            serverKey = serverKey.clone();
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }

        @Override
        public byte[] storedKey() {
            return storedKey.clone();
        }

        @Override
        public byte[] serverKey() {
            return serverKey.clone();
        }
    }
}
