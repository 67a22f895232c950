package io.xmppgrid.ra.api;

import java.util.List;
import java.util.Map;

/**
 * What the adapter's listener has seen on this node: open connections, live sessions (bound or
 * awaiting resumption), stanzas handed to the application and stanzas the application sent to
 * sessions, and connections refused as they were accepted, by the setting that refused them
 * (one of {@link #REFUSING_SETTINGS}), since the listener started.
 */
public record ServerStatistics(int connections, int sessions, long stanzasIn, long stanzasOut,
                               Map<String, Long> refusedConnections) {

    /** The settings that refuse connections as they are accepted. */
    public static final List<String> REFUSING_SETTINGS = List.of("grid.maxConnections",
            "grid.maxUnauthenticatedConnections", "grid.maxConnectionsPerAddress", "grid.connectionRatePerAddress");

    public ServerStatistics {
        refusedConnections = Map.copyOf(refusedConnections);
    }

    public ServerStatistics(int connections, int sessions, long stanzasIn, long stanzasOut) {
        this(connections, sessions, stanzasIn, stanzasOut, Map.of());
    }

    /** Connections refused by this setting. */
    public long refused(String setting) {
        return refusedConnections.getOrDefault(setting, 0L);
    }
}
