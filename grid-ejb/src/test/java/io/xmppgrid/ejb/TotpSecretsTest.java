package io.xmppgrid.ejb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.security.Totp;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Issue 19 §5: administrators' TOTP secrets are sealed at rest, bound to their row; clear ones are still read. */
class TotpSecretsTest {

    @Test
    void sealedOpenedBoundToTheAdministratorAndLegacyRead() throws Exception {
        Path key = Files.createTempFile("audit-key", "");
        Files.writeString(key, "00".repeat(32) + "\n");
        System.setProperty("grid.audit.keyFile", key.toString());
        byte[] secret = Totp.newSecret();
        String sealed = TotpSecrets.seal("alice", secret);
        assertTrue(sealed.startsWith("v1.") && !sealed.contains(Totp.base32(secret)), sealed);
        assertTrue(sealed.length() <= 255, "fits the column");
        assertArrayEquals(secret, TotpSecrets.open("alice", sealed));
        assertEquals(0, TotpSecrets.open("mallory", sealed).length, "copied to another row: opens to nothing");
        String altered = sealed.substring(0, sealed.length() - 2) + (sealed.endsWith("A") ? "BB" : "AA");
        assertEquals(0, TotpSecrets.open("alice", altered).length, "altered: opens to nothing");
        assertFalse(TotpSecrets.sealed(Totp.base32(secret)));
        assertArrayEquals(secret, TotpSecrets.open("alice", Totp.base32(secret)), "stored in clear before V18");
        assertTrue(!sealed.equals(TotpSecrets.seal("alice", secret)), "a fresh nonce each time");
    }
}
