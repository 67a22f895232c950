package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The JSON API mirrors the console (RFC 8600 §8.3.2 administration): the platform list with
 * credentials, sessions and traffic; the Topics with pending approvals, approved and denied
 * from the API (XEP-0060 §8.6: the subscriber is told); affiliations on any Topic.
 */
@ExtendWith(ArquillianExtension.class)
class AdminApiIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    @Test
    void platformsAreListedWithStateCredentialsSessionsAndTraffic() throws Exception {
        String prefix = Grid.uniqueName("apilist");
        String a = Grid.platform(prefix + "-a", "api-list-password", "consumer");
        String b = Grid.platform(prefix + "-b", "api-list-password", "sensor");
        assertEquals(0, Grid.admin("platform", "disable", b).status());
        try (RawXmpp x = RawXmpp.bound(a, "api-list-password")) {
            for (int i = 0; i < 3; i++) {
                x.send("<iq type='get' to='grid.local' id='p" + i + "'><ping xmlns='urn:xmpp:ping'/></iq>");
                x.nextStanza(Topics.WAIT);
            }
            String all = Grid.api("GET", "/platforms?q=" + prefix, null).out();
            assertTrue(all.contains("\"total\":2"), all);
            assertTrue(all.contains("\"name\":\"" + a + "\"") && all.contains("\"role\":\"consumer\""), all);
            assertTrue(all.contains("\"scram\":[\"SHA-256\"]"), all);
            String disabled = Grid.api("GET", "/platforms?q=" + prefix + "&state=disabled", null).out();
            assertTrue(disabled.contains("\"total\":1") && disabled.contains(b) && !disabled.contains("\"name\":\"" + a + "\""),
                    disabled);
            String sessions = Grid.api("GET", "/platforms/" + a + "/sessions", null).out();
            assertTrue(sessions.contains("\"stanzasIn\":3") && sessions.contains("\"stanzasOut\":3"), sessions);
            assertTrue(Grid.api("GET", "/platforms?q=" + a, null).out().contains("\"sessions\":1,\"stanzasIn\":3"), "summed");
        }
        assertEquals(400, Grid.api("GET", "/platforms?state=sleeping", null).status());
    }

    @Test
    void pendingSubscriptionsAreApprovedOrDeniedAndAffiliationsChanged() throws Exception {
        String owner = Topics.account("apiown");
        String yes = Topics.account("apiyes");
        String no = Topics.account("apino");
        String node = Topics.node("apitopic");
        try (RawXmpp o = RawXmpp.bound(owner, Topics.PASSWORD); RawXmpp y = RawXmpp.bound(yes, Topics.PASSWORD);
             RawXmpp n = RawXmpp.bound(no, Topics.PASSWORD)) {
            o.send("<iq type='set' to='broker.grid.local' id='c'><pubsub xmlns='" + Topics.PS + "'><create node='" + node
                    + "'/></pubsub></iq>");
            assertTrue(o.nextStanza(Topics.WAIT).contains("type=\"result\""));
            for (RawXmpp[] s : List.of(new RawXmpp[] {y}, new RawXmpp[] {n})) {
                String who = s[0] == y ? yes : no;
                s[0].send("<iq type='set' to='broker.grid.local' id='s'><pubsub xmlns='" + Topics.PS + "'><subscribe node='" + node
                        + "' jid='" + who + "@grid.local'/></pubsub></iq>");
                assertTrue(s[0].nextStanza(Topics.WAIT).contains("subscription=\"pending\""));
            }
            String listed = Grid.api("GET", "/topics?q=" + node, null).out();
            assertTrue(listed.contains("\"id\":\"" + node + "\""), listed);
            assertTrue(listed.contains(yes + "@grid.local") && listed.contains(no + "@grid.local"), listed);

            Grid.Result r = Grid.api("POST", "/topics/" + node + "/subscriptions/" + yes + "@grid.local/approve", null);
            assertEquals(200, r.status(), r.out());
            String told = y.nextStanza(Topics.WAIT);
            assertTrue(told.contains("subscription=\"subscribed\""), told);
            r = Grid.api("POST", "/topics/" + node + "/subscriptions/" + no + "@grid.local/deny", null);
            assertEquals(200, r.status(), r.out());
            told = n.nextStanza(Topics.WAIT);
            assertTrue(told.contains("subscription=\"none\""), told);
            assertEquals(404, Grid.api("POST", "/topics/" + node + "/subscriptions/" + no + "@grid.local/approve", null).status(),
                    "nothing pending any more");

            assertEquals(200, Grid.api("PUT", "/topics/" + node + "/affiliations/" + yes, "affiliation=publisher").status());
            assertTrue(Grid.api("GET", "/topics?q=" + node, null).out().contains("\"publishers\":[\"" + yes + "@grid.local\"]"));
            assertEquals(400, Grid.api("PUT", "/topics/" + node + "/affiliations/" + owner, "affiliation=none").status(),
                    "a Topic keeps an owner");
        }
        String audit = Grid.api("GET", "/audit?actor=admin-token&limit=100", null).out();
        assertTrue(audit.contains("admin.topic.approve") && audit.contains("admin.topic.deny")
                && audit.contains("admin.topic.affiliation"), audit);
    }

    @Test // onboarding: a SCRAM credential for a platform that has only a certificate, then a new one
    void aPasswordIsSetAndReplaced() throws Exception {
        String name = Grid.uniqueName("setpw");
        java.nio.file.Path p12 = java.nio.file.Files.createTempFile("setpw", ".p12");
        assertEquals(0, Grid.admin("cert", "issue", name, "--out", p12.toString()).status());
        assertTrue(Grid.api("GET", "/platforms?q=" + name, null).out().contains("\"scram\":[]"), "no password yet");
        Grid.Result r = Grid.admin("platform", "password", name, "--password", "first-password-1");
        assertEquals(0, r.status(), r.err());
        RawXmpp.bound(name, "first-password-1").close();
        r = Grid.admin("platform", "password", name);
        assertEquals(0, r.status(), r.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"password\":\"([^\"]+)\"").matcher(r.out());
        assertTrue(m.find(), "a generated password is printed once: " + r.out());
        RawXmpp.bound(name, m.group(1)).close();
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> RawXmpp.bound(name, "first-password-1").close(), "the old password no longer works");
        assertEquals(1, Grid.admin("platform", "password", name, "--password", "short").status(), "at least 12 characters");
        assertTrue(Grid.api("GET", "/audit?action=admin.platform.password&actor=admin-token&limit=10", null).out()
                .contains(name));
    }

    /**
     * Issue 24 ("peers are configured, not discovered"): a peer grid is a domain with its own CA as trust anchor, an
     * optional key pin and a role template; what an administrator gives is checked; revoking keeps it refused on
     * record, removing forgets it; a role a peer uses is not deleted; every change is audited.
     */
    @Test
    void peerGridsAreConfiguredWithTheirOwnTrustAnchorsRevokedAndRemoved() throws Exception {
        String domain = Grid.uniqueName("peer") + ".example.org";
        io.xmppgrid.security.GridPki.Issued ca = io.xmppgrid.security.GridPki.createCa("peer CA",
                java.time.Duration.ofDays(30));
        String pem = io.xmppgrid.security.GridPki.toPem(ca.certificate());
        String form = "caPem=" + enc(pem) + "&role=consumer&description=" + enc("CERT of a partner");
        Grid.Result r = Grid.api("PUT", "/peers/" + domain, form);
        assertEquals(200, r.status(), r.out());
        assertTrue(r.out().contains("\"state\":\"enabled\"") && r.out().contains("\"role\":\"consumer\""), r.out());
        assertTrue(r.out().contains(io.xmppgrid.security.PeerTrust.fingerprint(ca.certificate())), "the anchor's fingerprint");
        String pin = io.xmppgrid.security.PeerTrust.spkiPin(ca.certificate());
        assertTrue(Grid.api("PUT", "/peers/" + domain, form + "&pin=" + pin).out().contains("\"pin\":\"" + pin + "\""));
        assertTrue(Grid.api("GET", "/peers", null).out().contains("\"domain\":\"" + domain + "\""));

        assertEquals(400, Grid.api("PUT", "/peers/" + domain, "caPem=" + enc("not a certificate")).status());
        assertEquals(400, Grid.api("PUT", "/peers/grid.local", "caPem=" + enc(pem)).status(), "our own domain");
        assertEquals(400, Grid.api("PUT", "/peers/" + domain, "caPem=" + enc(pem) + "&pin=abc").status());
        assertEquals(400, Grid.api("PUT", "/peers/someone@" + domain, "caPem=" + enc(pem)).status(), "a domain, not a JID");
        io.xmppgrid.security.GridPki.Issued server = io.xmppgrid.security.GridPki.issueServer(ca, domain,
                java.time.Duration.ofDays(1));
        assertEquals(400, Grid.api("PUT", "/peers/" + domain, "caPem=" + enc(io.xmppgrid.security.GridPki.toPem(
                server.certificate()))).status(), "a server certificate is no trust anchor");
        assertEquals(404, Grid.api("PUT", "/peers/" + domain, "caPem=" + enc(pem) + "&role=no-such-role").status());
        assertEquals(409, Grid.api("DELETE", "/roles/consumer", null).status(), "a role a peer uses stays");

        r = Grid.api("POST", "/peers/" + domain + "/revoke", null);
        assertTrue(r.status() == 200 && r.out().contains("\"state\":\"revoked\""), r.out());
        assertTrue(Grid.api("PUT", "/peers/" + domain, form).out().contains("\"state\":\"revoked\""),
                "changing a revoked peer does not enable it");
        assertTrue(Grid.api("POST", "/peers/" + domain + "/enable", null).out().contains("\"state\":\"enabled\""));
        assertEquals(204, Grid.api("DELETE", "/peers/" + domain, null).status());
        assertEquals(404, Grid.api("GET", "/peers/" + domain, null).status());
        assertEquals(404, Grid.api("POST", "/peers/" + domain + "/revoke", null).status());

        String audit = Grid.api("GET", "/audit?actor=admin-token&limit=200", null).out();
        for (String action : List.of("admin.peer.save", "admin.peer.revoke", "admin.peer.enable", "admin.peer.delete")) {
            assertTrue(audit.contains(action), action + " in " + audit);
        }
        assertTrue(audit.contains("refused-400"), "refusals are audited too");
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
