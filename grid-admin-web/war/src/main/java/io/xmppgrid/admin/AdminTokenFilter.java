package io.xmppgrid.admin;

import io.xmppgrid.ejb.GridSettings;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import org.jboss.logging.Logger;

/**
 * Every request to the administration API must carry {@code Authorization: Bearer <token>}
 * with the token from the server's data directory (readable only by the server's user, so
 * only a local operator has it). Applies before matching, to every path: there is no
 * exclusion list.
 */
@Provider
@PreMatching
public class AdminTokenFilter implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger(AdminTokenFilter.class);

    @Override
    public void filter(ContainerRequestContext req) {
        String header = req.getHeaderString(HttpHeaders.AUTHORIZATION);
        byte[] expected;
        try {
            expected = Files.readString(GridSettings.adminTokenFile(), StandardCharsets.US_ASCII).trim()
                    .getBytes(StandardCharsets.US_ASCII);
        } catch (IOException e) {
            LOG.errorf("GRID0301: administration token unreadable: %s", e.getMessage());
            req.abortWith(Response.status(Response.Status.SERVICE_UNAVAILABLE).type(MediaType.TEXT_PLAIN)
                    .entity("administration token unavailable\n").build());
            return;
        }
        byte[] given = header != null && header.startsWith("Bearer ")
                ? header.substring(7).trim().getBytes(StandardCharsets.US_ASCII) : new byte[0];
        if (expected.length == 0 || !MessageDigest.isEqual(expected, given)) {
            LOG.warnf("GRID0302: administration request to %s refused: bad or missing token", req.getUriInfo().getPath());
            req.abortWith(Response.status(Response.Status.UNAUTHORIZED).type(MediaType.TEXT_PLAIN)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"grid-admin\"")
                    .entity("a valid administration token is required\n").build());
        }
    }
}
