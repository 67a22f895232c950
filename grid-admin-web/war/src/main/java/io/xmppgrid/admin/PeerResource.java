package io.xmppgrid.admin;

import io.xmppgrid.ejb.PeerAdmin;
import jakarta.ejb.EJB;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Peer grids (issue 24: federation is configured, never discovered): {@code GET /api/peers} lists
 * them with their trust anchors' fingerprints; {@code PUT /api/peers/{domain}} (form {@code caPem}:
 * the peer grid's CA certificates, {@code pin}: optional SHA-256 of its server key, hex;
 * {@code role}: the role template for its JIDs; {@code description}; {@code address}: {@code host[:port]} of its
 * server, else its domain on 5269) adds or replaces one; {@code POST /api/peers/{domain}/revoke}, {@code /enable},
 * {@code /probe} (a link from this node, reported and closed); {@code DELETE /api/peers/{domain}};
 * {@code GET /api/peers/links}: the links of every node.
 * Every change is audited.
 */
@Path("/peers")
@jakarta.enterprise.context.RequestScoped
public class PeerResource {

    @EJB
    private PeerAdmin peers;

    @EJB
    private io.xmppgrid.ejb.cluster.ClusterBus cluster;

    @jakarta.inject.Inject
    private AdminAudit adminAudit;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response list() {
        var list = Json.createArrayBuilder();
        peers.peers().forEach(p -> list.add(json(p)));
        return Response.ok(list.build().toString() + "\n").build();
    }

    /**
     * The links of peer grids on every node: node, domain, direction, connection, address, since, authenticated,
     * stanzas, and (outbound) the stanzas waiting on that node for the peer.
     */
    @GET
    @Path("/links")
    @Produces(MediaType.APPLICATION_JSON)
    public Response links() {
        var list = Json.createArrayBuilder();
        for (String[] r : cluster.peerLinks()) {
            list.add(Json.createObjectBuilder().add("node", r[0]).add("domain", r[1]).add("direction", r[2])
                    .add("connection", r[3]).add("address", r[4]).add("since", r[5])
                    .add("authenticated", Boolean.parseBoolean(r[6])).add("stanzas", Long.parseLong(r[7]))
                    .add("queued", r.length > 8 ? Long.parseLong(r[8]) : 0));
        }
        return Response.ok(list.build().toString() + "\n").build();
    }

    @GET
    @Path("/{domain}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response one(@PathParam("domain") String domain) {
        return Response.ok(json(peers.peer(domain)).toString() + "\n").build();
    }

    @PUT
    @Path("/{domain}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response save(@PathParam("domain") String domain, @FormParam("caPem") String caPem, @FormParam("pin") String pin,
                         @FormParam("role") String role, @FormParam("description") String description,
                         @FormParam("address") String address) {
        return adminAudit.audited("admin.peer.save", domain, "role " + (role == null || role.isBlank() ? "none" : role)
                + (pin == null || pin.isBlank() ? "" : ", pinned"), () ->
                Response.ok(json(peers.save(domain, caPem, pin, role, description, address)).toString() + "\n").build());
    }

    @POST
    @Path("/{domain}/revoke")
    @Produces(MediaType.APPLICATION_JSON)
    public Response revoke(@PathParam("domain") String domain) {
        return adminAudit.audited("admin.peer.revoke", domain, null,
                () -> Response.ok(json(peers.revoke(domain)).toString() + "\n").build());
    }

    @POST
    @Path("/{domain}/enable")
    @Produces(MediaType.APPLICATION_JSON)
    public Response enable(@PathParam("domain") String domain) {
        return adminAudit.audited("admin.peer.enable", domain, null,
                () -> Response.ok(json(peers.enable(domain)).toString() + "\n").build());
    }

    /** Opens a link from this node to the peer and reports how far it got (200 either way; {@code ok} says). */
    @POST
    @Path("/{domain}/probe")
    @Produces(MediaType.APPLICATION_JSON)
    public Response probe(@PathParam("domain") String domain) {
        return adminAudit.audited("admin.peer.probe", domain, null, () -> {
            io.xmppgrid.ra.api.PeerProbe p = peers.probe(domain);
            var o = Json.createObjectBuilder().add("ok", p.ok()).add("stage", p.stage()).add("detail", p.detail())
                    .add("address", p.address()).add("millis", p.millis());
            if (p.peerCertificateSha256() != null) {
                o.add("peerCertificateSha256", p.peerCertificateSha256());
            }
            if (p.tlsProtocol() != null) {
                o.add("tlsProtocol", p.tlsProtocol());
            }
            return Response.ok(o.build().toString() + "\n").build();
        });
    }

    @DELETE
    @Path("/{domain}")
    public Response delete(@PathParam("domain") String domain) {
        return adminAudit.audited("admin.peer.delete", domain, null, () -> {
            peers.remove(domain);
            return Response.noContent().build();
        });
    }

    private static JsonObject json(PeerAdmin.PeerView p) {
        var anchors = Json.createArrayBuilder();
        for (PeerAdmin.Anchor a : p.anchors()) {
            var o = Json.createObjectBuilder().add("subject", a.subject());
            if (a.notAfter() != null) {
                o.add("notAfter", a.notAfter().toString());
            }
            if (a.fingerprint() != null) {
                o.add("sha256", a.fingerprint());
            }
            anchors.add(o);
        }
        var o = Json.createObjectBuilder().add("domain", p.domain()).add("state", p.state()).add("anchors", anchors)
                .add("createdAt", p.createdAt().toString()).add("updatedAt", p.updatedAt().toString());
        if (p.pin() != null) {
            o.add("pin", p.pin());
        }
        if (p.role() != null) {
            o.add("role", p.role());
        }
        if (p.description() != null) {
            o.add("description", p.description());
        }
        if (p.address() != null) {
            o.add("address", p.address());
        }
        return o.build();
    }
}
