package io.xmppgrid.ra;

import io.xmppgrid.ra.api.PlatformDirectory;
import io.xmppgrid.ra.api.StanzaListener;
import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.BootstrapContext;
import jakarta.resource.spi.ConfigProperty;
import jakarta.resource.spi.Connector;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterInternalException;
import jakarta.resource.spi.TransactionSupport;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.transaction.TransactionSynchronizationRegistry;
import io.xmppgrid.security.GridKeyMaterial;
import java.time.Duration;
import java.util.Objects;
import javax.transaction.xa.XAResource;

/**
 * The XMPP-Grid resource adapter. Its listener starts when both message-listener types have
 * an active endpoint (the application is ready to authenticate platforms and take stanzas)
 * and stops when either goes away, so no connection is accepted that nobody can serve.
 *
 * <p>Every config property can be overridden on the server with the system property
 * {@code grid.<propertyName>} (see config/install-grid.cli and the README).
 */
@Connector(displayName = "XMPP-Grid connector", vendorName = "XMPP-Grid", eisType = "XMPP",
        version = "0.1", transactionSupport = TransactionSupport.TransactionSupportLevel.NoTransaction)
public class GridResourceAdapter implements ResourceAdapter {

    @ConfigProperty(description = "XMPP domain served", defaultValue = "grid.local")
    private String domain = "grid.local";
    @ConfigProperty(description = "Address the listeners bind to", defaultValue = "0.0.0.0")
    private String bindAddress = "0.0.0.0";
    @ConfigProperty(description = "Port for STARTTLS client connections (RFC 6120); 0 disables", defaultValue = "5222")
    private Integer starttlsPort = 5222;
    @ConfigProperty(description = "Port for direct TLS client connections (XEP-0368); 0 disables", defaultValue = "5223")
    private Integer directTlsPort = 5223;
    @ConfigProperty(description = "Port for server-to-server STARTTLS connections of peer grids (RFC 6120, federation);"
            + " 0, the default, disables", defaultValue = "0")
    private Integer s2sPort = 0;
    @ConfigProperty(description = "Port for server-to-server direct TLS connections (XEP-0368); 0, the default, disables",
            defaultValue = "0")
    private Integer s2sDirectTlsPort = 0;
    @ConfigProperty(description = "Key store (PKCS#12) with the server's key; empty: self-made grid CA material")
    private String keyStore = "";
    @ConfigProperty(description = "Password of the key store")
    private String keyStorePassword = "";
    @ConfigProperty(description = "Extra trust anchors (PKCS#12) for client certificates")
    private String trustStore = "";
    @ConfigProperty(description = "Password of the trust store")
    private String trustStorePassword = "";
    @ConfigProperty(description = "Revocation of certificates from the trust store's CAs (CRL distribution points, OCSP):"
            + " require (a status that cannot be determined refuses the login) or off")
    private String operatorRevocation = "require";
    @ConfigProperty(description = "Directory of the self-made TLS material; empty: <server data dir>/grid/tls")
    private String tlsDirectory = "";
    @ConfigProperty(description = "Offer SCRAM-SHA-1 and SCRAM-SHA-1-PLUS (off: SHA-256 only)", defaultValue = "false")
    private Boolean scramSha1 = false;
    @ConfigProperty(description = "Largest stanza accepted, in bytes", defaultValue = "262144")
    private Integer maxStanzaBytes = 262144;
    @ConfigProperty(description = "Deepest element nesting accepted inside a stanza", defaultValue = "32")
    private Integer maxDepth = 32;
    @ConfigProperty(description = "Seconds a connection may take to authenticate and bind", defaultValue = "30")
    private Integer authTimeoutSeconds = 30;
    @ConfigProperty(description = "Failed SASL attempts allowed per stream (RFC 6120 §6.4.5: 2 to 5)", defaultValue = "3")
    private Integer maxAuthAttempts = 3;
    @ConfigProperty(description = "Selector threads; 0: number of cores", defaultValue = "0")
    private Integer ioThreads = 0;
    @ConfigProperty(description = "Worker threads that run streams and call the beans", defaultValue = "32")
    private Integer workerThreads = 32;
    @ConfigProperty(description = "Resource conflict policy (RFC 6120 §7.7.2.2): override or refuse", defaultValue = "override")
    private String resourceConflict = "override";
    @ConfigProperty(description = "Bytes queued for a peer that does not read before it is disconnected", defaultValue = "16777216")
    private Integer maxOutboundBytes = 16 * 1024 * 1024;
    @ConfigProperty(description = "A bound session counts as available (priority 0) before it sends presence, so "
            + "platforms that never send presence get live and stored messages; false: strict RFC 6121 §4.2",
            defaultValue = "true")
    private Boolean availableOnBind = true;
    @ConfigProperty(description = "Seconds a dropped XEP-0198 session waits to be resumed; 0 disables resumption",
            defaultValue = "300")
    private Integer resumeTimeoutSeconds = 300;
    @ConfigProperty(description = "Seconds a bound stream may be silent before the server pings it (XEP-0199); "
            + "no answer within 60 s (or this, if shorter) closes it; 0 disables", defaultValue = "300")
    private Integer idleTimeoutSeconds = 300;
    @ConfigProperty(description = "Connections one IP address may hold at once; 0: no limit", defaultValue = "500")
    private Integer maxConnectionsPerAddress = 500;
    private Integer maxConnections = 50_000;
    private Integer maxUnauthenticatedConnections = 2_000;
    /** Threads that do TLS handshakes' work (0: half the processors, at least one). */
    private Integer tlsThreads = 0;
    /** New connections per second from one address (0: unlimited), and how many may come at once. */
    private Integer connectionRatePerAddress = 20;
    private Integer connectionBurstPerAddress = 100;
    @ConfigProperty(description = "Seconds of rate-limit throttling within a minute after which a platform is "
            + "disabled; 0: never", defaultValue = "0")
    private Integer limitsDisableAfter = 0;
    @ConfigProperty(description = "Whether platforms may register themselves (XEP-0077) as pending, to be approved by "
            + "an administrator", defaultValue = "false")
    private Boolean registration = false;

