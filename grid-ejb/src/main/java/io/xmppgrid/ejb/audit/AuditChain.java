package io.xmppgrid.ejb.audit;

import io.xmppgrid.ejb.GridSettings;
import io.xmppgrid.persistence.AuditEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The audit chain's arithmetic: each entry's hash is an HMAC-SHA256, under a key kept outside
 * the database, over the entry's fields (length-prefixed, so no two entries serialize alike)
 * and the previous entry's hash. Someone who can change the database but not read the key can
 * neither alter an entry nor rebuild the chain after it.
 */
public final class AuditChain {

    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {
    }

    /** The key file: {@code grid.audit.keyFile}, else {@code <data dir>/grid/audit-key} (made on first start). */
    public static Path keyFile() {
        String configured = System.getProperty("grid.audit.keyFile");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : GridSettings.dataDirectory().resolve("audit-key");
    }

    /** Creates the key on first start; returns true when it did. */
    public static boolean createKeyIfAbsent() {
        Path f = keyFile();
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        try {
            // nodes sharing the key file (grid.audit.keyFile) keep the first one written
            return io.xmppgrid.ejb.SecretFiles.writeOnce(f, HexFormat.of().formatHex(k) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the audit key " + f, e);
        }
    }

    private static volatile byte[] key;

    /** The key, read once per deployment (the chainer needs it every second). */
    public static byte[] key() {
        byte[] k = key;
        if (k == null) {
            try {
                k = HexFormat.of().parseHex(Files.readString(keyFile(), StandardCharsets.US_ASCII).trim());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the audit key " + keyFile(), e);
            }
            key = k;
        }
        return k.clone();
    }

    /** The hash of {@code e} at place {@code seq} after {@code prev}. */
    public static String hash(byte[] key, AuditEntry e, long seq, String prev) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            StringBuilder sb = new StringBuilder(256);
            field(sb, Long.toString(seq));
            field(sb, Long.toString(e.id));
            field(sb, Long.toString(e.at.toEpochMilli()));
            field(sb, e.actorKind.name());
            field(sb, e.actor);
            field(sb, e.action);
            field(sb, e.target);
            field(sb, e.outcome);
            field(sb, e.detail);
            field(sb, e.address);
            field(sb, prev);
            return HexFormat.of().formatHex(mac.doFinal(sb.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("HmacSHA256 unavailable", ex);
        }
    }

    private static void field(StringBuilder sb, String v) {
        if (v == null) {
            sb.append("-1:");
        } else {
            sb.append(v.length()).append(':').append(v);
        }
        sb.append(';');
    }
}
