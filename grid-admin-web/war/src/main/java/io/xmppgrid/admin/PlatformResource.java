package io.xmppgrid.admin;

import io.xmppgrid.ejb.AdminException;
import io.xmppgrid.ejb.PlatformAdmin;
import jakarta.ejb.EJB;
import jakarta.json.Json;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
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
 * Onboarding: {@code POST /api/platforms} (form {@code name}, optional {@code password})
 * creates a platform with SCRAM credentials; {@code POST /api/platforms/{name}/certificates}
 * (form {@code days}, optional {@code password}) returns a PKCS#12 with a certificate from
 * the grid CA, its password in the {@code X-Grid-P12-Password} header.
 * {@code GET /api/platforms/{name}/offline} shows the platform's offline queue (depth, limits,
 * refusals, expiries); {@code PUT} with form {@code maxMessages}, {@code maxBytes} (empty: the
 * operator's default) sets its own limits. {@code GET /api/platforms/{name}/sessions} lists its
 * live sessions on this node (a session waiting for XEP-0198 resumption shows as unavailable); {@code DELETE} ends
 * them on every node ({@code resource}: that session only; {@code sessionsEnded} counts this node's).
 * {@code GET /api/platforms} lists them ({@code q}, {@code state}, {@code offset}, {@code limit}).
 * {@code PUT /api/platforms/{name}/password} (form {@code password}; empty: generated) sets its SCRAM credential.
 * {@code PUT /api/platforms/{name}/role} (form {@code role}; empty: the operator's default)
 * assigns a role template. {@code POST /api/platforms/{name}/revoke} disables the platform, revokes its certificates and
 * ends its sessions; {@code .../disable} ends its sessions and stops logins; {@code .../enable}
 * lets it log in again (revoked certificates stay revoked).
 */
@Path("/platforms")
@jakarta.enterprise.context.RequestScoped
public class PlatformResource {

    @EJB
    private PlatformAdmin admin;

    @jakarta.inject.Inject
    private AdminAudit adminAudit;

    /** Refusals ({@link AdminException}) become responses in {@link AdminExceptionMapper}, audited ones in {@link AdminAudit}. */
    private Response audited(String action, String target, java.util.function.Supplier<Response> change) {
        return adminAudit.audited(action, target, null, change);
    }

    /** The console's list: {@code q} (name contains), {@code state}, {@code offset}, {@code limit} (≤200). */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response list(@jakarta.ws.rs.QueryParam("q") String q, @jakarta.ws.rs.QueryParam("state") String state,
                         @jakarta.ws.rs.QueryParam("offset") @DefaultValue("0") int offset,
                         @jakarta.ws.rs.QueryParam("limit") @DefaultValue("50") int limit) {
        PlatformAdmin.PlatformPage page = admin.platforms(q, state, offset, limit);
        var rows = Json.createArrayBuilder();
        for (PlatformAdmin.PlatformRow r : page.rows()) {
            var o = Json.createObjectBuilder().add("name", r.name()).add("jid", r.jid()).add("state", r.state())
                    .add("scram", Json.createArrayBuilder(r.scram())).add("certificates", Json.createArrayBuilder(r.certificates()))
                    .add("revokedCertificates", Json.createArrayBuilder(r.revokedCertificates())).add("sessions", r.sessions())
                    .add("stanzasIn", r.stanzasIn()).add("stanzasOut", r.stanzasOut()).add("queued", r.queued())
                    .add("createdAt", r.createdAt().toString());
            if (r.role() == null) {
                o.addNull("role");
            } else {
                o.add("role", r.role());
            }
            rows.add(o);
        }
        return Response.ok(Json.createObjectBuilder().add("total", page.total()).add("offset", Math.max(0, offset))
                .add("platforms", rows).build().toString() + "\n").build();
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response create(@FormParam("name") String name, @FormParam("password") String password,
                           @FormParam("role") String role) {
        return audited("admin.platform.create", name, () -> doCreate(name, password, role));
    }

    private Response doCreate(String name, String password, String role) {
        PlatformAdmin.Created c = admin.createPlatform(name, password, role);
        var json = Json.createObjectBuilder().add("jid", c.jid());
        if (c.generated()) {
            json.add("password", c.password());
        }
        return Response.status(Response.Status.CREATED).entity(json.build().toString() + "\n").build();
    }

    @POST
    @Path("/{name}/certificates")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces("application/x-pkcs12")
    public Response issue(@PathParam("name") String name, @FormParam("days") @DefaultValue("365") int days,
                          @FormParam("password") String password) {
        return audited("admin.certificate.issue", name, () -> doIssue(name, days, password));
    }

    private Response doIssue(String name, int days, String password) {
        PlatformAdmin.IssuedCertificate c = admin.issueCertificate(name, days, password);
        return Response.ok(c.pkcs12()).header("X-Grid-Jid", c.jid()).header("X-Grid-Serial", c.serial())
                .header("X-Grid-P12-Password", c.password()).build();
    }

    @PUT
    @Path("/{name}/role")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response assignRole(@PathParam("name") String name, @FormParam("role") String role) {
        return audited("admin.platform.role", name, () -> {
            String r = admin.assignRole(name, role);
            var o = Json.createObjectBuilder().add("platform", name);
            if (r == null) {
                o.addNull("role");
            } else {
                o.add("role", r);
            }
            return Response.ok(o.build().toString() + "\n").build();
        });
    }

    @PUT
    @Path("/{name}/password")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response password(@PathParam("name") String name, @FormParam("password") String password) {
        return audited("admin.platform.password", name, () -> {
            PlatformAdmin.Created c = admin.setPassword(name, password);
            var json = Json.createObjectBuilder().add("jid", c.jid());
            if (c.generated()) {
                json.add("password", c.password());
            }
            return Response.ok(json.build().toString() + "\n").build();
        });
    }

    @POST
    @Path("/{name}/revoke")
    @Produces(MediaType.APPLICATION_JSON)
    public Response revoke(@PathParam("name") String name) {
        return audited("admin.platform.revoke", name, () -> stateChange(() -> admin.revoke(name)));
    }

    @POST
    @Path("/{name}/disable")
    @Produces(MediaType.APPLICATION_JSON)
    public Response disable(@PathParam("name") String name) {
        return audited("admin.platform.disable", name, () -> stateChange(() -> admin.disable(name)));
    }

    @POST
    @Path("/{name}/enable")
    @Produces(MediaType.APPLICATION_JSON)
    public Response enable(@PathParam("name") String name) {
        return audited("admin.platform.enable", name, () -> stateChange(() -> admin.enable(name)));
    }

    private static Response stateChange(java.util.function.Supplier<PlatformAdmin.StateChange> change) {
        PlatformAdmin.StateChange c = change.get();
        var serials = Json.createArrayBuilder();
        c.certificatesRevoked().forEach(serials::add);
        return Response.ok(Json.createObjectBuilder().add("jid", c.jid()).add("state", c.state())
                .add("sessionsEnded", c.sessionsEnded()).add("certificatesRevoked", serials).build().toString() + "\n")
                .build();
    }

    @GET
    @Path("/{name}/offline")
    @Produces(MediaType.APPLICATION_JSON)
    public Response offline(@PathParam("name") String name) {
        return Response.ok(json(admin.offlineStatus(name))).build();
    }

    @GET
    @Path("/{name}/sessions")
    @Produces(MediaType.APPLICATION_JSON)
    public Response sessions(@PathParam("name") String name) {
        var list = Json.createArrayBuilder();
        for (PlatformAdmin.SessionView v : admin.sessions(name)) {
            list.add(json(v));
        }
        return Response.ok(list.build().toString() + "\n").build();
    }

    /** A session as the API shows it (also {@code GET /api/cluster/sessions}). */
    static jakarta.json.JsonObjectBuilder json(PlatformAdmin.SessionView v) {
        return Json.createObjectBuilder().add("jid", v.jid()).add("node", v.node()).add("connection", v.connection())
                .add("since", v.since().toString()).add("address", v.address()).add("available", v.available())
                .add("priority", v.priority()).add("stanzasIn", v.stanzasIn()).add("stanzasOut", v.stanzasOut());
    }

    /** Ends the platform's sessions on every node (or the one of {@code resource}); its state does not change. */
    @jakarta.ws.rs.DELETE
    @Path("/{name}/sessions")
    @Produces(MediaType.APPLICATION_JSON)
    public Response endSessions(@PathParam("name") String name, @jakarta.ws.rs.QueryParam("resource") String resource) {
        return audited("admin.platform.endsessions", name, () -> Response.ok(Json.createObjectBuilder()
                .add("sessionsEnded", admin.endSessionsOf(name, resource)).build().toString() + "\n").build());
    }

    @PUT
    @Path("/{name}/offline")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response offlineLimits(@PathParam("name") String name, @FormParam("maxMessages") String maxMessages,
                                  @FormParam("maxBytes") String maxBytes) {
        return audited("admin.offline.limits", name, () ->
                Response.ok(json(admin.setOfflineLimits(name, optionalInt(maxMessages), optionalLong(maxBytes)))).build());
    }

    private static Integer optionalInt(String v) {
        Long l = optionalLong(v);
        if (l != null && l > Integer.MAX_VALUE) {
            throw new AdminException(AdminException.Reason.INVALID, "maxMessages too large");
        }
        return l == null ? null : l.intValue();
    }

    private static Long optionalLong(String v) {
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new AdminException(AdminException.Reason.INVALID, "not a number: " + v);
        }
    }

    private static String json(PlatformAdmin.OfflineStatus s) {
        var b = Json.createObjectBuilder().add("jid", s.jid()).add("messages", s.messages()).add("bytes", s.bytes())
                .add("maxMessages", s.maxMessages()).add("maxBytes", s.maxBytes()).add("ownLimits", s.ownLimits())
                .add("refused", s.refused()).add("expired", s.expired());
        if (s.lastRefusedAt() != null) {
            b.add("lastRefusedAt", s.lastRefusedAt().toString());
        }
        return b.build().toString() + "\n";
    }
}