    private BootstrapContext bootstrap;
    private volatile EndpointPool<StanzaListener> stanzaPool;
    private volatile EndpointPool<PlatformDirectory> directoryPool;
    private volatile XmppServer server;
    private volatile ServerConfig config;

    @Override
    public void start(BootstrapContext ctx) throws ResourceAdapterInternalException {
        this.bootstrap = ctx;
        this.config = resolveConfig();
        Log.SERVER.infof("GRIDRA0004: grid resource adapter started for domain %s; waiting for the application", config.domain());
    }

    @Override
    public synchronized void stop() {
        stopServer();
        Log.SERVER.info("GRIDRA0005: grid resource adapter stopped");
    }

    @Override
    public synchronized void endpointActivation(MessageEndpointFactory factory, ActivationSpec spec)
            throws ResourceException {
        int max = ((GridActivationSpec) spec).getMaxEndpoints();
        Class<?> listener = factory.getEndpointClass() == null ? null : listenerOf(factory);
        if (listener == StanzaListener.class) {
            if (stanzaPool != null) {
                throw new NotSupportedException("a StanzaListener endpoint is already active: " + stanzaPool.factory().getActivationName());
            }
            stanzaPool = new EndpointPool<>(factory, StanzaListener.class, max);
        } else if (listener == PlatformDirectory.class) {
            if (directoryPool != null) {
                throw new NotSupportedException("a PlatformDirectory endpoint is already active");
            }
            directoryPool = new EndpointPool<>(factory, PlatformDirectory.class, max);
        } else {
            throw new NotSupportedException("unsupported message listener for " + factory.getEndpointClass());
        }
        Log.SERVER.infof("GRIDRA0006: endpoint %s activated for %s", factory.getActivationName(), listener.getSimpleName());
        if (stanzaPool != null && directoryPool != null && server == null && !drained) {
            startServer();
        }
    }

    /** Drained by an operator (issue 20): the listener stays stopped until {@link #serve()}. */
    private boolean drained;

    /** Stops the listener (a graceful stop without the server stopping); false when it was drained already. */
    synchronized boolean drain() {
        if (drained) {
            return false;
        }
        drained = true;
        Log.SERVER.infof("GRIDRA0014: draining: the XMPP listener stops, its sessions are sent to other nodes");
        stopServer();
        return true;
    }

