package io.xmppgrid.admin;

import io.xmppgrid.ejb.cluster.ClusterBus;
import jakarta.ejb.EJB;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * The cluster's nodes (issue 20): {@code GET /api/cluster/nodes} lists every node that answers (name, XMPP address,
 * state {@code serving}/{@code drained}/{@code stopped}, live sessions, started, version);
 * {@code POST /api/cluster/nodes/{name}/drain} drains one (its listener stops, its sessions are sent to the other nodes
 * with {@code <see-other-host/>}, what they had not acknowledged is handed over; the server keeps running) and
 * {@code POST /api/cluster/nodes/{name}/serve} lets it serve again. Both audited.
 */
@Path("/cluster")
@jakarta.enterprise.context.RequestScoped
public class ClusterResource {

    @EJB
    private ClusterBus cluster;

    @jakarta.inject.Inject
    private AdminAudit adminAudit;

    @GET
    @Path("/nodes")
    @Produces(MediaType.APPLICATION_JSON)
    public Response nodes() {
        JsonArrayBuilder a = Json.createArrayBuilder();
        cluster.nodes().forEach(row -> a.add(json(row)));
        return Response.ok(a.build().toString() + "\n").build();
    }

    @POST
    @Path("/nodes/{name}/drain")
    @Produces(MediaType.APPLICATION_JSON)
    public Response drain(@PathParam("name") String name) {
        return adminAudit.audited("admin.node.drain", name, null, () -> change(name, true));
    }

    @POST
    @Path("/nodes/{name}/serve")
    @Produces(MediaType.APPLICATION_JSON)
    public Response serve(@PathParam("name") String name) {
        return adminAudit.audited("admin.node.serve", name, null, () -> change(name, false));
    }

    private Response change(String name, boolean drain) {
        java.util.Optional<List<String>> after;
        try {
            after = cluster.drain(name, drain);
        } catch (java.io.IOException | RuntimeException e) {
            throw new io.xmppgrid.ejb.AdminException(io.xmppgrid.ejb.AdminException.Reason.UNAVAILABLE, e.getMessage());
        }
        if (after.isEmpty()) {
            throw new io.xmppgrid.ejb.AdminException(io.xmppgrid.ejb.AdminException.Reason.NOT_FOUND, "no node " + name
                    + " in the cluster");
        }
        return Response.ok(json(after.get()).build().toString() + "\n").build();
    }

    /** A row of {@link ClusterBus#nodes()} as JSON. */
    static JsonObjectBuilder json(List<String> row) {
        return Json.createObjectBuilder().add("name", row.get(0)).add("address", row.get(1)).add("state", row.get(2))
                .add("sessions", Integer.parseInt(row.get(3)))
                .add("started", java.time.Instant.ofEpochMilli(Long.parseLong(row.get(4))).toString())
                .add("version", row.get(5));
    }
}
