package io.xmppgrid.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * The grid's self-made TLS material in one directory (by default {@code <server data dir>/grid/tls}):
 * {@code ca.p12} (the grid CA's key, readable by the server's user only), {@code ca.pem} (the CA
 * certificate that platforms trust), {@code server.p12} (the domain's certificate) and
 * {@code keystore.password}. Created on first use when absent; creation is atomic per file,
 * so a crash half-way leaves nothing half-written, and concurrent callers in one JVM or across
 * processes wait on a lock file.
 */
public final class GridKeyMaterial {

    public static final String CA_P12 = "ca.p12";
    public static final String CA_PEM = "ca.pem";
    public static final String SERVER_P12 = "server.p12";
    public static final String PASSWORD_FILE = "keystore.password";
    /** The grid CA's certificate revocation list, PEM (RFC 5280 §5), rewritten at every revocation. */
    public static final String CRL_PEM = "crl.pem";
    /**
     * The grid CA's certificate alone, as a PKCS#12 trust store for the console's HTTPS listener
     * (administrators' client certificates). It holds nothing secret, so its password is fixed.
     */
    public static final String ADMIN_TRUST_P12 = "admin-trust.p12";
    public static final String ADMIN_TRUST_PASSWORD = "grid-public-trust";

    private static final Object JVM_LOCK = new Object();

    private final Path dir;
    private final char[] password;
    private final GridPki.Issued ca;
    private final GridPki.Issued server;
    private final boolean created;

    private GridKeyMaterial(Path dir, char[] password, GridPki.Issued ca, GridPki.Issued server, boolean created) {
        this.dir = dir;
        this.password = password;
        this.ca = ca;
        this.server = server;
        this.created = created;
    }

    /**
     * Where the material lives: {@code configured} when set (the adapter's config property or the
     * system property {@code grid.tlsDirectory}), otherwise {@code <server data dir>/grid/tls}. The
     * adapter and the onboarding beans both ask here, so they always agree.
     */
    public static Path directory(String configured) {
        String d = configured == null || configured.isBlank() ? System.getProperty("grid.tlsDirectory", "") : configured;
        if (!d.isBlank()) {
            return Path.of(d);
        }
        return Path.of(System.getProperty("jboss.server.data.dir", System.getProperty("java.io.tmpdir")), "grid", "tls");
    }

    /** Loads the material in {@code dir}, creating what is missing for {@code domain}. */
    public static GridKeyMaterial loadOrCreate(Path dir, String domain) throws IOException {
        synchronized (JVM_LOCK) {
            Files.createDirectories(dir);
            restrict(dir, "rwx------");
            try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
                boolean created = false;
                Path pw = dir.resolve(PASSWORD_FILE);
                if (!Files.exists(pw)) {
                    byte[] r = new byte[24];
                    new SecureRandom().nextBytes(r);
                    writeAtomically(pw, Base64.getUrlEncoder().withoutPadding().encodeToString(r)
                            .getBytes(StandardCharsets.US_ASCII));
                    created = true;
                }
                char[] password = Files.readString(pw, StandardCharsets.US_ASCII).trim().toCharArray();
                Path caFile = dir.resolve(CA_P12);
                GridPki.Issued ca;
                if (Files.exists(caFile)) {
                    ca = GridPki.fromKeyStore(read(caFile, password), password);
                } else {
                    ca = GridPki.createCa("XMPP-Grid CA " + domain, Duration.ofDays(3650));
                    writeAtomically(caFile, GridPki.toPkcs12(ca, GridPki.CA_ALIAS, password));
                    created = true;
                }
                Path pem = dir.resolve(CA_PEM);
                if (!Files.exists(pem)) {
                    writeAtomically(pem, GridPki.toPem(ca.certificate()).getBytes(StandardCharsets.US_ASCII));
                    restrict(pem, "rw-r--r--");
                }
                Path trust = dir.resolve(ADMIN_TRUST_P12);
                if (!Files.exists(trust)) {
                    writeAtomically(trust, trustStore(ca.certificate()));
                    restrict(trust, "rw-r--r--");
                }
                Path serverFile = dir.resolve(SERVER_P12);
                GridPki.Issued server;
                if (Files.exists(serverFile)) {
                    server = GridPki.fromKeyStore(read(serverFile, password), password);
                } else {
                    server = GridPki.issueServer(ca, domain, Duration.ofDays(825), "localhost");
                    writeAtomically(serverFile, GridPki.toPkcs12(server, GridPki.SERVER_ALIAS, password));
                    created = true;
                }
                return new GridKeyMaterial(dir, password, ca, server, created);
            }
        }
    }

    private static byte[] trustStore(java.security.cert.X509Certificate ca) throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry(GridPki.CA_ALIAS, ca);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            ks.store(out, ADMIN_TRUST_PASSWORD.toCharArray());
            return out.toByteArray();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the grid CA trust store: " + e.getMessage(), e);
        }
    }

    /**
     * Creates the TLS material before the server's first start ({@code GridKeyMaterial DIR DOMAIN}),
     * so that the console's HTTPS listener, which reads {@value #ADMIN_TRUST_P12} at boot, trusts
     * the grid CA from the start. Existing material is kept.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: GridKeyMaterial TLS_DIRECTORY XMPP_DOMAIN");
        }
        loadOrCreate(Path.of(args[0]), args[1]);
    }

    public static KeyStore read(Path file, char[] password) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance(file.toString().endsWith(".jks") ? "JKS" : "PKCS12");
            ks.load(in, password);
            return ks;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read key store " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeAtomically(Path target, byte[] content) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        try {
            restrict(tmp, "rw-------");
            Files.write(tmp, content, StandardOpenOption.TRUNCATE_EXISTING);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void restrict(Path p, String perms) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: the directory's own protection applies
        }
    }

    /**
     * Signs and publishes a CRL listing {@code revoked} as {@value #CRL_PEM} in the TLS directory,
     * replacing the old one atomically; valid for 30 days (it is rewritten at every revocation and
     * every start).
     */
    public java.security.cert.X509CRL publishCrl(java.util.Map<java.math.BigInteger, java.time.Instant> revoked)
            throws IOException {
        return publishCrl(revoked, java.math.BigInteger.valueOf(java.time.Instant.now().toEpochMilli()));
    }

    /** As {@link #publishCrl(java.util.Map)}, numbered {@code number} (a cluster's one sequence, RFC 5280 §5.2.3). */
    public java.security.cert.X509CRL publishCrl(java.util.Map<java.math.BigInteger, java.time.Instant> revoked,
                                                 java.math.BigInteger number) throws IOException {
        java.time.Instant now = java.time.Instant.now();
        java.security.cert.X509CRL crl = GridPki.createCrl(ca(), revoked, number, now, java.time.Duration.ofDays(30));
        Path tmp = java.nio.file.Files.createTempFile(directory(), "crl", ".tmp");
        java.nio.file.Files.writeString(tmp, GridPki.toPem(crl), java.nio.charset.StandardCharsets.US_ASCII);
        java.nio.file.Files.move(tmp, directory().resolve(CRL_PEM), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return crl;
    }

    public Path directory() {
        return dir;
    }

    public GridPki.Issued ca() {
        return ca;
    }

    public GridPki.Issued server() {
        return server;
    }

    /** Whether this call created any of the files (first start). */
    public boolean created() {
        return created;
    }

    public char[] password() {
        return password.clone();
    }
}