    /** Starts the listener again after a drain; false when it was not drained. */
    synchronized boolean serve() {
        if (!drained) {
            return false;
        }
        drained = false;
        Log.SERVER.infof("GRIDRA0014: drained no more: the XMPP listener starts again");
        if (stanzaPool != null && directoryPool != null && server == null) {
            try {
                startServer();
            } catch (ResourceException e) {
                drained = true;
                throw new IllegalStateException("the XMPP listener did not start again: " + e.getMessage(), e);
            }
        }
        return true;
    }

    synchronized boolean drained() {
        return drained;
    }

    private static Class<?> listenerOf(MessageEndpointFactory factory) {
        Class<?> c = factory.getEndpointClass();
        if (StanzaListener.class.isAssignableFrom(c)) {
            return StanzaListener.class;
        }
        if (PlatformDirectory.class.isAssignableFrom(c)) {
            return PlatformDirectory.class;
        }
        return null;
    }

    @Override
    public synchronized void endpointDeactivation(MessageEndpointFactory factory, ActivationSpec spec) {
        if (stanzaPool != null && stanzaPool.factory() == factory) {
            stopServer();
            stanzaPool.close();
            stanzaPool = null;
        } else if (directoryPool != null && directoryPool.factory() == factory) {
            stopServer();
            directoryPool.close();
            directoryPool = null;
        }
    }

    private void startServer() throws ResourceException {
        try {
            TlsContext tls = TlsContext.create(config);
            XmppServer s = new XmppServer(config, tls, stanzaPool, directoryPool);
            s.sessions().watch(sessionWatcher);
            s.handover(stopHandover);
            s.start();
            server = s;
            s.peerBacklog(); // the stored stanzas for peer grids, now that the application can hand them to it
            io.xmppgrid.ra.api.StopHandover h = stopHandover;
            if (h != null) {
                h.started();
            }
        } catch (Exception e) {
            Log.SERVER.errorf(e, "GRIDRA0007: cannot start the XMPP listener: %s", e.getMessage());
            throw new ResourceAdapterInternalException("cannot start the XMPP listener: " + e.getMessage(), e);
        }
    }

    private void stopServer() {
        XmppServer s = server;
        if (s != null) {
            s.stopping(); // before the handle sees no listener: the application routes around this node from now on
        }
        server = null;
        if (s != null) {
            s.stop();
        }
    }

    private volatile io.xmppgrid.ra.api.StopHandover stopHandover;

    /** The application's handover for a stopping listener, kept across restarts of the listener. */
    void onStop(io.xmppgrid.ra.api.StopHandover handover) {
        stopHandover = handover;
        XmppServer s = server;
        if (s != null) {
            s.handover(handover);
        }
    }

    private volatile io.xmppgrid.ra.api.SessionWatcher sessionWatcher;

    /** The application's watcher of sessions' routing state, kept across restarts of the listener. */
    void watchSessions(io.xmppgrid.ra.api.SessionWatcher watcher) {
        sessionWatcher = watcher;
        XmppServer s = server;
        if (s != null) {
            s.sessions().watch(watcher);
        }
    }

    /** The running listener, or null (used by the outbound connection factory). */
    XmppServer server() {
        return server;
    }

    ServerConfig config() {
        return config;
    }

    TransactionSynchronizationRegistry transactions() {
        return bootstrap == null ? null : bootstrap.getTransactionSynchronizationRegistry();
    }

    @Override
    public XAResource[] getXAResources(ActivationSpec[] specs) {
        return null;
    }

