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

    /**
     * Where clients reach this node's XMPP listener ({@code host:port}, STARTTLS), for another node's
     * {@code <see-other-host/>}: {@code grid.xmpp.advertise} when set, else the listener's bind address (or this
     * host's name when it listens on every address) and port.
     */
    public static String xmppAddress() {
        String configured = System.getProperty("grid.xmpp.advertise", "").trim();
        if (!configured.isEmpty()) {
            return configured;
        }
        String bind = System.getProperty("grid.bindAddress", "0.0.0.0").trim();
        String port = System.getProperty("grid.starttlsPort", "5222").trim();
        String host = bind;
        if (bind.isEmpty() || bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("0:0:0:0:0:0:0:0")) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                return null;
            }
        }
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
