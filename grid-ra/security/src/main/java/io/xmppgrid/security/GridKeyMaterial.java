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
                boolean created = !Files.exists(dir.resolve(PASSWORD_FILE));
                char[] password = password(dir);
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
                    // the grid CA, then (an imported intermediate's) the CAs above it up to the root: platforms trust
                    // either the grid CA or the operator's root
                    StringBuilder chain = new StringBuilder();
                    for (java.security.cert.X509Certificate c : ca.chain()) {
                        chain.append(GridPki.toPem(c));
                    }
                    writeAtomically(pem, chain.toString().getBytes(StandardCharsets.US_ASCII));
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

    /** The key stores' password (made on first use), under the directory's lock. */
    private static char[] password(Path dir) throws IOException {
        Path pw = dir.resolve(PASSWORD_FILE);
        if (!Files.exists(pw)) {
            byte[] r = new byte[24];
            new SecureRandom().nextBytes(r);
            writeAtomically(pw, Base64.getUrlEncoder().withoutPadding().encodeToString(r).getBytes(StandardCharsets.US_ASCII));
        }
        return Files.readString(pw, StandardCharsets.US_ASCII).trim().toCharArray();
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
        if (args.length == 4 && args[2].equals("--import-ca")) {
            String pw = System.getenv().getOrDefault("GRID_IMPORT_CA_PASSWORD", "");
            importCa(Path.of(args[0]), args[1], Path.of(args[3]), pw.toCharArray());
            return;
        }
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: GridKeyMaterial TLS_DIRECTORY XMPP_DOMAIN [--import-ca CA.p12]"
                    + " (the PKCS#12's password in GRID_IMPORT_CA_PASSWORD)");
        }
        loadOrCreate(Path.of(args[0]), args[1]);
    }

    /**
     * An offline root (issue 19 §5): makes the operator's intermediate CA the grid CA, before the grid's first start, so
     * that the key the node holds online can be replaced from the root (kept offline) and the root's key never sits on
     * a node. {@code p12} holds the intermediate's key and its chain up to the self-signed root; the intermediate must
     * be a CA allowed to sign certificates and CRLs, valid now, each certificate signed by the next. The TLS directory
     * then holds it (under the grid's own key-store password) and everything else is made from it as usual: the
     * server's and platforms' certificates carry the chain, the CRL is signed by it, {@value #CA_PEM} lists it and
     * the root. Refused when the grid already has a CA (its certificates would all stop being trusted).
     */
    public static GridKeyMaterial importCa(Path dir, String domain, Path p12, char[] p12Password) throws IOException {
        GridPki.Issued given;
        try {
            given = GridPki.fromKeyStore(read(p12, p12Password), p12Password);
        } catch (IllegalStateException e) {
            throw new IOException("cannot read the CA's key from " + p12 + ": " + e.getMessage(), e);
        }
        checkIntermediate(given);
        synchronized (JVM_LOCK) {
            Files.createDirectories(dir);
            restrict(dir, "rwx------");
            try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = lockFile.lock()) {
                if (Files.exists(dir.resolve(CA_P12))) {
                    throw new IOException("the grid in " + dir + " has a CA already: an operator's CA is imported before the"
                            + " first start (the certificates the grid issued would no longer be trusted)");
                }
                writeAtomically(dir.resolve(CA_P12), GridPki.toPkcs12(given, GridPki.CA_ALIAS, password(dir)));
            }
        }
        return loadOrCreate(dir, domain);
    }

    /** An intermediate CA with its chain up to a self-signed root: what {@link #importCa} accepts. */
    private static void checkIntermediate(GridPki.Issued ca) throws IOException {
        java.security.cert.X509Certificate[] chain = ca.chain();
        java.security.cert.X509Certificate cert = chain[0];
        try {
            if (cert.getBasicConstraints() < 0) {
                throw new IOException(cert.getSubjectX500Principal() + " is not a CA (basicConstraints CA:TRUE)");
            }
            boolean[] usage = cert.getKeyUsage();
            if (usage == null || !usage[5] || !usage[6]) {
                throw new IOException(cert.getSubjectX500Principal() + " may not sign certificates and CRLs (keyUsage "
                        + "keyCertSign, cRLSign)");
            }
            cert.checkValidity();
            if (chain.length < 2 && !cert.getIssuerX500Principal().equals(cert.getSubjectX500Principal())) {
                throw new IOException("the CA chain does not verify up to a self-signed root: the certificate of its issuer "
                        + cert.getIssuerX500Principal() + " is missing (or is not the one that signed it)");
            }
            if (chain.length < 2) {
                throw new IOException("the PKCS#12 holds a root's key (" + cert.getSubjectX500Principal() + "): import an"
                        + " intermediate signed by the root, with the root's certificate in the chain, and keep the root offline");
            }
            for (int i = 0; i + 1 < chain.length; i++) {
                chain[i].verify(chain[i + 1].getPublicKey());
            }
            java.security.cert.X509Certificate root = chain[chain.length - 1];
            root.verify(root.getPublicKey());
            java.security.Signature s = java.security.Signature.getInstance(GridPki.signatureAlgorithm(ca.key()));
            byte[] probe = "xmpp-grid import check".getBytes(StandardCharsets.US_ASCII);
            s.initSign(ca.key());
            s.update(probe);
            byte[] sig = s.sign();
            s.initVerify(cert.getPublicKey());
            s.update(probe);
            if (!s.verify(sig)) {
                throw new IOException("the key in the PKCS#12 is not the key of " + cert.getSubjectX500Principal());
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("the CA chain does not verify up to a self-signed root: " + e.getMessage(), e);
        }
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
