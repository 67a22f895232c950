package io.xmppgrid.admin.console;

import io.xmppgrid.ejb.PlatformAdmin;
import jakarta.ejb.EJB;
import jakarta.faces.view.ViewScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;
import java.util.List;

/** Role templates: view, edit (grants, rate limits), create, delete. */
@Named
@ViewScoped
public class RolesView implements Serializable {
    private static final long serialVersionUID = 1L;

    @EJB
    private PlatformAdmin admin;

    @Inject
    private Console console;

    private String name;
    private String description;
    private String grants;
    private String stanzaRate;
    private String byteRate;

    public List<PlatformAdmin.RoleView> getRoles() {
        return admin.roles();
    }

    public void edit(String role) {
        admin.roles().stream().filter(r -> r.name().equals(role)).findFirst().ifPresent(r -> {
            name = r.name();
            description = r.description();
            grants = r.grants();
            stanzaRate = r.stanzaRate() == null ? null : r.stanzaRate().toString();
            byteRate = r.byteRate() == null ? null : r.byteRate().toString();
        });
    }

    public void save() {
        Integer sr;
        Integer br;
        try {
            sr = number(stanzaRate);
            br = number(byteRate);
        } catch (NumberFormatException e) {
            console.error("Rates must be whole numbers (empty: the operator's default)");
            return;
        }
        console.act("admin.role.save", name, grants, () -> admin.saveRole(name, description, grants, sr, br),
                "Role template " + name + " saved");
    }

    public void delete(String role) {
        console.act("admin.role.delete", role, null, () -> {
            admin.deleteRole(role);
            return Boolean.TRUE;
        }, "Role template " + role + " deleted");
    }

    private static Integer number(String s) {
        return s == null || s.isBlank() ? null : Integer.valueOf(s.strip());
    }

    public String getName() { return name; }
    public void setName(String v) { name = v; }
    public String getDescription() { return description; }
    public void setDescription(String v) { description = v; }
    public String getGrants() { return grants; }
    public void setGrants(String v) { grants = v; }
    public String getStanzaRate() { return stanzaRate; }
    public void setStanzaRate(String v) { stanzaRate = v; }
    public String getByteRate() { return byteRate; }
    public void setByteRate(String v) { byteRate = v; }
}
