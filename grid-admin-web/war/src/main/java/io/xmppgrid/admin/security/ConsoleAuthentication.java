package io.xmppgrid.admin.security;

import io.xmppgrid.ejb.Administrators;
import io.xmppgrid.ejb.GridSettings;
import io.xmppgrid.ejb.audit.AuditLog;
import io.xmppgrid.persistence.AuditEntry;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The one gate of the administration app (RFC 8600 §8.3.2): every request to every path, page
 * or API, passes here, and web.xml's single constraint on {@code /*} requires its role. There is
 * no list of paths that need no sign-in (Openfire CVE-2023-32315): an unauthenticated request to
 * any path gets the sign-in form (or a 401 for the API) from this class, and the form posts back
 * to the path that was asked for.
 *
 * <p>Credentials, in order: the local administration token ({@code Authorization: Bearer}, for the
 * command line and automation); the console session; a grid-CA client certificate that belongs to
 * an administrator; the sign-in form (password plus TOTP code). A request that changes state is served only on a
 * session and with the session's CSRF token, never on the strength of a certificate alone (a browser presents its
 * certificate with a cross-site request too, issue 19 §1): a certificate signs in, and the request is sent back to
 * be asked again as a GET; a state change that a browser marks as coming from another site ({@code Sec-Fetch-Site},
 * {@code Origin}) is refused. Every response gets the security headers.
 */
@ApplicationScoped
public class ConsoleAuthentication implements HttpAuthenticationMechanism {

    public static final String ROLE = "grid-admin";
    public static final String TOKEN_ACTOR = "admin-token";
    static final String ADMIN = "grid.admin";
    static final String SIGNED_IN_AT = "grid.admin.at";
    static final String CSRF = "grid.csrf";
    /**
     * The cookie that binds a sign-in form to its browser: a random value, whose HMAC is the form's token. Nothing is
     * kept on the server for a request that has not signed in (issue 18 §11: an HTTP session per unauthenticated
     * request would let anyone fill the node's memory), and a form cannot be posted from another site: it needs the
     * cookie, which a SameSite=Strict cookie is not sent with, and the token, which only the console computes.
     */
    static final String SIGNIN_COOKIE = "grid-signin";
    /** The form field (and, for scripts, the header) that carries the CSRF token. */
    public static final String CSRF_FIELD = "_csrf";
    public static final String CSRF_HEADER = "X-CSRF-Token";

    private static final Logger LOG = Logger.getLogger(ConsoleAuthentication.class);

    private final ConsoleSettings settings = ConsoleSettings.fromSystem();
    private final AddressThrottle throttle = new AddressThrottle(settings.addressFailures(), settings.addressWindowSeconds());
    /** Signs the sign-in forms' tokens; the same on every node when grid.secretFile is set. */
    private final byte[] signInKey = io.xmppgrid.security.GridSecrets.derive(io.xmppgrid.security.GridSecrets.CONSOLE_SIGN_IN)
            .orElseGet(() -> SignInPage.newToken().getBytes(StandardCharsets.US_ASCII));

    @EJB
    private Administrators administrators;

    @EJB
    private AuditLog audit;

    @Override
    public AuthenticationStatus validateRequest(HttpServletRequest req, HttpServletResponse res, HttpMessageContext ctx) {
        String nonce = SecurityHeaders.apply(req, res);
        String address = address(req);
        try {
            String authz = req.getHeader("Authorization");
            if (authz != null) {
                if (!tokenAccepted(req.isSecure(), req.getRemoteAddr())) {
                    refused(req, address, "administration token over plain HTTP from another machine");
                    return SignInPage.refuse(req, res, 403,
                            "the administration token is accepted over HTTPS, or over HTTP from this machine only", null);
                }
                if (tokenMatches(authz)) {
                    return ctx.notifyContainerAboutLogin(TOKEN_ACTOR, Set.of(ROLE));
                }
                refused(req, address, "bad or missing administration token");
                return SignInPage.refuse(req, res, 401, "a valid administration token is required", null);
            }
            HttpSession session = req.getSession(false);
            if (session != null && session.getAttribute(ADMIN) instanceof String name) {
                return fromSession(req, res, ctx, session, name, address, nonce);
            }
            AuthenticationStatus byCertificate = certificate(req, res, ctx, address, nonce);
            if (byCertificate != null) {
                return byCertificate;
            }
            if ("POST".equals(req.getMethod()) && req.getParameter(SignInPage.SIGNIN_FIELD) != null) {
                return signIn(req, res, ctx, address, nonce);
            }
            return challenge(req, res, nonce, null, 401);
        } catch (IOException e) {
            LOG.warnf("GRID0309: response to %s could not be written: %s", address, e.getMessage());
            return AuthenticationStatus.SEND_CONTINUE;
        }
    }

