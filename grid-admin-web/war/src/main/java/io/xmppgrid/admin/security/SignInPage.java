package io.xmppgrid.admin.security;

import jakarta.json.Json;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The sign-in form, written by the authentication mechanism itself for any path that was asked
 * for without a session (so no page needs to be reachable without one), and API refusals.
 */
final class SignInPage {

    static final String SIGNIN_FIELD = "grid-signin";
    static final String SIGNOUT_FIELD = "grid-signout";
    private static final SecureRandom RANDOM = new SecureRandom();

    private SignInPage() {
    }

    static String newToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Request attributes that carry a refusal to {@link SignInServlet}, which the container's error dispatch reaches. */
    static final String STATUS = "grid.refusal.status";
    static final String MESSAGE = "grid.refusal.message";
    static final String FORM_TOKEN = "grid.refusal.form";
    static final String ACTION = "grid.refusal.action";

    /**
     * Refuses the request: the container answers with an error, whose page ({@link SignInServlet},
     * web.xml) shows the sign-in form with {@code formToken} (pages) or a JSON error (API).
     */
    static AuthenticationStatus refuse(HttpServletRequest req, HttpServletResponse res, int status, String message,
                                       String formToken) throws IOException {
        req.setAttribute(STATUS, status);
        req.setAttribute(MESSAGE, message);
        req.setAttribute(ACTION, req.getRequestURI());
        if (formToken != null) {
            req.setAttribute(FORM_TOKEN, formToken);
        }
        res.setStatus(status);
        return AuthenticationStatus.SEND_CONTINUE;
    }

    static void writeJson(HttpServletResponse res, int status, String message) throws IOException {
        res.setStatus(status);
        if (status == 401) {
            res.setHeader("WWW-Authenticate", "Bearer realm=\"grid-admin\"");
        }
        res.setContentType("application/json;charset=UTF-8");
        res.getWriter().write(Json.createObjectBuilder().add("error", message).build().toString() + "\n");
    }

    static void writeForm(HttpServletResponse res, int status, String action, String token, String nonce, String message,
                          ConsoleSettings settings, boolean secure) throws IOException {
        res.setStatus(status);
        res.setContentType("text/html;charset=UTF-8");
        StringBuilder h = new StringBuilder(2048);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>XMPP-Grid administration: sign in</title>")
                .append("<style nonce=\"").append(nonce).append("\">")
                .append("body{font-family:system-ui,sans-serif;background:#f3f4f6;margin:0}")
                .append("main{max-width:22rem;margin:6rem auto;background:#fff;padding:2rem;border-radius:.5rem;box-shadow:0 1px 4px #0002}")
                .append("label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem;box-sizing:border-box}")
                .append("button{margin-top:1.2rem;width:100%;padding:.5rem;background:#1d4ed8;color:#fff;border:0;border-radius:.3rem}")
                .append(".msg{color:#b91c1c}.note{color:#555;font-size:.85rem}</style></head><body><main>")
                .append("<h1>XMPP-Grid</h1><p>Administrator sign-in</p>");
        if (message != null) {
            h.append("<p class=\"msg\" id=\"signin-message\">").append(escape(message)).append("</p>");
        }
        if (settings.passwordAllowed()) {
            if (settings.requireHttps() && !secure) {
                h.append("<p class=\"msg\">The console accepts passwords over HTTPS only.</p>");
            }
            h.append("<form method=\"post\" action=\"").append(escape(action)).append("\" autocomplete=\"off\">")
                    .append("<input type=\"hidden\" name=\"").append(SIGNIN_FIELD).append("\" value=\"1\">")
                    .append("<input type=\"hidden\" name=\"").append(ConsoleAuthentication.CSRF_FIELD).append("\" value=\"")
                    .append(token).append("\">")
                    .append("<label for=\"username\">Name</label><input id=\"username\" name=\"username\" required>")
                    .append("<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" required>")
                    .append("<label for=\"code\">Authenticator code</label><input id=\"code\" name=\"code\" inputmode=\"numeric\" ")
                    .append("pattern=\"[0-9]{6}\" maxlength=\"6\" required>")
                    .append("<button id=\"signin\" type=\"submit\">Sign in</button></form>");
        }
        if (settings.certificateAllowed()) {
            h.append("<p class=\"note\">Administrators with a grid certificate are signed in by their browser's certificate.</p>");
        }
        h.append("</main></body></html>");
        res.getWriter().write(h.toString());
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
