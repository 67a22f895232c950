package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The metrics and health endpoints (WildFly's micrometer and health subsystems, on the management
 * interface): the grid's meters move with what platforms and administrators do.
 */
@ExtendWith(ArquillianExtension.class)
class MetricsIT {

    private static final String MANAGEMENT = "http://127.0.0.1:19990";

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    private static String get(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(MANAGEMENT + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body();
    }

    /** The value of the first sample of {@code metric} whose labels contain every one of {@code labels}. */
    private static double value(String scrape, String metric, String... labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "(\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$").matcher(scrape);
        while (m.find()) {
            String l = m.group(1) == null ? "" : m.group(1);
            if (List.of(labels).stream().allMatch(l::contains)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no " + metric + " " + List.of(labels) + " in the scrape");
    }

    @Test
    void meterMovesWithTrafficAndAdministration() throws Exception {
        String owner = Topics.account("metrics");
        String node = Topics.node("metrics");
        String before = get("/prometheus");
        double inBefore = value(before, "grid_stanzas_in_total");
        try (RawXmpp o = RawXmpp.bound(owner, Topics.PASSWORD)) {
            Topics.create(o, node, List.of(), "");
            Topics.publish(o, node, "m", 3);
            String during = get("/prometheus");
            assertTrue(value(during, "grid_sessions", "node=\"") >= 1, "a live session, tagged with its node (issue 20)");
            assertTrue(value(during, "grid_connections") >= 1);
            assertTrue(value(during, "grid_stanzas_in_total") >= inBefore + 5, "create, affiliations, 3 publishes");
            assertTrue(value(during, "grid_stanzas_out_total") >= 5, "their results");
            assertTrue(value(during, "grid_audit_events_total", "action=\"pubsub.publish\"", "outcome=\"ok\"") >= 3);
            assertTrue(value(during, "grid_offline_depth", "scope=\"cluster\"") >= 0);
            // issue 20: the grid's own figures, from the coordinator (a single node is its own): the owner is enabled
            assertTrue(value(during, "grid_platforms", "scope=\"cluster\"", "state=\"enabled\"") >= 1);
        }
        String victim = Grid.platform(Grid.uniqueName("metricsrev"), "metrics-password-1");
        assertEquals(0, Grid.admin("platform", "revoke", victim).status());
        String after = get("/prometheus");
        assertTrue(value(after, "grid_audit_events_total", "action=\"admin.platform.revoke\"", "outcome=\"ok\"") >= 1);
        assertTrue(value(after, "grid_deliveries_total") >= 0);
        // issue 18: connections refused as they are accepted, by the limit that refused them
        for (String limit : List.of("grid.maxConnections", "grid.maxUnauthenticatedConnections", "grid.maxConnectionsPerAddress",
                "grid.connectionRatePerAddress")) {
            assertTrue(value(after, "grid_connections_refused_total", "limit=\"" + limit + "\"") >= 0, limit);
        }

        String health = get("/health");
        assertTrue(health.contains("\"grid-ear.ear\" : \"OK\""), health);
    }
}