    private AuthenticationStatus fromSession(HttpServletRequest req, HttpServletResponse res, HttpMessageContext ctx,
                                             HttpSession session, String name, String address, String nonce) throws IOException {
        Instant at = (Instant) session.getAttribute(SIGNED_IN_AT);
        if (at == null || at.plusSeconds(settings.sessionMaxSeconds()).isBefore(Instant.now())) {
            session.invalidate();
            return challenge(req, res, nonce, "Your session has expired. Please sign in again.", 401);
        }
        if (!administrators.active(name)) {
            session.invalidate();
            refused(req, address, "administrator " + name + " is no longer enabled");
            return challenge(req, res, nonce, null, 401);
        }
        String foreign = changesState(req) ? crossSite(req) : null;
        if (foreign != null) {
            audit.recordSeparately(AuditEntry.Kind.ADMIN, name, "admin.csrf", req.getRequestURI(), "refused",
                    req.getMethod() + " from another site (" + foreign + ")", address);
            LOG.warnf("GRID0305: %s %s by %s from %s refused: from another site (%s)", req.getMethod(), req.getRequestURI(),
                    name, address, foreign);
            return SignInPage.refuse(req, res, 403, "this request did not come from the console", null);
        }
        if (changesState(req) && !csrfMatches(req, (String) session.getAttribute(CSRF))) {
            audit.recordSeparately(AuditEntry.Kind.ADMIN, name, "admin.csrf", req.getRequestURI(), "refused",
                    req.getMethod() + " without the session's CSRF token", address);
            LOG.warnf("GRID0305: %s %s by %s from %s refused: no valid CSRF token", req.getMethod(), req.getRequestURI(), name,
                    address);
            return SignInPage.refuse(req, res, 403, "this form has expired or did not come from the console; reload the page", null);
        }
        if ("POST".equals(req.getMethod()) && req.getParameter(SignInPage.SIGNOUT_FIELD) != null) {
            session.invalidate();
            audit.recordSeparately(AuditEntry.Kind.ADMIN, name, "admin.signout", null, "ok", null, address);
            LOG.infof("GRID0306: administrator %s signed out from %s", name, address);
            res.setStatus(303);
            res.setHeader("Location", req.getContextPath() + "/");
            return AuthenticationStatus.SEND_CONTINUE;
        }
        return ctx.notifyContainerAboutLogin(name, Set.of(ROLE));
    }

    private AuthenticationStatus certificate(HttpServletRequest req, HttpServletResponse res, HttpMessageContext ctx,
                                             String address, String nonce) throws IOException {
        if (!settings.certificateAllowed() || !req.isSecure()) {
            return null;
        }
        X509Certificate[] chain = PeerCertificates.of(req);
        if (chain == null || chain.length == 0) {
            return null;
        }
        String refusal = AdminCertificates.check(chain[0]);
        if (refusal != null) {
            refused(req, address, "client certificate refused: " + refusal);
            return challenge(req, res, nonce, "Your certificate was not accepted. Sign in with your password and code.", 401);
        }
        String fingerprint = AdminCertificates.sha256(chain[0]);
        // a platform's certificate is presented with every request its browser makes: its refusal is recorded once
        // every few seconds per certificate, not once per request
        String name = administrators.signInWithCertificate(fingerprint, chain[0].getSerialNumber().toString(16), address,
                throttle.shouldRecord("certificate " + fingerprint));
        if (name == null) {
            return null; // a valid grid certificate of someone else (a platform): the form is still offered
        }
        startSession(req, name);
        if (changesState(req)) {
            // signed in, but a certificate alone never changes anything: the browser asks again as a GET (the page, or
            // the API resource), and a change needs the new session's CSRF token (post/redirect/get)
            res.setStatus(303);
            res.setHeader("Location", req.getRequestURI());
            return AuthenticationStatus.SEND_CONTINUE;
        }
        return ctx.notifyContainerAboutLogin(name, Set.of(ROLE));
    }

