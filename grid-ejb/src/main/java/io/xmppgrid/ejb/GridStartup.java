package io.xmppgrid.ejb;

import io.xmppgrid.persistence.SchemaMigrator;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Base64;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Runs once per node at deployment: brings the schema up to date (Flyway) and makes sure the
 * local administration token exists (first start), before any platform can connect.
 */
@Singleton
@Startup
@TransactionManagement(TransactionManagementType.BEAN)
public class GridStartup {

    private static final Logger LOG = Logger.getLogger(GridStartup.class);

    @Resource(lookup = "java:jboss/datasources/GridDS")
    private DataSource dataSource;

    @jakarta.ejb.EJB
    private CrlPublisher crl;

    @jakarta.ejb.EJB
    private Administrators administrators;

    @PostConstruct
    void start() {
        if (GridSettings.cluster()) {
            requireSharedDatabase();
        }
        LOG.infof("GRID0001: %s", SchemaMigrator.migrate(dataSource));
        privateDirectory(GridSettings.dataDirectory());
        Path token = GridSettings.adminTokenFile();
        try {
            byte[] r = new byte[32];
            new SecureRandom().nextBytes(r);
            // written once for the grid: nodes that share the file (grid.admin.tokenFile) keep the first one
            if (SecretFiles.writeOnce(token, Base64.getUrlEncoder().withoutPadding().encodeToString(r) + "\n")) {
                LOG.infof("GRID0002: first start: administration token written to %s (the onboarding command reads it)", token);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the administration token " + token, e);
        }
        // the shared secret (grid.secretFile) is created, or found readable, now rather than at the first login
        io.xmppgrid.security.GridSecrets.file().ifPresent(f -> {
            io.xmppgrid.security.GridSecrets.derive(io.xmppgrid.security.GridSecrets.COMMAND_SESSIONS);
            LOG.infof("GRID0006: internal secrets derived from the shared secret %s", f);
        });
        // the CRL on disk matches the database from the start (RFC 5280: published by the grid CA)
        crl.publish(); // in a transaction of its own: the numbering row is locked
        if (io.xmppgrid.ejb.audit.AuditChain.createKeyIfAbsent()) {
            LOG.infof("GRID0004: first start: audit chain key written to %s (keep it; cluster nodes share it)",
                    io.xmppgrid.ejb.audit.AuditChain.keyFile());
        }
        int sealed = administrators.sealTotpSecrets(); // in a transaction of its own (the bean's)
        if (sealed > 0) {
            LOG.infof("GRID0009: %d administrators' TOTP secrets stored in clear were sealed", sealed);
        }
    }

    /**
     * The grid's own directory (keys, tokens, the embedded database) is readable by the server's user only (issue 19
     * §5); the files in it are created private too.
     */
    private static void privateDirectory(Path dir) {
        try {
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the operator protects the directory
        } catch (IOException e) {
            LOG.warnf("GRID0008: %s could not be made private to the server's user: %s", dir, e.getMessage());
        }
    }

    /**
     * A clustered node (grid.cluster=true) must share the grid's state with the others through one database;
     * an embedded H2 is local to this node, so the grid would silently split into controllers that do not
     * know each other's platforms, Topics and revocations. Refuse to deploy instead.
     */
    private void requireSharedDatabase() {
        String product;
        try (Connection c = dataSource.getConnection()) {
            product = c.getMetaData().getDatabaseProductName();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the grid database's product name", e);
        }
        if (product == null || product.trim().equalsIgnoreCase("H2")) {
            String msg = "GRID0005: this node is part of a cluster (grid.cluster=true) but its database GridDS is "
                    + product + ", local to the node: the grid is not started. Point every node at one PostgreSQL "
                    + "(grid.db.driver=postgresql, grid.db.url, grid.db.user, grid.db.password) or run a single node "
                    + "with standalone-full-ha.xml";
            LOG.error(msg);
            throw new IllegalStateException(msg);
        }
        LOG.infof("GRID0007: cluster node %s on the shared database %s",
                System.getProperty("jboss.node.name", "?"), product);
    }
}
