package io.xmppgrid.admin;

import io.xmppgrid.ejb.TopicAdmin;
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
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The console's Topics page as an API: {@code GET /api/topics} ({@code q}: id contains, {@code offset}, {@code limit}) with
 * configuration, owners, publishers, subscribers and pending subscriptions;
 * {@code POST /api/topics/{topic}/subscriptions/{jid}/approve|deny} decides a pending one (the
 * subscriber is told, XEP-0060 §8.6); {@code PUT /api/topics/{topic}/affiliations/{jid}} (form
 * {@code affiliation}: owner, publisher, publish-only, member, none, outcast).
 */
@Path("/topics")
@jakarta.enterprise.context.RequestScoped
public class TopicResource {

    @EJB
    private TopicAdmin topics;

    @jakarta.inject.Inject
    private AdminAudit adminAudit;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response list(@QueryParam("q") String q, @QueryParam("offset") @DefaultValue("0") int offset,
                         @QueryParam("limit") @DefaultValue("50") int limit) {
        TopicAdmin.TopicPage page = topics.topics(q, offset, limit);
        var list = Json.createArrayBuilder();
        for (TopicAdmin.TopicView t : page.topics()) {
            var o = Json.createObjectBuilder().add("id", t.id()).add("accessModel", t.accessModel())
                    .add("persistItems", t.persistItems()).add("maxItems", t.maxItems())
                    .add("owners", Json.createArrayBuilder(t.owners())).add("publishers", Json.createArrayBuilder(t.publishers()))
                    .add("otherAffiliations", Json.createArrayBuilder(t.others()))
                    .add("subscribed", Json.createArrayBuilder(t.subscribed())).add("pending", Json.createArrayBuilder(t.pending()));
            if (t.title() != null) {
                o.add("title", t.title());
            }
            if (t.payloadType() != null) {
                o.add("payloadType", t.payloadType());
            }
            list.add(o);
        }
        return Response.ok(Json.createObjectBuilder().add("total", page.total()).add("topics", list).build().toString() + "\n")
                .build();
    }

    @POST
    @Path("/{topic}/subscriptions/{jid}/{decision: approve|deny}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response decide(@PathParam("topic") String topic, @PathParam("jid") String jid,
                           @PathParam("decision") String decision) {
        boolean allow = decision.equals("approve");
        return adminAudit.audited("admin.topic." + decision, topic, jid, () -> {
            topics.decideSubscription(topic, jid, allow);
            return Response.ok(Json.createObjectBuilder().add("topic", topic).add("jid", jid)
                    .add("subscription", allow ? "subscribed" : "none").build().toString() + "\n").build();
        });
    }

    @PUT
    @Path("/{topic}/affiliations/{jid}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    public Response affiliation(@PathParam("topic") String topic, @PathParam("jid") String jid,
                                @FormParam("affiliation") String affiliation) {
        return adminAudit.audited("admin.topic.affiliation", topic, jid + "=" + affiliation, () -> {
            topics.setAffiliation(topic, jid, affiliation == null ? "" : affiliation);
            return Response.ok(Json.createObjectBuilder().add("topic", topic).add("jid", jid)
                    .add("affiliation", affiliation == null ? "" : affiliation).build().toString() + "\n").build();
        });
    }
}
