package io.xmppgrid.persistence;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings the database schema up to date with the Flyway migrations in {@code db/migration}
 * of this jar. The same SQL runs on H2 and PostgreSQL.
 */
public final class SchemaMigrator {

    private SchemaMigrator() {
    }

    /** Migrates and returns a one-line summary for the log. */
    public static String migrate(DataSource dataSource) {
        Flyway flyway = Flyway.configure(SchemaMigrator.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .baselineOnMigrate(false)
                .validateMigrationNaming(true)
                .load();
        MigrateResult r = flyway.migrate();
        return "schema at version " + (r.targetSchemaVersion != null ? r.targetSchemaVersion : r.initialSchemaVersion)
                + " (" + r.migrationsExecuted + " migration(s) applied, database " + r.database + ")";
    }
}
