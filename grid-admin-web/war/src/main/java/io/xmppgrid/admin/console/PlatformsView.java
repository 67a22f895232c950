package io.xmppgrid.admin.console;

import io.xmppgrid.ejb.PlatformAdmin;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.EJB;
import jakarta.faces.context.ExternalContext;
import jakarta.faces.context.FacesContext;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/**
 * Platforms: search and page through them with state, role, credentials, sessions and queue
 * depth; create one, issue a certificate (PKCS#12 download), approve, disable, enable, revoke,
 * assign a role; see a platform's live sessions.
 */
@Named
@ViewScoped
public class PlatformsView implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int PAGE = 25;

    @EJB
    private PlatformAdmin admin;

    @EJB
    private io.xmppgrid.ejb.cluster.ClusterBus cluster;

    @Inject
    private Console console;

    private String search;
    private String state;
    private int offset;
    private transient PlatformAdmin.PlatformPage page;
    private String newName;
    private String newPassword;
    private String newRole;
    private String createdPassword;
    private String selected;
    private String certDays = "365";
    private String certPassword;
    private String roleFor;
    private String role;

    @PostConstruct
    void init() {
        load();
    }

    private void load() {
        page = admin.platforms(search, state, offset, PAGE);
    }

    public void find() {
        offset = 0;
        load();
    }

    public void next() {
        if (offset + PAGE < page().total()) {
            offset += PAGE;
        }
        load();
    }

    public void previous() {
        offset = Math.max(0, offset - PAGE);
        load();
    }

    private PlatformAdmin.PlatformPage page() {
        if (page == null) {
            load();
        }
        return page;
    }

    public List<PlatformAdmin.PlatformRow> getRows() {
        return page().rows();
    }

    public long getTotal() {
        return page().total();
    }

    public String getRange() {
        long total = page().total();
        return total == 0 ? "none" : (offset + 1) + "–" + Math.min(total, offset + PAGE) + " of " + total;
    }

    public void create() {
        PlatformAdmin.Created c = console.act("admin.platform.create", newName, null,
                () -> admin.createPlatform(newName, newPassword, newRole), null);
        if (c != null) {
            createdPassword = c.generated() ? c.password() : null;
            console.info("Platform " + c.jid() + " created" + (c.generated() ? "; its generated password is shown below" : ""));
            newName = null;
            newPassword = null;
        }
        load();
    }

    public void enable(String name) {
        console.act("admin.platform.enable", name, null, () -> admin.enable(name), "Platform " + name + " enabled");
        load();
    }

    public void disable(String name) {
        PlatformAdmin.StateChange c = console.act("admin.platform.disable", name, null, () -> admin.disable(name), null);
        if (c != null) {
            console.info("Platform " + name + " disabled; " + c.sessionsEnded() + " live sessions ended");
        }
        load();
    }

    public void revoke(String name) {
        PlatformAdmin.StateChange c = console.act("admin.platform.revoke", name, null, () -> admin.revoke(name), null);
        if (c != null) {
            console.info("Platform " + name + " revoked; " + c.sessionsEnded() + " live sessions ended; certificates revoked: "
                    + (c.certificatesRevoked().isEmpty() ? "none" : String.join(", ", c.certificatesRevoked())));
        }
        load();
    }

    public void assignRole() {
        String r = role == null || role.isBlank() ? null : role;
        console.act("admin.platform.role", roleFor, r, () -> admin.assignRole(roleFor, r),
                "Platform " + roleFor + " now has role " + (r == null ? "(the operator's default)" : r));
        load();
    }

    /** Issues a certificate and sends it as a PKCS#12 download, protected by the password given. */
    public void issueCertificate() throws IOException {
        if (certPassword == null || certPassword.length() < 12) {
            console.error("The PKCS#12 password must have at least 12 characters");
            return;
        }
        int days;
        try {
            days = Integer.parseInt(certDays.strip());
        } catch (RuntimeException e) {
            console.error("Validity must be a number of days");
            return;
        }
        PlatformAdmin.IssuedCertificate c = console.act("admin.certificate.issue", selected, null,
                () -> admin.issueCertificate(selected, days, certPassword), null);
        if (c == null) {
            return;
        }
        FacesContext fc = FacesContext.getCurrentInstance();
        ExternalContext ec = fc.getExternalContext();
        ec.responseReset();
        ec.setResponseContentType("application/x-pkcs12");
        ec.setResponseContentLength(c.pkcs12().length);
        ec.setResponseHeader("Content-Disposition", "attachment; filename=\"" + c.jid().replaceAll("[^A-Za-z0-9._-]", "_") + ".p12\"");
        ec.getResponseOutputStream().write(c.pkcs12());
        fc.responseComplete();
    }

    /** Sets the selected platform's SCRAM password (empty: generated, shown once). */
    public void setPasswordNow() {
        PlatformAdmin.Created c = console.act("admin.platform.password", selected, null,
                () -> admin.setPassword(selected, newPassword), null);
        if (c != null) {
            createdPassword = c.generated() ? c.password() : null;
            console.info("Password of " + c.jid() + " set" + (c.generated() ? "; the generated one is shown below" : ""));
            newPassword = null;
        }
        load();
    }

    public void select(String name) {
        selected = name;
        roleFor = name;
    }

    public List<PlatformAdmin.SessionView> getSessions() {
        if (selected == null) {
            return List.of();
        }
        try {
            return admin.sessions(selected);
        } catch (io.xmppgrid.ejb.AdminException e) {
            return List.of();
        }
    }

    /** The selected platform's stanzas in and out per second over the last hour, on every node (inline SVG). */
    public List<String> getTrafficCharts() {
        if (selected == null) {
            return List.of();
        }
        List<io.xmppgrid.ejb.history.TrafficHistory.Snapshot> nodes =
                cluster.history(false, selected + "@" + io.xmppgrid.ejb.GridSettings.domain());
        return List.of(SvgChart.render("stanzas in/s", nodes, 0), SvgChart.render("stanzas out/s", nodes, 1));
    }

    public PlatformAdmin.OfflineStatus getOffline() {
        return selected == null ? null : admin.offlineStatus(selected);
    }

    public List<String> getRoles() {
        return admin.roles().stream().map(PlatformAdmin.RoleView::name).toList();
    }

    public String getSearch() { return search; }
    public void setSearch(String v) { search = v; }
    public String getState() { return state; }
    public void setState(String v) { state = v; }
    public String getNewName() { return newName; }
    public void setNewName(String v) { newName = v; }
    public String getNewPassword() { return newPassword; }
    public void setNewPassword(String v) { newPassword = v; }
    public String getNewRole() { return newRole; }
    public void setNewRole(String v) { newRole = v; }
    public String getCreatedPassword() { return createdPassword; }
    public String getSelected() { return selected; }
    public String getCertDays() { return certDays; }
    public void setCertDays(String v) { certDays = v; }
    public String getCertPassword() { return certPassword; }
    public void setCertPassword(String v) { certPassword = v; }
    public String getRoleFor() { return roleFor; }
    public void setRoleFor(String v) { roleFor = v; }
    public String getRole() { return role; }
    public void setRole(String v) { role = v; }
}
