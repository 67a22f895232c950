package io.xmppgrid.persistence;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings the database schema up to date with the Flyway migrations in {@code db/migration}
 * of this jar. The same SQL runs on H2 and PostgreSQL.
 */
public final class SchemaMigrator {

    /**
     * JGroups' discovery table (JDBC_PING on GridDS, install-cluster.cli): a cluster node's channel
     * creates it in the grid database before the application deploys, so a new database is not empty
     * when Flyway first sees it.
     */
    static final String JGROUPS_PING_TABLE = "jgroupsping";

    private static final String HISTORY_TABLE = "flyway_schema_history";

    private SchemaMigrator() {
    }

    /** Migrates and returns a one-line summary for the log. */
    public static String migrate(DataSource dataSource) {
        // Flyway refuses a non-empty schema without its history (baselineOnMigrate false), which keeps it
        // from migrating over someone else's tables. A schema whose only table is JGroups' discovery table
        // is new all the same: baseline it at version 0, below V1, so that every migration still runs.
        // Any other non-empty schema without history is still refused.
        boolean onlyDiscoveryTable = onlyDiscoveryTable(dataSource);
        Flyway flyway = Flyway.configure(SchemaMigrator.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .baselineOnMigrate(onlyDiscoveryTable)
                .baselineVersion("0")
                .baselineDescription("new schema (only the JGroups discovery table)")
                .validateMigrationNaming(true)
                .load();
        MigrateResult r = flyway.migrate();
        // nodes that start at once take turns per migration (Flyway locks the history for each): what this node applied
        // may end before the last one another node applied, so the version reported is the history's, not this call's
        org.flywaydb.core.api.MigrationInfo current = flyway.info().current();
        String version = current != null && current.getVersion() != null ? current.getVersion().getVersion()
                : r.targetSchemaVersion != null ? r.targetSchemaVersion : r.initialSchemaVersion;
        return "schema at version " + version + " (" + r.migrationsExecuted + " migration(s) applied by this node, database "
                + r.database + ")";
    }

    /** True when the connection's schema holds JGroups' discovery table and no other table (no history either). */
    static boolean onlyDiscoveryTable(DataSource dataSource) {
        try (Connection c = dataSource.getConnection();
             ResultSet t = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE"})) {
            boolean discovery = false;
            while (t.next()) {
                String name = t.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
                if (name.equals(JGROUPS_PING_TABLE)) {
                    discovery = true;
                } else {
                    return false; // history or other tables: Flyway's own rules apply
                }
            }
            return discovery;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list the tables of the grid database", e);
        }
    }
}
