package io.xmppgrid.admin.console;

import io.xmppgrid.admin.AdminAudit;
import io.xmppgrid.admin.security.ConsoleAuthentication;
import io.xmppgrid.ejb.AdminException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.faces.application.FacesMessage;
import jakarta.faces.context.FacesContext;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Supplier;

/** What every console page needs: who is signed in, the CSRF token for forms, audited actions, messages. */
@Named("console")
@RequestScoped
public class Console {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    @Inject
    private HttpServletRequest request;

    @Inject
    private AdminAudit audit;

    public String getAdmin() {
        return audit.actor();
    }

    public String getCsrf() {
        return ConsoleAuthentication.csrfToken(request.getSession(false));
    }

    public String getCsrfField() {
        return ConsoleAuthentication.CSRF_FIELD;
    }

    public String time(Instant t) {
        return t == null ? "" : TIME.format(t);
    }

    /**
     * Runs an administrative change, records it in the audit log with its outcome, and shows
     * {@code done} or the refusal. Returns whether it succeeded.
     */
    public <T> T act(String action, String target, String detail, Supplier<T> change, String done) {
        try {
            T r = audit.run(action, target, detail, change);
            if (done != null) {
                info(done);
            }
            return r;
        } catch (AdminException e) {
            FacesContext.getCurrentInstance().addMessage(null,
                    new FacesMessage(FacesMessage.SEVERITY_ERROR, "Refused: " + e.getMessage(), null));
            return null;
        }
    }

    public void info(String text) {
        FacesContext.getCurrentInstance().addMessage(null, new FacesMessage(FacesMessage.SEVERITY_INFO, text, null));
    }

    public void error(String text) {
        FacesContext.getCurrentInstance().addMessage(null, new FacesMessage(FacesMessage.SEVERITY_ERROR, text, null));
    }
}
