package io.xmppgrid.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The same migrations on H2 (always) and PostgreSQL (when one answers on 127.0.0.1:5432). */
class SchemaMigratorTest {

    private static void checkSchema(DataSource ds) throws SQLException {
        assertTrue(SchemaMigrator.migrate(ds).startsWith("schema at version 23"), "all migrations applied");
        // a second run applies nothing and fails nothing
        assertTrue(SchemaMigrator.migrate(ds).contains("0 migration(s) applied"));
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("insert into platform (id, localpart, state, created_at, updated_at) "
                    + "values (1, 'sensor1', 'ENABLED', current_timestamp, current_timestamp)");
            s.executeUpdate("insert into scram_credential (id, platform_id, hash, salt, iterations, stored_key, server_key, created_at) "
                    + "values (1, 1, 'SHA-256', 'c2FsdA==', 4096, 'a2V5', 'a2V5', current_timestamp)");
            try (ResultSet r = s.executeQuery("select count(*) from scram_credential")) {
                r.next();
                assertEquals(1, r.getInt(1));
            }
            // constraints are part of the schema, not only of the entities
            assertThrows(SQLException.class, () -> s.executeUpdate("insert into platform (id, localpart, state, created_at, updated_at) "
                    + "values (2, 'sensor1', 'ENABLED', current_timestamp, current_timestamp)"));
            assertThrows(SQLException.class, () -> s.executeUpdate("insert into platform (id, localpart, state, created_at, updated_at) "
                    + "values (3, 'sensor3', 'BOGUS', current_timestamp, current_timestamp)"));
            // peer grids (V22): a known state, an existing role template, PEM of up to 16 KiB
            String peer = "insert into peer_domain (domain, state, trust_anchors, role, created_at, updated_at) values ";
            s.executeUpdate(peer + "('grid.peer.example', 'ENABLED', '" + "x".repeat(16_000) + "', 'consumer', "
                    + "current_timestamp, current_timestamp)");
            assertThrows(SQLException.class, () -> s.executeUpdate(peer + "('b.example', 'TRUSTED', 'x', null, "
                    + "current_timestamp, current_timestamp)"));
            assertThrows(SQLException.class, () -> s.executeUpdate(peer + "('c.example', 'ENABLED', 'x', 'no-such-role', "
                    + "current_timestamp, current_timestamp)"));
            // what a node has to send to a peer grid (V23): a stanza of up to 1,000,000 characters, its node and peer named
            s.executeUpdate("insert into peer_outbox (id, peer_domain, node, stored_at, size_bytes, stanza) values (1, "
                    + "'grid.peer.example', 'node-1', current_timestamp, 1, '" + "x".repeat(100_000) + "')");
            assertThrows(SQLException.class, () -> s.executeUpdate("insert into peer_outbox (id, peer_domain, node, stored_at,"
                    + " size_bytes, stanza) values (2, 'grid.peer.example', null, current_timestamp, 1, '<message/>')"));
            // offline queues: only for platforms; one place in the queue per message
            s.executeUpdate("insert into offline_queue (owner, next_seq, message_count, total_bytes, refused_total, expired_total)"
                    + " values ('sensor1', 2, 1, 10, 0, 0)");
            assertThrows(SQLException.class, () -> s.executeUpdate("insert into offline_queue (owner, next_seq, message_count,"
                    + " total_bytes, refused_total, expired_total) values ('nobody', 1, 0, 0, 0, 0)"));
            s.executeUpdate("insert into offline_message (id, owner, seq, stored_at, size_bytes, stanza)"
                    + " values (1, 'sensor1', 1, current_timestamp, 10, '<message/>')");
            assertThrows(SQLException.class, () -> s.executeUpdate("insert into offline_message (id, owner, seq, stored_at,"
                    + " size_bytes, stanza) values (2, 'sensor1', 1, current_timestamp, 10, '<message/>')"));
            // administrators need a second factor: password and TOTP secret together, or a certificate (V8)
            assertThrows(SQLException.class, () -> s.executeUpdate("insert into administrator (name, state, password_hash,"
                    + " created_at) values ('alice', 'ENABLED', 'pbkdf2-sha256$1$a$b', current_timestamp)"));
            s.executeUpdate("insert into administrator (name, state, password_hash, totp_secret, created_at)"
                    + " values ('alice', 'ENABLED', 'pbkdf2-sha256$1$a$b', 'JBSWY3DP', current_timestamp)");
            s.executeUpdate("insert into administrator (name, state, cert_sha256, created_at)"
                    + " values ('bob', 'ENABLED', 'ab12', current_timestamp)");
            assertThrows(SQLException.class, () -> s.executeUpdate("insert into administrator (name, state, cert_sha256,"
                    + " created_at) values ('carol', 'ENABLED', 'ab12', current_timestamp)"), "one administrator per certificate");
            // XEP-0133 administration is a role of its own (V9)
            try (ResultSet r = s.executeQuery("select grants from role_template where name = 'service-admin'")) {
                assertTrue(r.next());
                assertEquals("ALL;ADMINISTER", r.getString(1));
            }
            // deleting a platform deletes its queue and what it held
            s.executeUpdate("delete from platform where localpart = 'sensor1'");
            try (ResultSet r = s.executeQuery("select count(*) from offline_message")) {
                r.next();
                assertEquals(0, r.getInt(1));
            }
        }
    }

    @Test
    void migratesH2() throws Exception {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        checkSchema(ds);
    }

    /** A cluster node's JGroups (JDBC_PING on GridDS) creates its discovery table before Flyway runs. */
    @Test
    void migratesH2WithOnlyTheJGroupsDiscoveryTable() throws Exception {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(JGROUPS_PING_DDL);
        }
        checkSchema(ds);
    }

    /** Any other non-empty schema without Flyway's history is still refused (not migrated over). */
    @Test
    void refusesAForeignNonEmptySchema() throws Exception {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(JGROUPS_PING_DDL);
            s.execute("create table someone_elses (id int primary key)");
        }
        assertThrows(org.flywaydb.core.api.FlywayException.class, () -> SchemaMigrator.migrate(ds));
    }

    /** The table install-cluster.cli's initialize_sql creates. */
    private static final String JGROUPS_PING_DDL = "CREATE TABLE IF NOT EXISTS JGROUPSPING (own_addr varchar(200) NOT NULL, "
            + "cluster_name varchar(200) NOT NULL, ping_data bytea, PRIMARY KEY (own_addr, cluster_name))";

    @Test
    void migratesPostgreSqlWithOnlyTheJGroupsDiscoveryTable() throws Exception {
        migratesPostgreSql(true);
    }

    @Test
    void migratesPostgreSql() throws Exception {
        migratesPostgreSql(false);
    }

    private void migratesPostgreSql(boolean discoveryTableFirst) throws Exception {
        PGSimpleDataSource admin = new PGSimpleDataSource();
        admin.setServerNames(new String[] {"127.0.0.1"});
        admin.setDatabaseName("test");
        admin.setUser("postgres");
        admin.setConnectTimeout(2);
        String schema = "grid_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            s.execute("create schema " + schema);
        } catch (SQLException e) {
            Assumptions.abort("no PostgreSQL on 127.0.0.1:5432 (" + e.getMessage() + ")");
        }
        try {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setServerNames(new String[] {"127.0.0.1"});
            ds.setDatabaseName("test");
            ds.setUser("postgres");
            ds.setCurrentSchema(schema);
            if (discoveryTableFirst) {
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    s.execute(JGROUPS_PING_DDL);
                }
            }
            checkSchema(ds);
        } finally {
            try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
                s.execute("drop schema " + schema + " cascade");
            }
        }
    }
}
