package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.client.sasl.Scram256Mechanism;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jivesoftware.smack.sasl.SASLErrorException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rate limits per role template (RFC 8600 §8.3.2 MAY): a platform over its stanza rate is
 * throttled, never dropped, and that is recorded; repeated violations disable it (the test
 * server disables after 5 seconds of throttling within a minute).
 */
@ExtendWith(ArquillianExtension.class)
class LimitsIT {

    private static final String PASSWORD = "limits-password-1";

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    private static String platformWithRate(int stanzasPerSecond) throws Exception {
        String role = "rate-" + Grid.uniqueName("r").substring(2);
        Grid.Result saved = Grid.api("PUT", "/roles/" + role, "grants=ALL&stanzaRate=" + stanzasPerSecond);
        assertEquals(200, saved.status(), saved.out());
        assertTrue(saved.out().contains("\"stanzaRate\":" + stanzasPerSecond), saved.out());
        return Grid.platform(Grid.uniqueName("lim"), PASSWORD, role);
    }

    private static void pings(RawXmpp x, int n) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append("<iq type='get' id='ping").append(i).append("'><ping xmlns='urn:xmpp:ping'/></iq>");
        }
        x.send(b.toString());
    }

    @Test // over its rate: every stanza is still answered, later; the throttling is in the audit log
    void throttledNotDropped() throws Exception {
        String p = platformWithRate(5);
        try (RawXmpp x = RawXmpp.bound(p, PASSWORD)) {
            pings(x, 20);
            for (int i = 0; i < 20; i++) {
                String r = x.await("id=\"ping" + i + "\"", Duration.ofSeconds(30));
                assertTrue(r.contains("type=\"result\""), r);
            }
        }
        String audit = waitForAudit(p, "limit.exceeded");
        assertTrue(audit.contains("\"outcome\":\"throttled\""), audit);
    }

    @Test // repeated violations: the platform is disabled, its stream ends, it cannot log in
    void repeatedViolationsDisableThePlatform() throws Exception {
        String p = platformWithRate(2);
        try (RawXmpp x = RawXmpp.bound(p, PASSWORD)) {
            pings(x, 60);
            String closed = x.awaitClose(Duration.ofSeconds(60));
            assertTrue(closed.contains("<not-authorized xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>"), closed);
        }
        assertThrows(SASLErrorException.class, () -> Smack.connect(Smack.starttls(p, PASSWORD, Scram256Mechanism.NAME)));
        String audit = Grid.api("GET", "/audit?action=limit.disable&limit=1000", null).out();
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!audit.contains("\"target\":\"" + p + "\"") && System.nanoTime() < end) {
            Thread.sleep(200);
            audit = Grid.api("GET", "/audit?action=limit.disable&limit=1000", null).out();
        }
        assertTrue(audit.contains("\"target\":\"" + p + "\""), audit);
    }

    private static String waitForAudit(String platform, String action) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        String out = "";
        while (System.nanoTime() < end) {
            out = Grid.api("GET", "/audit?actor=" + platform + "@grid.local&action=" + action, null).out();
            if (out.contains("\"action\":\"" + action + "\"")) {
                return out;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no " + action + " for " + platform + ": " + out);
    }
}
