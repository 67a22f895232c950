package io.xmppgrid.health;

import io.xmppgrid.ejb.GridSettings;
import io.xmppgrid.ejb.cluster.ClusterBus;
import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Whether a load balancer should send platforms to this node (issue 20): {@code GET /grid-health/ready} answers 200 while
 * its XMPP listener serves (not drained, not stopping), a clustered node routes across its cluster (it joined the group
 * and publishes its sessions) and the grid database answers within 2 s; 503 otherwise. The body says which, and nothing
 * else (no sign-in here: this application serves only this). {@code GET /grid-health/live}: 200 while the grid is
 * deployed.
 */
@WebServlet(urlPatterns = {"/ready", "/live"})
public class ReadinessServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @EJB
    private ClusterBus cluster;

    @Resource(lookup = "java:jboss/datasources/GridDS")
    private DataSource dataSource;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        res.setContentType("application/json");
        res.setHeader("Cache-Control", "no-store");
        if (req.getServletPath().equals("/live")) {
            res.getWriter().write("{\"status\":\"UP\"}\n");
            return;
        }
        String state = cluster.localState().get(2);
        boolean cluster = !GridSettings.cluster() || this.cluster.routesAcrossNodes();
        boolean database = database();
        boolean ready = "serving".equals(state) && cluster && database;
        res.setStatus(ready ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        res.getWriter().write("{\"status\":\"" + (ready ? "UP" : "DOWN") + "\",\"xmpp\":\"" + state + "\",\"cluster\":\""
                + (cluster ? "up" : "down") + "\",\"database\":\"" + (database ? "up" : "down") + "\"}\n");
    }

    private boolean database() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }
}
