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
 * state {@code serving}/{@code warming}/{@code drained}/{@code stopped}, live sessions, started, version);
 * {@code POST /api/cluster/nodes/{name}/drain} drains one (its listener stops, its sessions are sent to the other nodes
 * with {@code <see-other-host/>}, what they had not acknowledged is handed over; the server keeps running) and
 * {@code POST /api/cluster/nodes/{name}/serve} lets it serve again. Both audited. {@code GET /api/cluster/traffic}
 * ({@code ?range=hour|day}, {@code &platform=JID}) gives every node's traffic series, as the console charts them
 * (issue 21): the step, the series' names, and per node its points, oldest first, {@code null} where it has no sample.
 * {@code GET /api/cluster/sessions?q=TEXT&limit=N}: the sessions of every node. {@code POST
 * /api/cluster/warm-up?seconds=N} runs the warm-up of the node that answers (issue 22).
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

    @EJB
    private io.xmppgrid.ejb.warmup.WarmUp warmUp;

    @EJB
    private io.xmppgrid.ejb.PlatformAdmin platforms;

    /**
     * The sessions of every node whose full JID contains {@code q} (all when absent), at most {@code limit} (100, up to
     * 1000) from each node, each with the node that holds it. End one with {@code DELETE
     * /api/platforms/{name}/sessions?resource=R}, wherever it is.
     */
    @GET
    @Path("/sessions")
    @Produces(MediaType.APPLICATION_JSON)
    public Response sessions(@jakarta.ws.rs.QueryParam("q") @jakarta.ws.rs.DefaultValue("") String q,
                             @jakarta.ws.rs.QueryParam("limit") @jakarta.ws.rs.DefaultValue("100") int limit) {
        if (limit < 1 || limit > 1000 || q.length() > 1023) {
            throw new io.xmppgrid.ejb.AdminException(io.xmppgrid.ejb.AdminException.Reason.INVALID,
                    "limit is 1 to 1000, q at most 1023 characters");
        }
        JsonArrayBuilder list = Json.createArrayBuilder();
        for (io.xmppgrid.ejb.PlatformAdmin.SessionView v : platforms.findSessions(q, limit)) {
            list.add(PlatformResource.json(v));
        }
        return Response.ok(list.build().toString() + "\n").build();
    }

    /**
     * Runs this node's warm-up now (issue 22), for at most {@code seconds} (default 60), and answers when it is over
     * with what it did; the node reports {@code warming} (not ready) meanwhile. 409 while one runs.
     */
    @POST
    @Path("/warm-up")
    @Produces(MediaType.APPLICATION_JSON)
    public Response warmUp(@jakarta.ws.rs.QueryParam("seconds") @jakarta.ws.rs.DefaultValue("60") int seconds) {
        return adminAudit.audited("admin.node.warmup", System.getProperty("jboss.node.name", "node"), seconds + " s", () -> {
            io.xmppgrid.ejb.warmup.WarmUp.Report r = warmUp.warmUpNow(seconds);
            return Response.ok(Json.createObjectBuilder().add("platform", r.platform()).add("millis", r.millis()).add("publishes", r.publishes())
                    .add("deliveries", r.deliveries()).add("expected", r.expected()).add("compileMillis", r.compileMillis())
                    .add("lastCompilePercent", r.lastCompilePercent())
                    .add("ended", r.ended()).add("failed", r.failed()).build().toString() + "\n").build();
        });
    }

    @GET
    @Path("/traffic")
    @Produces(MediaType.APPLICATION_JSON)
    public Response traffic(@jakarta.ws.rs.QueryParam("range") @jakarta.ws.rs.DefaultValue("hour") String range,
                            @jakarta.ws.rs.QueryParam("platform") String platform) {
        if (!range.equals("hour") && !range.equals("day")) {
            throw new io.xmppgrid.ejb.AdminException(io.xmppgrid.ejb.AdminException.Reason.INVALID, "range is hour or day");
        }
        if (platform != null && io.xmppgrid.xmpp.Jid.parseOrNull(platform) == null) {
            throw new io.xmppgrid.ejb.AdminException(io.xmppgrid.ejb.AdminException.Reason.INVALID, "not a JID: " + platform);
        }
        List<io.xmppgrid.ejb.history.TrafficHistory.Snapshot> nodes = cluster.history(range.equals("day") && platform == null,
                platform == null ? null : io.xmppgrid.xmpp.Jid.parse(platform).bare().toString());
        JsonArrayBuilder all = Json.createArrayBuilder();
        for (io.xmppgrid.ejb.history.TrafficHistory.Snapshot n : nodes) {
            JsonObjectBuilder series = Json.createObjectBuilder();
            for (int i = 0; i < n.names().size(); i++) {
                JsonArrayBuilder points = Json.createArrayBuilder();
                for (float f : n.values().get(i)) {
                    if (Float.isNaN(f)) {
                        points.addNull();
                    } else {
                        points.add(Math.round(f * 1000) / 1000.0);
                    }
                }
                series.add(n.names().get(i), points);
            }
            all.add(Json.createObjectBuilder().add("node", n.node()).add("stepSeconds", n.stepSeconds())
                    .add("end", java.time.Instant.ofEpochMilli(n.endMillis()).toString()).add("series", series));
        }
        return Response.ok(Json.createObjectBuilder().add("nodes", all).build().toString() + "\n").build();
    }

    /** A row of {@link ClusterBus#nodes()} as JSON. */
    static JsonObjectBuilder json(List<String> row) {
        return Json.createObjectBuilder().add("name", row.get(0)).add("address", row.get(1)).add("state", row.get(2))
                .add("sessions", Integer.parseInt(row.get(3)))
                .add("started", java.time.Instant.ofEpochMilli(Long.parseLong(row.get(4))).toString())
                .add("version", row.get(5));
    }
}
