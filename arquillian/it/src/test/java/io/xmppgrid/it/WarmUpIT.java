package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 22, warm-up: the node loads its own real path (TLS over loopback, SCRAM, the broker, IODEF validation, JPA, the
 * audit chain, XEP-0198 fan-out) and is not ready meanwhile. The test server starts without one
 * ({@code grid.warmup.seconds=0}, so that its traffic does not mix with other tests'); an administrator's request runs it.
 */
@ExtendWith(ArquillianExtension.class)
class WarmUpIT {

    private static final URI READY = URI.create(Grid.ADMIN_URL.replaceFirst("/grid-admin.*$", "") + "/grid-health/ready");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    private static HttpResponse<String> ready() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(READY).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?\\d+)").matcher(json);
        assertTrue(m.find(), field + " in " + json);
        return Long.parseLong(m.group(1));
    }

    @Test
    void aWarmUpRunsThroughTheListenerAndTheNodeIsNotReadyUntilItEnds() throws Exception {
        assertEquals(200, ready().statusCode(), "ready before: no warm-up at start in tests");
        CompletableFuture<Grid.Result> run = CompletableFuture.supplyAsync(() -> {
            try {
                return Grid.api("POST", "/cluster/warm-up?seconds=6", null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        HttpResponse<String> during = ready();
        for (int i = 0; i < 100 && during.statusCode() == 200 && !run.isDone(); i++) {
            Thread.sleep(50);
            during = ready();
        }
        assertEquals(503, during.statusCode(), "not ready while warming: " + during.body());
        assertTrue(during.body().contains("\"xmpp\":\"warming\""), during.body());
        assertTrue(Grid.api("GET", "/cluster/nodes", null).out().contains("\"state\":\"warming\""), "the cluster sees it too");
        assertEquals(409, Grid.api("POST", "/cluster/warm-up?seconds=2", null).status(), "one warm-up at a time");

        Grid.Result r = run.get(90, TimeUnit.SECONDS);
        assertEquals(200, r.status(), r.out());
        String json = r.out();
        assertTrue(json.contains("\"failed\":false"), json);
        long publishes = number(json, "publishes");
        assertTrue(publishes > 0, json);
        assertEquals(publishes * 50, number(json, "expected"), "50 subscriber sessions, every publish accepted: " + json);
        assertEquals(number(json, "expected"), number(json, "deliveries"), "every notification reached its session: " + json);
        assertEquals(200, ready().statusCode(), "ready once it is over");

        Matcher m = Pattern.compile("\"platform\":\"([^\"]+)\"").matcher(json);
        assertTrue(m.find(), json);
        String platform = m.group(1);
        assertTrue(Grid.api("GET", "/platforms?q=" + platform + "&state=disabled", null).out().contains(platform),
                "the warm-up platform is disabled between runs: nothing can log in as it");
        assertTrue(!Grid.api("GET", "/topics?q=" + platform, null).out().contains("\"" + platform + "\""), "its Topic is gone");
        String audit = Grid.api("GET", "/audit?action=grid.warmup", null).out();
        assertTrue(audit.contains(platform) && audit.contains("\"ok\""), audit);
        assertTrue(Grid.api("GET", "/audit?action=pubsub.publish&actor=" + platform + "%40grid.local", null).out()
                .contains(platform), "its publishes are audited like any platform's");
    }
}
