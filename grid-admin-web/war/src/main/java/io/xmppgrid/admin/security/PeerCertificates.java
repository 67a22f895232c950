package io.xmppgrid.admin.security;

import io.undertow.server.SSLSessionInfo;
import io.undertow.servlet.handlers.ServletRequestContext;
import jakarta.servlet.http.HttpServletRequest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;

/**
 * The client certificate chain of the request's TLS connection. Undertow sets the servlet
 * attribute {@code jakarta.servlet.request.X509Certificate} only after authentication has run,
 * so during authentication the chain is read from the connection's TLS session.
 */
final class PeerCertificates {

    private PeerCertificates() {
    }

    /** The verified chain the peer presented (the TLS layer trusts only the grid CA), or null. */
    static X509Certificate[] of(HttpServletRequest req) {
        if (req.getAttribute("jakarta.servlet.request.X509Certificate") instanceof X509Certificate[] chain) {
            return chain;
        }
        ServletRequestContext ctx = ServletRequestContext.current();
        SSLSessionInfo ssl = ctx == null ? null : ctx.getExchange().getConnection().getSslSessionInfo();
        if (ssl == null) {
            return null;
        }
        try {
            Certificate[] certs = ssl.getPeerCertificates();
            if (certs == null || certs.length == 0 || !(certs[0] instanceof X509Certificate)) {
                return null;
            }
            X509Certificate[] chain = new X509Certificate[certs.length];
            for (int i = 0; i < certs.length; i++) {
                chain[i] = (X509Certificate) certs[i];
            }
            return chain;
        } catch (javax.net.ssl.SSLPeerUnverifiedException | io.undertow.server.RenegotiationRequiredException e) {
            return null; // no certificate presented
        }
    }
}
