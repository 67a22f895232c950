package io.xmppgrid.admin;

import io.xmppgrid.ejb.audit.AuditLog;
import io.xmppgrid.persistence.AuditEntry;
import jakarta.ejb.EJB;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The audit log (RFC 8600 §8.3.2): {@code GET /api/audit} with optional {@code actor},
 * {@code action}, {@code outcome}, {@code from}, {@code to} (ISO-8601 instants), {@code before}
 * (an id: the next page), {@code limit} (≤1000) and {@code format} ({@code json} or {@code csv}),
 * newest first; {@code GET /api/audit/verify} walks the hash chain and names the first broken entry.
 */
@Path("/audit")
@jakarta.enterprise.context.RequestScoped
public class AuditResource {

    @EJB
    private AuditLog log;

    @GET
    @Produces({MediaType.APPLICATION_JSON, "text/csv"})
    public Response search(@QueryParam("actor") String actor, @QueryParam("action") String action,
                           @QueryParam("outcome") String outcome, @QueryParam("from") String from,
                           @QueryParam("to") String to, @QueryParam("before") Long before,
                           @QueryParam("limit") @DefaultValue("100") int limit,
                           @QueryParam("format") @DefaultValue("json") String format,
                           @QueryParam("download") @DefaultValue("false") String download) {
        List<AuditEntry> entries;
        try {
            entries = log.search(new AuditLog.Filter(blank(actor), blank(action), blank(outcome), instant(from),
                    instant(to), before, limit));
        } catch (DateTimeParseException e) {
            return Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON).entity(Json
                    .createObjectBuilder().add("error", "from/to must be ISO-8601 instants: " + e.getParsedString())
                    .build().toString() + "\n").build();
        }
        if (format.equals("csv")) {
            StringBuilder csv = new StringBuilder("id,seq,at,actor_kind,actor,action,target,outcome,detail,address,hash\n");
            for (AuditEntry e : entries) {
                csv.append(e.id).append(',').append(e.chainSeq == null ? "" : e.chainSeq).append(',').append(e.at)
                        .append(',').append(e.actorKind);
                for (String v : new String[] {e.actor, e.action, e.target, e.outcome, e.detail, e.address, e.hash}) {
                    csv.append(',').append(csvField(v));
                }
                csv.append('\n');
            }
            return Response.ok(csv.toString(), "text/csv").header("Content-Disposition", "attachment; filename=audit.csv")
                    .build();
        }
        var list = Json.createArrayBuilder();
        for (AuditEntry e : entries) {
            JsonObjectBuilder o = Json.createObjectBuilder().add("id", e.id).add("at", e.at.toString())
                    .add("actorKind", e.actorKind.name()).add("actor", e.actor).add("action", e.action)
                    .add("outcome", e.outcome);
            addIfSet(o, "target", e.target);
            addIfSet(o, "detail", e.detail);
            addIfSet(o, "address", e.address);
            if (e.chainSeq != null) {
                o.add("seq", e.chainSeq).add("hash", e.hash);
            }
            list.add(o);
        }
        Response.ResponseBuilder ok = Response.ok(list.build().toString() + "\n", MediaType.APPLICATION_JSON);
        if (download.equals("1") || download.equals("true")) {
            ok.header("Content-Disposition", "attachment; filename=audit.json");
        }
        return ok.build();
    }

    @GET
    @Path("/verify")
    @Produces(MediaType.APPLICATION_JSON)
    public Response verify() {
        AuditLog.Verification v = log.verify();
        JsonObjectBuilder o = Json.createObjectBuilder().add("intact", v.intact()).add("entries", v.entries());
        if (v.anchored() != null) {
            o.add("anchored", v.anchored());
        }
        if (!v.intact()) {
            o.add("brokenSeq", v.brokenSeq()).add("reason", v.reason());
            if (v.brokenId() != null) {
                o.add("brokenId", v.brokenId());
            }
        }
        return Response.ok(o.build().toString() + "\n").build();
    }

    private static void addIfSet(JsonObjectBuilder o, String k, String v) {
        if (v != null) {
            o.add(k, v);
        }
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static Instant instant(String s) {
        return s == null || s.isBlank() ? null : Instant.parse(s);
    }

    /**
     * RFC 4180 quoting; a value that begins with =, +, -, @, a TAB or a CR (OWASP, CSV injection) is prefixed with
     * {@code '} so spreadsheets do not run it as a formula.
     */
    static String csvField(String v) {
        if (v == null) {
            return "";
        }
        String s = !v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0 ? "'" + v : v;
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
