package io.xmppgrid.ra;

import io.xmppgrid.security.GridKeyMaterial;
import io.xmppgrid.security.GridPki;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;

/**
 * The server's TLS configuration (RFC 8600 §8.3.1, RFC 7525): TLS 1.3 preferred, 1.2 the
 * minimum, forward-secret AEAD suites only, client certificates requested (not required) and
 * checked against the trust anchors, and the channel-binding data SCRAM-PLUS needs.
 */
final class TlsContext {

    static final String TLS_SERVER_END_POINT = "tls-server-end-point";
    static final String TLS_EXPORTER = "tls-exporter";

    private static final Method EXPORT_KEYING_MATERIAL = exporterMethod();

    private final SSLContext context;
    /**
     * Server-to-server streams (issue 24): the same key, and a trust manager that only takes the peer's chain; which
     * peer grid's own anchors it must chain to is known from the stream's {@code from}, and is checked at SASL
     * EXTERNAL (XEP-0178) against that peer alone, never against the platforms' CAs.
     */
    private SSLContext s2sContext;
    private final String[] protocols;
    private final String[] cipherSuites;
    private final byte[] serverEndPoint;
    private final X509Certificate[] trustAnchors;
    private final Path caPem;
    private CrlCheck crl;
    /** The grid CA's certificate (what it issued is checked against its CRL). */
    private X509Certificate gridCa;
    /** Trust anchors of the operator's CAs ({@code grid.trustStore}): what they issued is checked by OCSP/CRLDP. */
    private List<X509Certificate> operatorAnchors = List.of();

    /** The grid CA's CRL, checked at EXTERNAL logins. */
    CrlCheck crl() {
        return crl;
    }

    private TlsContext(SSLContext context, String[] protocols, String[] cipherSuites, byte[] serverEndPoint,
                       X509Certificate[] trustAnchors, Path caPem) {
        this.context = context;
        this.protocols = protocols;
        this.cipherSuites = cipherSuites;
        this.serverEndPoint = serverEndPoint;
        this.trustAnchors = trustAnchors;
        this.caPem = caPem;
    }

    static TlsContext create(ServerConfig cfg) throws IOException, GeneralSecurityException {
        // the grid CA always exists and is always a trust anchor for platform certificates
        GridKeyMaterial grid = GridKeyMaterial.loadOrCreate(cfg.tlsDirectory(), cfg.domain());
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry(GridPki.CA_ALIAS, grid.ca().certificate());
        Path caPem = grid.directory().resolve(GridKeyMaterial.CA_PEM);
        Log.SERVER.infof("GRIDRA0010: TLS material %s in %s; platforms trust %s",
                grid.created() ? "created" : "loaded", grid.directory(), caPem);
        KeyStore keyStore;
        char[] keyPassword;
        if (cfg.keyStore() == null || cfg.keyStore().isBlank()) {
            keyPassword = grid.password();
            keyStore = GridKeyMaterial.read(grid.directory().resolve(GridKeyMaterial.SERVER_P12), keyPassword);
        } else {
            keyPassword = cfg.keyStorePassword() == null ? new char[0] : cfg.keyStorePassword().toCharArray();
            keyStore = GridKeyMaterial.read(Path.of(cfg.keyStore()), keyPassword);
            Log.SERVER.infof("GRIDRA0011: server key from the operator's key store %s", cfg.keyStore());
        }
        List<X509Certificate> operator = new ArrayList<>();
        if (cfg.trustStore() != null && !cfg.trustStore().isBlank()) {
            char[] tp = cfg.trustStorePassword() == null ? new char[0] : cfg.trustStorePassword().toCharArray();
            KeyStore extra = GridKeyMaterial.read(Path.of(cfg.trustStore()), tp);
            for (String alias : java.util.Collections.list(extra.aliases())) {
                if (extra.isCertificateEntry(alias)) {
                    trustStore.setCertificateEntry("operator-" + alias, extra.getCertificate(alias));
                    operator.add((X509Certificate) extra.getCertificate(alias));
                }
            }
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, keyPassword);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLContext s2s = SSLContext.getInstance("TLS");
        s2s.init(kmf.getKeyManagers(), new javax.net.ssl.TrustManager[] {new PeerChainTaker()}, null);

        SSLEngine probe = ctx.createSSLEngine();
        List<String> protos = new ArrayList<>();
        for (String p : new String[] {"TLSv1.3", "TLSv1.2"}) {
            if (Arrays.asList(probe.getSupportedProtocols()).contains(p)) {
                protos.add(p);
            }
        }
        List<String> suites = new ArrayList<>();
        for (String s : probe.getSupportedCipherSuites()) {
            boolean tls13 = s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_");
            boolean pfsAead = (s.startsWith("TLS_ECDHE_") || s.startsWith("TLS_DHE_"))
                    && (s.contains("_GCM_") || s.contains("CHACHA20"));
            if (tls13 || pfsAead) {
                suites.add(s);
            }
        }
        X509Certificate serverCert = null;
        for (String alias : java.util.Collections.list(keyStore.aliases())) {
            if (keyStore.isKeyEntry(alias)) {
                serverCert = (X509Certificate) keyStore.getCertificate(alias);
                break;
            }
        }
        if (serverCert == null) {
            throw new GeneralSecurityException("the TLS key store holds no key entry");
        }
        List<X509Certificate> anchors = new ArrayList<>();
        for (String alias : java.util.Collections.list(trustStore.aliases())) {
            anchors.add((X509Certificate) trustStore.getCertificate(alias));
        }
        TlsContext t = new TlsContext(ctx, protos.toArray(new String[0]), suites.toArray(new String[0]),
                serverEndPoint(serverCert), anchors.toArray(new X509Certificate[0]), caPem);
        t.s2sContext = s2s;
        t.crl = new CrlCheck(grid.directory(), grid.ca().certificate());
        t.gridCa = grid.ca().certificate();
        t.operatorAnchors = List.copyOf(operator);
        return t;
    }

