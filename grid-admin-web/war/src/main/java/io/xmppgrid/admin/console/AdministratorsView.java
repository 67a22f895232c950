package io.xmppgrid.admin.console;

import io.xmppgrid.ejb.Administrators;
import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.List;

/** Administrators: list, enrol (the TOTP key is shown once), disable, enable (which also unlocks). */
@Named
@ViewScoped
public class AdministratorsView implements Serializable {
    private static final long serialVersionUID = 1L;

    @EJB
    private Administrators administrators;

    @Inject
    private Console console;

    private String newName;
    private String otpauth;
    private String generatedPassword;

    public List<Administrators.AdminView> getAdministrators() {
        return administrators.list();
    }

    public void create() {
        Administrators.Enrolled e = console.act("admin.administrator.create", newName, null,
                () -> administrators.create(newName, null), null);
        if (e != null) {
            otpauth = e.otpauthUri();
            generatedPassword = e.password();
            console.info("Administrator " + e.name() + " enrolled: give them the password and the authenticator key below, once");
            newName = null;
        }
    }

    public void setEnabled(String name, boolean enabled) {
        console.act(enabled ? "admin.administrator.enable" : "admin.administrator.disable", name, null, () -> {
            administrators.setEnabled(name, enabled);
            return Boolean.TRUE;
        }, "Administrator " + name + (enabled ? " enabled" : " disabled"));
    }

    public String getNewName() { return newName; }
    public void setNewName(String v) { newName = v; }
    public String getOtpauth() { return otpauth; }
    public String getGeneratedPassword() { return generatedPassword; }
}
