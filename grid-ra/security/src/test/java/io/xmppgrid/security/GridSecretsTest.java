package io.xmppgrid.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One shared secret file gives every node the same derived secrets, one per label. */
class GridSecretsTest {

    @TempDir
    Path dir;

    @Test
    void createsTheFileOnceOwnerOnlyAndReadsTheSameSecretAfterwards() throws Exception {
        Path f = dir.resolve("shared").resolve("grid-secret");
        byte[] first = GridSecrets.loadOrCreate(f);
        assertEquals(32, first.length);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertArrayEquals(first, GridSecrets.loadOrCreate(f), "a second node reads the same secret");
    }

    @Test
    void distinctLabelsGiveDistinctSecretsAndTheSameLabelTheSame() throws Exception {
        byte[] secret = GridSecrets.loadOrCreate(dir.resolve("grid-secret"));
        byte[] scram = GridSecrets.derive(secret, GridSecrets.SCRAM_SIMULATION);
        byte[] commands = GridSecrets.derive(secret, GridSecrets.COMMAND_SESSIONS);
        assertEquals(32, scram.length);
        assertFalse(Arrays.equals(scram, commands));
        assertArrayEquals(scram, GridSecrets.derive(secret.clone(), GridSecrets.SCRAM_SIMULATION));
    }

    @Test
    void nothingDerivedWithoutTheSetting() {
        String old = System.getProperty(GridSecrets.FILE_PROPERTY);
        System.clearProperty(GridSecrets.FILE_PROPERTY);
        try {
            assertTrue(GridSecrets.derive(GridSecrets.SCRAM_SIMULATION).isEmpty());
        } finally {
            if (old != null) {
                System.setProperty(GridSecrets.FILE_PROPERTY, old);
            }
        }
    }
}
