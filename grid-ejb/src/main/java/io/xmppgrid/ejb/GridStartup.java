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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
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

    @jakarta.persistence.PersistenceContext(unitName = "grid")
    private jakarta.persistence.EntityManager em;

    @PostConstruct
    void start() {
        LOG.infof("GRID0001: %s", SchemaMigrator.migrate(dataSource));
        Path token = GridSettings.adminTokenFile();
        try {
            if (!Files.exists(token)) {
                Files.createDirectories(token.getParent());
                byte[] r = new byte[32];
                new SecureRandom().nextBytes(r);
                Files.writeString(token, Base64.getUrlEncoder().withoutPadding().encodeToString(r) + "\n",
                        StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
                try {
                    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    LOG.warnf("GRID0003: cannot restrict permissions of %s on this file system", token);
                }
                LOG.infof("GRID0002: first start: administration token written to %s (the onboarding command reads it)", token);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the administration token " + token, e);
        }
        // the CRL on disk matches the database from the start (RFC 5280: published by the grid CA)
        PlatformAdmin.publishCrl(PlatformAdmin.revokedCertificates(em));
        if (io.xmppgrid.ejb.audit.AuditChain.createKeyIfAbsent()) {
            LOG.infof("GRID0004: first start: audit chain key written to %s (keep it; cluster nodes share it)",
                    io.xmppgrid.ejb.audit.AuditChain.keyFile());
        }
    }
}
