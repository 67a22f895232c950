package io.xmppgrid.ejb.audit;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The audit chain's anchor outside the database (issue 19 §3): the position and hash of the newest chained entry, with
 * an HMAC under the audit key, in a file beside the key ({@code grid.audit.anchorFile}, else {@code audit-anchor}).
 * It only moves forward. Someone who can change the database but not this file cannot delete the newest entries and
 * set the chain's head back unnoticed: the verification finds the chain shorter than its anchor, or the anchored
 * entry changed. Without the key the file cannot be moved forward either.
 */
public final class AuditAnchor {

    /** An anchored chain position. */
    public record Point(long seq, String hash) {
    }

    private static final Object LOCK = new Object();

    private AuditAnchor() {
    }

    public static Path file() {
        String configured = System.getProperty("grid.audit.anchorFile");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : AuditChain.keyFile().toAbsolutePath().resolveSibling("audit-anchor");
    }

    /** Moves the anchor to {@code p} unless it is already there or beyond (nodes sharing the file take turns). */
    public static boolean advance(byte[] key, Point p) throws IOException {
        Path f = file();
        Path dir = f.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        synchronized (LOCK) {
            try (FileChannel ch = FileChannel.open(dir.resolve(f.getFileName() + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                Optional<Point> now;
                try {
                    now = read(key);
                } catch (AlteredException e) {
                    now = Optional.empty(); // verification reports the altered file until the next advance replaces it
                }
                if (now.isPresent() && now.get().seq() >= p.seq()) {
                    return false;
                }
                Path tmp = Files.createTempFile(dir, f.getFileName().toString(), ".tmp");
                try {
                    Files.writeString(tmp, p.seq() + " " + p.hash() + " " + mac(key, p) + "\n", StandardCharsets.US_ASCII);
                    try {
                        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
                    }
                } finally {
                    Files.deleteIfExists(tmp);
                }
                return true;
            }
        }
    }

    /** The anchor file does not verify under the audit key. */
    public static final class AlteredException extends Exception {
        AlteredException(String message) {
            super(message);
        }
    }

    /** The anchored position; empty when there is no anchor yet. */
    public static Optional<Point> read(byte[] key) throws IOException, AlteredException {
        String text;
        try {
            text = Files.readString(file(), StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String[] parts = text.split(" ");
        if (parts.length != 3) {
            throw new AlteredException("the anchor file " + file() + " is not seq, hash and MAC");
        }
        Point p;
        try {
            p = new Point(Long.parseLong(parts[0]), parts[1]);
        } catch (NumberFormatException e) {
            throw new AlteredException("the anchor file " + file() + " has no position");
        }
        if (!MessageDigest.isEqual(mac(key, p).getBytes(StandardCharsets.US_ASCII), parts[2].getBytes(StandardCharsets.US_ASCII))) {
            throw new AlteredException("the anchor file " + file() + " does not verify under the audit key");
        }
        return Optional.of(p);
    }

    static String mac(byte[] key, Point p) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(("audit-anchor:" + p.seq() + ":" + p.hash())
                    .getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
