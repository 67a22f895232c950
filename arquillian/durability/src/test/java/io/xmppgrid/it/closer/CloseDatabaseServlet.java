package io.xmppgrid.it.closer;

import jakarta.annotation.Resource;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Test-only deployment: closes the grid's embedded H2 database under the running node, the way H2 closes
 * itself after an OutOfMemoryError or an interrupted file operation ({@code SHUTDOWN IMMEDIATELY}: no
 * final write, every open connection of the pool left pointing at a closed database).
 */
@WebServlet("/close-database")
public class CloseDatabaseServlet extends HttpServlet {

    @Resource(lookup = "java:jboss/datasources/GridDS")
    private DataSource grid;

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String outcome;
        try (Connection c = grid.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN IMMEDIATELY");
            outcome = "closed";
        } catch (SQLException e) {
            // H2 may report the closing on the statement that closed it
            outcome = "closed: " + e.getErrorCode();
        }
        resp.setContentType("text/plain");
        resp.getWriter().print(outcome);
    }
}
