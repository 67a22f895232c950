package io.xmppgrid.console.tls;

import java.net.Socket;
import java.security.InvalidAlgorithmParameterException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.TrustManagerFactorySpi;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's PKIX TrustManagerFactory, whose trust managers note every client certificate chain they refuse (with the
 * peer's address where the engine or socket knows it) before refusing it as before. Checks of servers' chains are
 * the JDK's, unchanged.
 */
final class RecordingTrustManagerFactory extends TrustManagerFactorySpi {

    private final TrustManagerFactory pkix;
    private final RefusedHandshakes refusals;

    RecordingTrustManagerFactory(RefusedHandshakes refusals) {
        try {
            this.pkix = TrustManagerFactory.getInstance("PKIX");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no PKIX trust manager", e);
        }
        this.refusals = refusals;
    }

    @Override
    protected void engineInit(KeyStore ks) throws KeyStoreException {
        pkix.init(ks);
    }

    @Override
    protected void engineInit(ManagerFactoryParameters spec) throws InvalidAlgorithmParameterException {
        pkix.init(spec);
    }

    @Override
    protected TrustManager[] engineGetTrustManagers() {
        TrustManager[] managers = pkix.getTrustManagers();
        TrustManager[] out = new TrustManager[managers.length];
        for (int i = 0; i < managers.length; i++) {
            out[i] = managers[i] instanceof X509ExtendedTrustManager x ? new Recording(x, refusals) : managers[i];
        }
        return out;
    }

    /** A PKIX trust manager that records the client chains it refuses. */
    static final class Recording extends X509ExtendedTrustManager {

        private final X509ExtendedTrustManager pkix;
        private final RefusedHandshakes refusals;

        Recording(X509ExtendedTrustManager pkix, RefusedHandshakes refusals) {
            this.pkix = pkix;
            this.refusals = refusals;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            try {
                pkix.checkClientTrusted(chain, authType, engine);
            } catch (CertificateException | RuntimeException e) {
                refused(engine == null ? null : engine.getPeerHost(), chain, e);
                throw e;
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            try {
                pkix.checkClientTrusted(chain, authType, socket);
            } catch (CertificateException | RuntimeException e) {
                refused(socket == null || socket.getInetAddress() == null ? null : socket.getInetAddress().getHostAddress(),
                        chain, e);
                throw e;
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                pkix.checkClientTrusted(chain, authType);
            } catch (CertificateException | RuntimeException e) {
                refused(null, chain, e);
                throw e;
            }
        }

        private void refused(String address, X509Certificate[] chain, Exception e) {
            X509Certificate leaf = chain == null || chain.length == 0 ? null : chain[0];
            refusals.refused(address,
                    leaf == null ? "(no certificate)" : leaf.getSubjectX500Principal().getName(),
                    leaf == null ? "" : leaf.getIssuerX500Principal().getName(),
                    reason(e));
        }

        /** The innermost message: "PKIX path building failed: ..." says less than its cause. */
        private static String reason(Throwable e) {
            Throwable t = e;
            while (t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
            }
            String m = t.getMessage();
            return m == null ? t.getClass().getSimpleName() : m;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            pkix.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            pkix.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }
}