    /**
     * Why a state-changing request comes from another site, or null: the browser's {@code Sec-Fetch-Site} says
     * {@code cross-site} or {@code same-site} (a sibling host); or, from a browser that does not send it, the
     * {@code Origin} is not the console's own. Browsers send {@code Origin: null} for the console's own forms (its
     * pages say {@code Referrer-Policy: no-referrer}), which tells nothing. Clients that send neither header (the
     * command line, scripts) are judged by their token alone.
     */
    private static String crossSite(HttpServletRequest req) {
        String site = req.getHeader("Sec-Fetch-Site");
        if (site != null) {
            return site.equals("same-origin") || site.equals("none") ? null : "Sec-Fetch-Site: " + site;
        }
        String origin = req.getHeader("Origin");
        if (origin == null || origin.equals("null")) {
            return null;
        }
        String scheme = req.getScheme();
        int port = req.getServerPort();
        boolean defaultPort = ("https".equals(scheme) && port == 443) || ("http".equals(scheme) && port == 80);
        String own = scheme + "://" + req.getServerName() + (defaultPort ? "" : ":" + port);
        return origin.equalsIgnoreCase(own) ? null : "Origin: " + (origin.length() > 100 ? origin.substring(0, 100) : origin);
    }

    private AuthenticationStatus signIn(HttpServletRequest req, HttpServletResponse res, HttpMessageContext ctx,
                                        String address, String nonce) throws IOException {
        String cookie = signInCookie(req);
        if (!csrfMatches(req, cookie == null ? null : signInToken(cookie))) {
            refused(req, address, "sign-in form without a valid token (replayed or forged)");
            return challenge(req, res, nonce, "The sign-in form expired. Please try again.", 403);
        }
        if (!settings.passwordAllowed()) {
            refused(req, address, "password and TOTP sign-in is switched off (grid.admin.signIn)");
            return challenge(req, res, nonce, "Sign-in with a password is not allowed here.", 403);
        }
        if (settings.requireHttps() && !req.isSecure()) {
            refused(req, address, "sign-in over plain HTTP");
            return challenge(req, res, nonce, "Sign in over HTTPS.", 403);
        }
        if (throttle.blocked(req.getRemoteAddr())) {
            refused(req, address, "too many failed sign-ins from this address");
            return challenge(req, res, nonce, "Too many failed attempts. Try again later.", 429);
        }
        String name = req.getParameter("username");
        String password = req.getParameter("password");
        Administrators.SignIn r = administrators.signIn(name, password == null ? new char[0] : password.toCharArray(),
                req.getParameter("code"), address);
        if (!r.ok()) {
            throttle.failed(req.getRemoteAddr());
            return challenge(req, res, nonce, r.locked() ? "Too many failed attempts. Try again later."
                    : "Wrong name, password or code.", 401);
        }
        throttle.succeeded(req.getRemoteAddr());
        startSession(req, name.strip().toLowerCase(java.util.Locale.ROOT));
        setSignInCookie(req, res, "", 0); // that form is used
        // back to what was asked for, now as a GET (post/redirect/get)
        res.setStatus(303);
        res.setHeader("Location", req.getRequestURI());
        return AuthenticationStatus.SEND_CONTINUE;
    }

    private void startSession(HttpServletRequest req, String name) {
        HttpSession old = req.getSession(false);
        if (old != null) {
            old.invalidate(); // no session fixation: whatever came before sign-in is dead
        }
        HttpSession s = req.getSession(true);
        s.setAttribute(ADMIN, name);
        s.setAttribute(SIGNED_IN_AT, Instant.now());
        s.setAttribute(CSRF, SignInPage.newToken());
        s.setMaxInactiveInterval(settings.sessionIdleSeconds());
    }