    private ServerConfig resolveConfig() {
        int io = integer("ioThreads", ioThreads);
        String conflict = str("resourceConflict", resourceConflict);
        if (!ServerConfig.OVERRIDE.equals(conflict) && !ServerConfig.REFUSE.equals(conflict)) {
            Log.SERVER.warnf("GRIDRA0008: resourceConflict '%s' unknown; using override", conflict);
            conflict = ServerConfig.OVERRIDE;
        }
        return new ServerConfig(
                str("domain", domain),
                System.getProperty("jboss.node.name", "node"),
                str("bindAddress", bindAddress),
                integer("starttlsPort", starttlsPort),
                integer("directTlsPort", directTlsPort),
                GridKeyMaterial.directory(str("tlsDirectory", tlsDirectory)),
                str("keyStore", keyStore),
                str("keyStorePassword", keyStorePassword),
                str("trustStore", trustStore),
                str("trustStorePassword", trustStorePassword),
                Boolean.parseBoolean(str("scramSha1", String.valueOf(scramSha1))),
                integer("maxStanzaBytes", maxStanzaBytes),
                integer("maxDepth", maxDepth),
                Duration.ofSeconds(integer("authTimeoutSeconds", authTimeoutSeconds)),
                Math.max(2, Math.min(5, integer("maxAuthAttempts", maxAuthAttempts))),
                io > 0 ? io : Runtime.getRuntime().availableProcessors(),
                integer("workerThreads", workerThreads),
                conflict,
                integer("maxOutboundBytes", maxOutboundBytes),
                Boolean.parseBoolean(str("availableOnBind", String.valueOf(availableOnBind))),
                Duration.ofSeconds(Math.max(0, integer("resumeTimeoutSeconds", resumeTimeoutSeconds))),
                Duration.ofSeconds(Math.max(0, integer("idleTimeoutSeconds", idleTimeoutSeconds))),
                Math.max(0, integer("maxConnectionsPerAddress", maxConnectionsPerAddress)),
                Math.max(0, integer("limitsDisableAfter", limitsDisableAfter)),
                Boolean.parseBoolean(str("registration", String.valueOf(registration))),
                Math.max(0, integer("maxConnections", maxConnections)),
                Math.max(0, integer("maxUnauthenticatedConnections", maxUnauthenticatedConnections)),
                integer("tlsThreads", tlsThreads) > 0 ? integer("tlsThreads", tlsThreads)
                        : Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
                Math.max(0, integer("connectionRatePerAddress", connectionRatePerAddress)),
                Math.max(0, integer("connectionBurstPerAddress", connectionBurstPerAddress)),
                !"off".equalsIgnoreCase(str("operatorRevocation", operatorRevocation).trim()),
                Math.max(0, integer("s2sPort", s2sPort)),
                Math.max(0, integer("s2sDirectTlsPort", s2sDirectTlsPort)),
                Math.max(1, integer("peerQueueStanzas", ServerConfig.PEER_QUEUE_STANZAS)),
                Math.max(64 * 1024, integer("peerQueueBytes", ServerConfig.PEER_QUEUE_BYTES)),
                Duration.ofSeconds(Math.max(1, integer("peerIdleSeconds", ServerConfig.PEER_IDLE_SECONDS))),
                str("dnsServer", ""));
    }

    private static String str(String name, String value) {
        return System.getProperty("grid." + name, value == null ? "" : value);
    }

    private static int integer(String name, Integer value) {
        String s = System.getProperty("grid." + name);
        if (s == null) {
            return value;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            Log.SERVER.warnf("GRIDRA0009: system property grid.%s='%s' is not a number; using %d", name, s, value);
            return value;
        }
    }

    // --- JavaBean accessors for the config properties

