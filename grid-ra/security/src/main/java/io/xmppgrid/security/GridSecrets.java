package io.xmppgrid.security;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The grid's internal secrets (the SCRAM simulated-exchange salt secret, the XEP-0050 command-session
 * key, ...) derived from one shared secret file, so that every node of a cluster computes the same ones:
 * a client that is answered by node A and then by node B must not tell the difference (an unknown user's
 * fake salt would otherwise reveal that it is unknown; a multi-step command would break across nodes).
 * Each secret is HMAC-SHA256(file secret, label) with its own label, so one leaked derived key reveals
 * neither the file nor the others. Without the setting {@value #FILE_PROPERTY} nothing is derived and the
 * callers keep their per-process random secrets (a single node needs no more).
 */
public final class GridSecrets {

    /** System property: the shared secret file (64 hex digits), created with mode 0600 when absent. */
    public static final String FILE_PROPERTY = "grid.secretFile";

    /** Labels of the derived secrets; never reuse one for another purpose. */
    public static final String SCRAM_SIMULATION = "xmpp-grid scram simulation secret v1";
    public static final String COMMAND_SESSIONS = "xmpp-grid xep-0050 command sessions v1";
    public static final String CONSOLE_SIGN_IN = "xmpp-grid console sign-in form v1";
    public static final String SM_RESUMPTION = "xmpp-grid xep-0198 resumption ids v1";

    private static final Object JVM_LOCK = new Object();

    private GridSecrets() {
    }

    /** The configured secret file, if any. */
    public static Optional<Path> file() {
        String f = System.getProperty(FILE_PROPERTY, "");
        return f.isBlank() ? Optional.empty() : Optional.of(Path.of(f));
    }

    /** The secret for {@code label} (32 bytes) when a secret file is configured; empty otherwise. */
    public static Optional<byte[]> derive(String label) {
        Optional<Path> f = file();
        if (f.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(derive(loadOrCreate(f.get()), label));
        } catch (IOException e) {
            // a configured but unreadable secret must not silently become a per-node random one
            throw new IllegalStateException("cannot read or create the grid secret file " + f.get() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The secret for {@code label} from the configured secret file, else from {@code fallback} (created once, kept
     * across restarts): a single node's derived secrets then stay the same when it restarts.
     */
    public static byte[] derive(String label, Path fallback) {
        Optional<byte[]> configured = derive(label);
        if (configured.isPresent()) {
            return configured.get();
        }
        try {
            return derive(loadOrCreate(fallback), label);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or create the secret file " + fallback + ": " + e.getMessage(), e);
        }
    }

    static byte[] derive(byte[] secret, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /**
     * Reads the secret, creating it first when absent. Nodes sharing the directory may start at once: the
     * file is created under a file lock (as {@link GridKeyMaterial} does), readable by its owner only.
     */
    static byte[] loadOrCreate(Path f) throws IOException {
        synchronized (JVM_LOCK) {
            Path dir = f.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            try (FileChannel lockFile = FileChannel.open(dir.resolve(f.getFileName() + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
                if (!Files.exists(f)) {
                    byte[] r = new byte[32];
                    new SecureRandom().nextBytes(r);
                    Path tmp = Files.createTempFile(dir, f.getFileName().toString(), ".tmp");
                    try {
                        try {
                            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                        } catch (UnsupportedOperationException e) {
                            // not POSIX: the operator protects the directory
                        }
                        Files.writeString(tmp, HexFormat.of().formatHex(r) + "\n", StandardCharsets.US_ASCII);
                        Files.move(tmp, f);
                    } finally {
                        Files.deleteIfExists(tmp);
                    }
                }
                byte[] secret = HexFormat.of().parseHex(Files.readString(f, StandardCharsets.US_ASCII).trim());
                if (secret.length < 16) {
                    throw new IOException("the grid secret holds " + secret.length + " bytes, at least 16 are needed");
                }
                return secret;
            } catch (IllegalArgumentException e) {
                throw new IOException("the grid secret is not hexadecimal", e);
            }
        }
    }
}