    SSLEngine newEngine() {
        return configure(context.createSSLEngine(), false);
    }

    /**
     * The client side of an outbound link to a peer grid (issue 24) over {@code tcp}: this server's key as the client
     * certificate, SNI naming the peer; the peer's chain is taken, and judged by the caller.
     */
    javax.net.ssl.SSLSocket s2sClient(java.net.Socket tcp, String peerDomain) throws IOException {
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) s2sContext.getSocketFactory()
                .createSocket(tcp, peerDomain, tcp.getPort(), true);
        s.setUseClientMode(true);
        s.setEnabledProtocols(protocols);
        s.setEnabledCipherSuites(cipherSuites);
        javax.net.ssl.SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new javax.net.ssl.SNIHostName(peerDomain)));
        s.setSSLParameters(p);
        return s;
    }

    /** A server-to-server engine: the peer must present a certificate (RFC 6120 §13.7.2, XEP-0178). */
    SSLEngine newS2sEngine() {
        return configure(s2sContext.createSSLEngine(), true);
    }

    private SSLEngine configure(SSLEngine e, boolean needClientCertificate) {
        e.setUseClientMode(false);
        e.setEnabledProtocols(protocols);
        e.setEnabledCipherSuites(cipherSuites);
        if (needClientCertificate) {
            e.setNeedClientAuth(true);
        } else {
            e.setWantClientAuth(true);
        }
        javax.net.ssl.SSLParameters p = e.getSSLParameters();
        p.setUseCipherSuitesOrder(true);
        e.setSSLParameters(p);
        return e;
    }

    /** RFC 5929 §4.1: hash of the server certificate, SHA-256 unless its signature uses a stronger hash. */
    static byte[] serverEndPoint(X509Certificate cert) throws GeneralSecurityException {
        String alg = cert.getSigAlgName().toUpperCase(Locale.ROOT);
        String digest = alg.startsWith("SHA384") ? "SHA-384" : alg.startsWith("SHA512") ? "SHA-512" : "SHA-256";
        return MessageDigest.getInstance(digest).digest(cert.getEncoded());
    }

    byte[] serverEndPointBinding() {
        return serverEndPoint.clone();
    }

    /** Whether this JVM can export TLS keying material (RFC 9266 tls-exporter; Java 25 and later). */
    static boolean exporterAvailable() {
        return EXPORT_KEYING_MATERIAL != null;
    }

    /** RFC 9266 channel binding for a TLS 1.3 session, or null when not available. */
    static byte[] exporterBinding(SSLSession session) {
        if (EXPORT_KEYING_MATERIAL == null || !(session instanceof ExtendedSSLSession)
                || !"TLSv1.3".equals(session.getProtocol())) {
            return null;
        }
        try {
            return (byte[]) EXPORT_KEYING_MATERIAL.invoke(session, "EXPORTER-Channel-Binding", new byte[0], 32);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static Method exporterMethod() {
        try {
            return ExtendedSSLSession.class.getMethod("exportKeyingMaterialData", String.class, byte[].class, int.class);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    X509Certificate[] trustAnchors() {
        return trustAnchors.clone();
    }

    List<X509Certificate> operatorAnchors() {
        return operatorAnchors;
    }

    /** Whether the grid CA issued {@code cert} (its name and its signature), so that the grid's CRL speaks for it. */
    boolean issuedByGridCa(X509Certificate cert) {
        if (!cert.getIssuerX500Principal().equals(gridCa.getSubjectX500Principal())) {
            return false;
        }
        try {
            cert.verify(gridCa.getPublicKey());
            return true;
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    Path caPem() {
        return caPem;
    }

    /**
     * Takes a server-to-server peer's chain without judging it: the handshake still proves the peer holds the key of
     * the certificate it presents (its CertificateVerify), and the stream is not authenticated until SASL EXTERNAL has
     * checked the chain against the trust anchors of the peer its stream header named ({@code PeerTrust}); on an
     * outbound link, nothing is sent over it before the same check of the peer server's chain.
     */
    private static final class PeerChainTaker extends javax.net.ssl.X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            if (chain == null || chain.length == 0) {
                throw new java.security.cert.CertificateException("no certificate");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
                throws java.security.cert.CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws java.security.cert.CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
            checkClientTrusted(chain, authType); // an outbound link: judged by PeerTrust once the handshake is done
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
                throws java.security.cert.CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws java.security.cert.CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
