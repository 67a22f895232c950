package io.xmppgrid.ra;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything the connection layer is configured with, resolved once at adapter start.
 * Each value comes from the adapter's config property, overridden by the system property
 * {@code grid.<name>} when set (config/install-grid.cli sets them on the server).
 */
record ServerConfig(
        String domain,
        String nodeName,
        String bindAddress,
        int starttlsPort,
        int directTlsPort,
        Path tlsDirectory,
        String keyStore,
        String keyStorePassword,
        String trustStore,
        String trustStorePassword,
        boolean scramSha1,
        int maxStanzaBytes,
        int maxDepth,
        Duration authTimeout,
        int maxAuthAttempts,
        int ioThreads,
        int workerThreads,
        String resourceConflict,
        int maxOutboundBytes,
        boolean availableOnBind,
        Duration resumeTimeout,
        Duration idleTimeout,
        int maxConnectionsPerAddress,
        int limitsDisableAfter,
        boolean registration,
        int maxConnections,
        int maxUnauthenticatedConnections,
        int tlsThreads,
        int connectionRatePerAddress,
        int connectionBurstPerAddress,
        boolean operatorRevocation,
        int s2sPort,
        int s2sDirectTlsPort,
        int peerQueueStanzas,
        int peerQueueBytes,
        Duration peerIdleTimeout,
        String dnsServer) {

    /** Stanzas a node keeps for one peer grid until the peer acknowledged them (grid.peerQueueStanzas). */
    static final int PEER_QUEUE_STANZAS = 10_000;
    /** Their bytes (grid.peerQueueBytes). */
    static final int PEER_QUEUE_BYTES = 32 * 1024 * 1024;
    /** An outbound link with nothing to send for this long is closed (grid.peerIdleSeconds). */
    static final int PEER_IDLE_SECONDS = 300;

    /** Output a connection may have queued before it authenticates (a few stream features and SASL answers). */
    static final int UNAUTHENTICATED_OUTPUT_BYTES = 64 * 1024;
    /** The largest element accepted before authentication (SASL and registration elements are small). */
    static final int UNAUTHENTICATED_STANZA_BYTES = 16 * 1024;

    static final String OVERRIDE = "override";
    static final String REFUSE = "refuse";
}
