package io.xmppgrid.admin;

import io.xmppgrid.ejb.AdminException;
import io.xmppgrid.ejb.PlatformAdmin;
import jakarta.ejb.EJB;
import jakarta.json.Json;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Onboarding: {@code POST /api/platforms} (form {@code name}, optional {@code password})
 * creates a platform with SCRAM credentials; {@code POST /api/platforms/{name}/certificates}
 * (form {@code days}, optional {@code password}) returns a PKCS#12 with a certificate from
 * the grid CA, its password in the {@code X-Grid-P12-Password} header.
 */
@Path("/platforms")
@jakarta.enterprise.context.RequestScoped
public class PlatformResource {

    @EJB
    private PlatformAdmin admin;

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response create(@FormParam("name") String name, @FormParam("password") String password) {
        try {
            PlatformAdmin.Created c = admin.createPlatform(name, password);
            var json = Json.createObjectBuilder().add("jid", c.jid());
            if (c.generated()) {
                json.add("password", c.password());
            }
            return Response.status(Response.Status.CREATED).entity(json.build().toString() + "\n").build();
        } catch (AdminException e) {
            return refused(e);
        }
    }

    @POST
    @Path("/{name}/certificates")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces("application/x-pkcs12")
    public Response issue(@PathParam("name") String name, @FormParam("days") @DefaultValue("365") int days,
                          @FormParam("password") String password) {
        try {
            PlatformAdmin.IssuedCertificate c = admin.issueCertificate(name, days, password);
            return Response.ok(c.pkcs12()).header("X-Grid-Jid", c.jid()).header("X-Grid-Serial", c.serial())
                    .header("X-Grid-P12-Password", c.password()).build();
        } catch (AdminException e) {
            return refused(e);
        }
    }

    static Response refused(AdminException e) {
        Response.Status s = switch (e.reason()) {
            case CONFLICT -> Response.Status.CONFLICT;
            case NOT_FOUND -> Response.Status.NOT_FOUND;
            default -> Response.Status.BAD_REQUEST;
        };
        return Response.status(s).type(MediaType.APPLICATION_JSON)
                .entity(Json.createObjectBuilder().add("error", e.getMessage()).build().toString() + "\n").build();
    }
}
