package io.xmppgrid.admin;

import io.xmppgrid.ejb.PlatformAdmin;
import jakarta.ejb.EJB;
import jakarta.json.Json;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Role templates (RFC 8600 §8.3.2): {@code GET /api/roles} lists them with their grants and how
 * many platforms have each; {@code PUT /api/roles/{name}} (form {@code description},
 * {@code grants}: {@code ACTION [own] [type=T1,T2]} separated by {@code ;}; optional
 * {@code stanzaRate}, {@code byteRate} per second) creates or replaces
 * one; {@code DELETE /api/roles/{name}} removes an unused one.
 */
@Path("/roles")
@jakarta.enterprise.context.RequestScoped
public class RoleResource {

    @EJB
    private PlatformAdmin admin;

    @jakarta.inject.Inject
    private AdminAudit adminAudit;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response list() {
        var list = Json.createArrayBuilder();
        for (PlatformAdmin.RoleView r : admin.roles()) {
            list.add(json(r));
        }
        return Response.ok(list.build().toString() + "\n").build();
    }

    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response save(@PathParam("name") String name, @FormParam("description") String description,
                         @FormParam("grants") String grants, @FormParam("stanzaRate") Integer stanzaRate,
                         @FormParam("byteRate") Integer byteRate) {
        return adminAudit.audited("admin.role.save", name, grants, () ->
                Response.ok(json(admin.saveRole(name, description, grants, stanzaRate, byteRate)).toString() + "\n").build());
    }

    @DELETE
    @Path("/{name}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response delete(@PathParam("name") String name) {
        return adminAudit.audited("admin.role.delete", name, null, () -> {
            admin.deleteRole(name);
            return Response.noContent().build();
        });
    }

    private static jakarta.json.JsonObject json(PlatformAdmin.RoleView r) {
        var o = Json.createObjectBuilder().add("name", r.name()).add("grants", r.grants()).add("platforms", r.platforms());
        if (r.description() != null) {
            o.add("description", r.description());
        }
        if (r.stanzaRate() != null) {
            o.add("stanzaRate", r.stanzaRate());
        }
        if (r.byteRate() != null) {
            o.add("byteRate", r.byteRate());
        }
        return o.build();
    }
}
