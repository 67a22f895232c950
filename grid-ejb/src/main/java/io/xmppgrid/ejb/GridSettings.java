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

    /**
     * The administration token: {@code grid.admin.tokenFile}, else {@code <data dir>/grid/admin-token}. Cluster
     * nodes point at one shared file, so that one token is accepted by every node.
     */
    public static Path adminTokenFile() {
        String configured = System.getProperty("grid.admin.tokenFile", "");
        return configured.isBlank() ? dataDirectory().resolve("admin-token") : Path.of(configured);
    }

    /**
     * {@code grid.cluster}: this node is one of several that behave as one controller (set by
     * install-cluster.cli). Such a node must share its database with the others, so it refuses H2.
     */
    public static boolean cluster() {
        return Boolean.parseBoolean(System.getProperty("grid.cluster", "false").trim());
    }
}
