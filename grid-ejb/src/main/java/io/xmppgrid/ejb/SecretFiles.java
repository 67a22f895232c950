package io.xmppgrid.ejb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes a node's first-start secrets (administration token, audit key) so that several nodes sharing one
 * directory may start at once: the content goes to a private temporary file first and is then linked to its
 * name, which fails if another node got there first. Nobody ever reads a half-written secret, and the first
 * writer's secret is the one every node uses.
 */
public final class SecretFiles {

    private SecretFiles() {
    }

    /**
     * Creates {@code f} with {@code content}, readable by its owner only, unless it exists.
     * @return true when this call created it; false when it existed (or another node created it meanwhile)
     */
    public static boolean writeOnce(Path f, String content) throws IOException {
        if (Files.exists(f)) {
            return false;
        }
        Path dir = f.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, f.getFileName().toString(), ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not POSIX: the operator protects the directory
            }
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            try {
                Files.createLink(f, tmp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException e) {
                // no hard links on this file system: a move, not atomic against a concurrent start
                Files.move(tmp, f);
                return true;
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
