package io.xmppgrid.admin;

import io.xmppgrid.ejb.AdminException;
import jakarta.json.Json;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A refused administrative request: 400, 404 or 409 with {@code {"error": reason}}. */
@Provider
public class AdminExceptionMapper implements ExceptionMapper<AdminException> {

    @Override
    public Response toResponse(AdminException e) {
        return response(e);
    }

    static Response response(AdminException e) {
        Response.Status s = switch (e.reason()) {
            case CONFLICT -> Response.Status.CONFLICT;
            case NOT_FOUND -> Response.Status.NOT_FOUND;
            case UNAVAILABLE -> Response.Status.SERVICE_UNAVAILABLE;
            default -> Response.Status.BAD_REQUEST;
        };
        return Response.status(s).type(MediaType.APPLICATION_JSON)
                .entity(Json.createObjectBuilder().add("error", e.getMessage()).build().toString() + "\n").build();
    }
}
