package io.xmppgrid.ejb;

import java.nio.file.Path;

/**
 * Server-wide settings the beans read, from the same system properties as the adapter's
 * ({@code grid.domain}, {@code grid.tlsDirectory}) so that one CLI script sets both.
 */
public final class GridSettings {

    private GridSettings() {
    }

    public static String domain() {
        return System.getProperty("grid.domain", "grid.local");
    }

    /** {@code <server data dir>/grid}: TLS material, the admin token. */
    public static Path dataDirectory() {
        return Path.of(System.getProperty("jboss.server.data.dir", System.getProperty("java.io.tmpdir")), "grid");
    }

    public static Path tlsDirectory() {
        return io.xmppgrid.security.GridKeyMaterial.directory(null);
    }

    public static Path adminTokenFile() {
        return dataDirectory().resolve("admin-token");
    }
}
