package io.xmppgrid.admin.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Headers every response of the administration app carries: a strict Content-Security-Policy
 * (own resources only, no inline script, no framing), no MIME sniffing, no referrer, no caching,
 * and HSTS over HTTPS. Inline style is allowed only with the response's nonce (the sign-in page).
 */
final class SecurityHeaders {

    private static final SecureRandom RANDOM = new SecureRandom();

    private SecurityHeaders() {
    }

    /** Sets the headers; returns this response's style nonce. */
    static String apply(HttpServletRequest req, HttpServletResponse res) {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        String nonce = Base64.getEncoder().encodeToString(b);
        res.setHeader("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-" + nonce
                + "'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        res.setHeader("X-Content-Type-Options", "nosniff");
        res.setHeader("X-Frame-Options", "DENY");
        res.setHeader("Referrer-Policy", "no-referrer");
        res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
        res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
        res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
        res.setHeader("Cache-Control", "no-store");
        if (req.isSecure()) {
            res.setHeader("Strict-Transport-Security", "max-age=31536000");
        }
        return nonce;
    }
}