    /** The sign-in form (pages), or a JSON refusal (API clients), for the path that was asked for. */
    private AuthenticationStatus challenge(HttpServletRequest req, HttpServletResponse res, String nonce, String message,
                                           int status) throws IOException {
        String cookie = signInCookie(req);
        if (cookie == null) {
            cookie = SignInPage.newToken();
            setSignInCookie(req, res, cookie, 600);
        }
        String token = signInToken(cookie);
        return SignInPage.refuse(req, res, status, message, token);
    }

    /** The sign-in cookie's value when it is one the console could have set (43 base64url characters), else null. */
    private static String signInCookie(HttpServletRequest req) {
        jakarta.servlet.http.Cookie[] cookies = req.getCookies();
        if (cookies != null) {
            for (jakarta.servlet.http.Cookie c : cookies) {
                if (SIGNIN_COOKIE.equals(c.getName()) && c.getValue() != null && c.getValue().matches("[A-Za-z0-9_-]{43}")) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    private static void setSignInCookie(HttpServletRequest req, HttpServletResponse res, String value, int maxAge) {
        String path = req.getContextPath().isEmpty() ? "/" : req.getContextPath();
        res.addHeader("Set-Cookie", SIGNIN_COOKIE + "=" + value + "; Path=" + path + "; Max-Age=" + maxAge
                + "; HttpOnly; SameSite=Strict" + (req.isSecure() ? "; Secure" : ""));
    }

    /** The form token for a sign-in cookie: HMAC-SHA256 under the console's key. */
    private String signInToken(String cookie) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(signInKey, "HmacSHA256"));
            return java.util.Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(("sign-in:" + cookie).getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Records a refused request; one audit entry per address per few seconds, so a flood cannot fill the database. */
    private void refused(HttpServletRequest req, String address, String why) {
        if (throttle.shouldRecord(req.getRemoteAddr())) {
            LOG.warnf("GRID0302: administration request %s %s from %s refused: %s", req.getMethod(), req.getRequestURI(),
                    address, why);
            audit.recordSeparately(AuditEntry.Kind.ADMIN, "(unauthenticated)", "admin.request", req.getRequestURI(),
                    "refused", why, address);
        }
    }

    private static boolean changesState(HttpServletRequest req) {
        String m = req.getMethod();
        return !(m.equals("GET") || m.equals("HEAD") || m.equals("OPTIONS"));
    }

    private static boolean csrfMatches(HttpServletRequest req, String expected) {
        if (expected == null) {
            return false;
        }
        String given = req.getHeader(CSRF_HEADER);
        if (given == null) {
            String type = req.getContentType();
            if (type != null && (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data"))) {
                given = req.getParameter(CSRF_FIELD);
            }
        }
        return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                given.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The bearer token travels in every request: over plain HTTP only on this machine's loopback (the command line,
     * a local proxy), otherwise over HTTPS (issue 19 §5).
     */
    static boolean tokenAccepted(boolean secure, String remoteAddress) {
        if (secure) {
            return true;
        }
        if (remoteAddress == null) {
            return false;
        }
        String a = remoteAddress.startsWith("[") && remoteAddress.endsWith("]")
                ? remoteAddress.substring(1, remoteAddress.length() - 1) : remoteAddress;
        a = a.toLowerCase(java.util.Locale.ROOT);
        if (a.startsWith("::ffff:")) {
            a = a.substring(7); // an IPv4 address mapped into IPv6
        }
        // the literal address the container gives (never a name: no lookup)
        return a.matches("127(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}") || a.equals("::1") || a.equals("0:0:0:0:0:0:0:1");
    }

    private static boolean tokenMatches(String header) {
        if (!header.startsWith("Bearer ")) {
            return false;
        }
        try {
            byte[] expected = Files.readString(GridSettings.adminTokenFile(), StandardCharsets.US_ASCII).trim()
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] given = header.substring(7).trim().getBytes(StandardCharsets.US_ASCII);
            return expected.length > 0 && MessageDigest.isEqual(expected, given);
        } catch (IOException e) {
            LOG.errorf("GRID0301: administration token unreadable: %s", e.getMessage());
            return false;
        }
    }

    /** The CSRF token of a signed-in session, for the console's forms. */
    public static String csrfToken(HttpSession session) {
        return session == null ? "" : (String) session.getAttribute(CSRF);
    }

    static String address(HttpServletRequest req) {
        return req.getRemoteAddr() + ":" + req.getRemotePort();
    }
}
