package io.xmppgrid.admin.security;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The page of refused requests: web.xml makes it the error page of 401, 403 and 429, so the
 * container's error dispatch after {@link ConsoleAuthentication} refused a request lands here.
 * Browsers get the sign-in form (posting back to the path they asked for), API clients a JSON
 * error. Asked for directly it is behind the same constraint as everything else.
 */
@WebServlet(urlPatterns = "/refused")
public class SignInServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final ConsoleSettings settings = ConsoleSettings.fromSystem();

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String nonce = SecurityHeaders.apply(req, res);
        Object status = req.getAttribute(SignInPage.STATUS);
        if (!(status instanceof Integer code)) {
            // a signed-in administrator asked for this path itself
            res.setStatus(303);
            res.setHeader("Location", req.getContextPath() + "/");
            return;
        }
        String message = (String) req.getAttribute(SignInPage.MESSAGE);
        String token = (String) req.getAttribute(SignInPage.FORM_TOKEN);
        String accept = req.getHeader("Accept");
        if (token == null || accept == null || !accept.contains("text/html")) {
            SignInPage.writeJson(res, code, message != null ? message : "sign-in required");
            return;
        }
        SignInPage.writeForm(res, code, (String) req.getAttribute(SignInPage.ACTION), token, nonce, message, settings,
                req.isSecure());
    }
}