    public String getDomain() { return domain; }
    public void setDomain(String v) { domain = v; }
    public String getBindAddress() { return bindAddress; }
    public void setBindAddress(String v) { bindAddress = v; }
    public Integer getStarttlsPort() { return starttlsPort; }
    public void setStarttlsPort(Integer v) { starttlsPort = v; }
    public Integer getDirectTlsPort() { return directTlsPort; }
    public void setDirectTlsPort(Integer v) { directTlsPort = v; }
    public Integer getS2sPort() { return s2sPort; }
    public void setS2sPort(Integer v) { s2sPort = v; }
    public Integer getS2sDirectTlsPort() { return s2sDirectTlsPort; }
    public void setS2sDirectTlsPort(Integer v) { s2sDirectTlsPort = v; }
    public String getKeyStore() { return keyStore; }
    public void setKeyStore(String v) { keyStore = v; }
    public String getKeyStorePassword() { return keyStorePassword; }
    public void setKeyStorePassword(String v) { keyStorePassword = v; }
    public String getTrustStore() { return trustStore; }
    public void setTrustStore(String v) { trustStore = v; }
    public String getOperatorRevocation() { return operatorRevocation; }
    public void setOperatorRevocation(String v) { operatorRevocation = v; }
    public String getTrustStorePassword() { return trustStorePassword; }
    public void setTrustStorePassword(String v) { trustStorePassword = v; }
    public String getTlsDirectory() { return tlsDirectory; }
    public void setTlsDirectory(String v) { tlsDirectory = v; }
    public Boolean getScramSha1() { return scramSha1; }
    public void setScramSha1(Boolean v) { scramSha1 = v; }
    public Integer getMaxStanzaBytes() { return maxStanzaBytes; }
    public void setMaxStanzaBytes(Integer v) { maxStanzaBytes = v; }
    public Integer getMaxDepth() { return maxDepth; }
    public void setMaxDepth(Integer v) { maxDepth = v; }
    public Integer getAuthTimeoutSeconds() { return authTimeoutSeconds; }
    public void setAuthTimeoutSeconds(Integer v) { authTimeoutSeconds = v; }
    public Integer getMaxAuthAttempts() { return maxAuthAttempts; }
    public void setMaxAuthAttempts(Integer v) { maxAuthAttempts = v; }
    public Integer getIoThreads() { return ioThreads; }
    public void setIoThreads(Integer v) { ioThreads = v; }
    public Integer getWorkerThreads() { return workerThreads; }
    public void setWorkerThreads(Integer v) { workerThreads = v; }
    public String getResourceConflict() { return resourceConflict; }
    public void setResourceConflict(String v) { resourceConflict = v; }
    public Integer getMaxOutboundBytes() { return maxOutboundBytes; }
    public void setMaxOutboundBytes(Integer v) { maxOutboundBytes = v; }
    public Boolean getAvailableOnBind() { return availableOnBind; }
    public void setAvailableOnBind(Boolean v) { availableOnBind = v; }
    public Integer getResumeTimeoutSeconds() { return resumeTimeoutSeconds; }
    public void setResumeTimeoutSeconds(Integer v) { resumeTimeoutSeconds = v; }
    public Integer getIdleTimeoutSeconds() { return idleTimeoutSeconds; }
    public void setIdleTimeoutSeconds(Integer v) { idleTimeoutSeconds = v; }
    public Integer getMaxConnections() { return maxConnections; }
    public void setMaxConnections(Integer v) { maxConnections = v; }
    public Integer getMaxUnauthenticatedConnections() { return maxUnauthenticatedConnections; }
    public void setMaxUnauthenticatedConnections(Integer v) { maxUnauthenticatedConnections = v; }
    public Integer getTlsThreads() { return tlsThreads; }
    public void setTlsThreads(Integer v) { tlsThreads = v; }
    public Integer getConnectionRatePerAddress() { return connectionRatePerAddress; }
    public void setConnectionRatePerAddress(Integer v) { connectionRatePerAddress = v; }
    public Integer getConnectionBurstPerAddress() { return connectionBurstPerAddress; }
    public void setConnectionBurstPerAddress(Integer v) { connectionBurstPerAddress = v; }
    public Integer getMaxConnectionsPerAddress() { return maxConnectionsPerAddress; }
    public void setMaxConnectionsPerAddress(Integer v) { maxConnectionsPerAddress = v; }
    public Boolean getRegistration() { return registration; }
    public void setRegistration(Boolean v) { registration = v; }
    public Integer getLimitsDisableAfter() { return limitsDisableAfter; }
    public void setLimitsDisableAfter(Integer v) { limitsDisableAfter = v; }

    // IronJacamar requires equals/hashCode (ARCHITECTURE.md facts)
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GridResourceAdapter)) {
            return false;
        }
        GridResourceAdapter r = (GridResourceAdapter) o;
        return Objects.equals(domain, r.domain) && Objects.equals(starttlsPort, r.starttlsPort)
                && Objects.equals(directTlsPort, r.directTlsPort) && Objects.equals(bindAddress, r.bindAddress);
    }

    @Override
    public int hashCode() {
        return Objects.hash(domain, starttlsPort, directTlsPort, bindAddress);
    }
}
