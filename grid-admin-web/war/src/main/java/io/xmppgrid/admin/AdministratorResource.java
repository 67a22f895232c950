package io.xmppgrid.admin;

import io.xmppgrid.ejb.Administrators;
import jakarta.ejb.EJB;
import jakarta.json.Json;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Administrators: {@code GET /api/admins}; {@code POST /api/admins} (form {@code name}, optional
 * {@code password}) enrols one and returns its TOTP key as an {@code otpauth://} URI (shown once);
 * {@code POST /api/admins/{name}/certificate} (form {@code days}, optional {@code password}) issues
 * a grid-CA client certificate for certificate sign-in (PKCS#12, password in {@code X-Grid-P12-Password});
 * {@code POST /api/admins/{name}/disable|enable} (enabling also lifts a sign-in lock).
 */
@Path("/admins")
@jakarta.enterprise.context.RequestScoped
public class AdministratorResource {

    @EJB
    private Administrators administrators;

    @jakarta.inject.Inject
    private AdminAudit adminAudit;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response list() {
        var list = Json.createArrayBuilder();
        for (Administrators.AdminView a : administrators.list()) {
            var o = Json.createObjectBuilder().add("name", a.name()).add("state", a.state()).add("totp", a.totp())
                    .add("createdAt", a.createdAt().toString()).add("failedSignIns", a.failedCount());
            if (a.certSerial() != null) {
                o.add("certificateSerial", a.certSerial());
            }
            if (a.lastSignInAt() != null) {
                o.add("lastSignInAt", a.lastSignInAt().toString());
            }
            if (a.lockedUntil() != null) {
                o.add("lockedUntil", a.lockedUntil().toString());
            }
            list.add(o);
        }
        return Response.ok(list.build().toString() + "\n").build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response create(@FormParam("name") String name, @FormParam("password") String password) {
        return adminAudit.audited("admin.administrator.create", name, null, () -> {
            Administrators.Enrolled e = administrators.create(name, password);
            var o = Json.createObjectBuilder().add("name", e.name()).add("otpauth", e.otpauthUri());
            if (e.generated()) {
                o.add("password", e.password());
            }
            return Response.status(Response.Status.CREATED).entity(o.build().toString() + "\n").build();
        });
    }

    @POST
    @Path("/{name}/certificate")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces("application/x-pkcs12")
    public Response certificate(@PathParam("name") String name, @FormParam("days") @jakarta.ws.rs.DefaultValue("365") int days,
                                @FormParam("password") String password) {
        return adminAudit.audited("admin.administrator.certificate", name, null, () -> {
            Administrators.AdminCertificate c = administrators.issueCertificate(name, days, password);
            return Response.ok(c.pkcs12()).header("X-Grid-Serial", c.serial()).header("X-Grid-P12-Password", c.password())
                    .build();
        });
    }

    /** Revokes the administrator's client certificate (issue 19): no more sign-in with it, and on the CRL. */
    @POST
    @Path("/{name}/certificate/revoke")
    @Produces(MediaType.APPLICATION_JSON)
    public Response revokeCertificate(@PathParam("name") String name) {
        return adminAudit.audited("admin.administrator.certificate.revoke", name, null, () -> {
            String serial = administrators.revokeCertificate(name);
            return Response.ok(Json.createObjectBuilder().add("name", name).add("revoked", serial).build().toString() + "\n")
                    .build();
        });
    }

    @POST
    @Path("/{name}/disable")
    @Produces(MediaType.APPLICATION_JSON)
    public Response disable(@PathParam("name") String name) {
        return adminAudit.audited("admin.administrator.disable", name, null, () -> state(name, false));
    }

    @POST
    @Path("/{name}/enable")
    @Produces(MediaType.APPLICATION_JSON)
    public Response enable(@PathParam("name") String name) {
        return adminAudit.audited("admin.administrator.enable", name, null, () -> state(name, true));
    }

    private Response state(String name, boolean enabled) {
        administrators.setEnabled(name, enabled);
        return Response.ok(Json.createObjectBuilder().add("name", name).add("state", enabled ? "enabled" : "disabled")
                .build().toString() + "\n").build();
    }
}
