package io.xmppgrid.it;

import static io.xmppgrid.it.Topics.PS;
import static io.xmppgrid.it.Topics.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The audit log (RFC 8600 §8.3.2): platform and administrator actions are recorded with their
 * outcome and origin, never with payloads (RFC 8600 §9), and a changed entry breaks the chain
 * exactly there.
 */
@ExtendWith(ArquillianExtension.class)
class AuditIT {

    private static final String PASSWORD = "audit-password-1";
    private static final String SECRET = "payload-must-not-be-audited-7f3a";

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    /** The platform's entries once all are chained (the chainer runs every second). */
    private static String entriesOf(String jid, int atLeast) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String last = "";
        while (System.nanoTime() < end) {
            Grid.Result r = Grid.api("GET", "/audit?actor=" + jid + "&limit=1000", null);
            assertEquals(200, r.status(), r.out());
            last = r.out();
            int entries = last.split("\"id\":", -1).length - 1;
            int chained = last.split("\"seq\":", -1).length - 1;
            if (entries >= atLeast && chained == entries) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("fewer than " + atLeast + " chained entries for " + jid + ": " + last);
    }

    private static String entry(String all, String action, String outcome) {
        Matcher m = Pattern.compile("\\{[^{}]*\"action\":\"" + Pattern.quote(action) + "\",\"outcome\":\""
                + Pattern.quote(outcome) + "\"[^{}]*\\}").matcher(all);
        assertTrue(m.find(), "no " + action + " / " + outcome + " in " + all);
        return m.group();
    }

    @Test // RFC 8600 §8.3.2, §9: who did what, when, from where, with which outcome; no payloads
    void platformAndAdministratorActionsAreRecorded() throws Exception {
        String name = Grid.platform(Grid.uniqueName("aud"), PASSWORD);
        String jid = name + "@grid.local";
        String node = Topics.node("audit");
        try (RawXmpp x = RawXmpp.secured()) {
            assertThrowsAssertion(() -> x.scramSha256(name, "wrong-password-1"));
        }
        try (RawXmpp p = RawXmpp.bound(name, PASSWORD)) {
            p.send("<iq type='set' to='broker.grid.local' id='c'><pubsub xmlns='" + PS + "'><create node='" + node
                    + "'/></pubsub></iq>");
            assertTrue(p.nextStanza(WAIT).contains("type=\"result\""));
            p.send("<iq type='set' to='broker.grid.local' id='p'><pubsub xmlns='" + PS + "'><publish node='" + node
                    + "'><item id='it1'>" + Iodef.example(SECRET) + "</item></publish></pubsub></iq>");
            assertTrue(p.nextStanza(WAIT).contains("type=\"result\""));
            p.send("<iq type='set' to='broker.grid.local' id='q'><pubsub xmlns='" + PS + "'><publish node='no-such-node-x'>"
                    + "<item id='it2'>" + Iodef.example(SECRET) + "</item></publish></pubsub></iq>");
            assertTrue(p.nextStanza(WAIT).contains("type=\"error\""));
            p.closeStream();
        }
        assertEquals(0, Grid.admin("platform", "disable", name).status());

        String all = entriesOf(jid, 7);
        assertTrue(entry(all, "auth", "not-authorized").contains("\"address\":\"127.0.0.1:"), all);
        assertTrue(entry(all, "auth", "ok").contains("\"detail\":\"SCRAM-SHA-256\""), all);
        entry(all, "session.start", "ok");
        assertTrue(entry(all, "pubsub.create", "ok").contains("\"target\":\"" + node + "\""), all);
        String publish = entry(all, "pubsub.publish", "ok");
        assertTrue(publish.matches(".*\"detail\":\"item it1 \\(\\d+ bytes\\)\".*"), publish);
        assertTrue(entry(all, "pubsub.publish", "item-not-found").contains("no-such-node-x"), all);
        entry(all, "session.end", "ok");
        assertFalse(all.contains(SECRET), "payloads never reach the audit log");

        String admin = Grid.api("GET", "/audit?action=admin.platform.disable&limit=1000", null).out();
        String disable = entry(admin, "admin.platform.disable", "ok");
        assertTrue(disable.contains("\"target\":\"" + name + "\"") && disable.contains("\"actorKind\":\"ADMIN\"")
                && disable.contains("\"address\":\"127.0.0.1:"), disable);

        Grid.Result csv = Grid.api("GET", "/audit?actor=" + jid + "&format=csv", null);
        assertTrue(csv.out().startsWith("id,seq,at,actor_kind,actor,action,target,outcome,detail,address,hash\n"), csv.out());
        assertTrue(csv.out().contains(",PLATFORM," + jid + ",pubsub.create," + node + ",ok,"), csv.out());
        assertEquals(400, Grid.api("GET", "/audit?from=yesterday", null).status());
    }

    @Test // tamper evidence: an entry changed in the database is named by the verification
    void alteredEntryBreaksTheChainThere() throws Exception {
        Properties db = new Properties();
        Path props = Path.of(System.getProperty("grid.test.base.dir"), "database.properties");
        if (Files.exists(props)) {
            try (var in = Files.newInputStream(props)) {
                db.load(in);
            }
        }
        Assumptions.assumeTrue("postgresql".equals(db.getProperty("grid.db.driver")),
                "altering a row needs direct access to the database (PostgreSQL); the embedded H2 is the server's own");
        String name = Grid.platform(Grid.uniqueName("tamper"), PASSWORD);
        try (RawXmpp x = RawXmpp.secured()) {
            assertThrowsAssertion(() -> x.scramSha256(name, "wrong-password-1"));
        }
        String all = entriesOf(name + "@grid.local", 1);
        Matcher id = Pattern.compile("\"id\":(\\d+)").matcher(entry(all, "auth", "not-authorized"));
        assertTrue(id.find());
        long rowId = Long.parseLong(id.group(1));
        assertTrue(Grid.api("GET", "/audit/verify", null).out().contains("\"intact\":true"));

        try (Connection c = DriverManager.getConnection(db.getProperty("grid.db.url"), "postgres", "");
             PreparedStatement upd = c.prepareStatement("update audit_log set outcome = ? where id = ?")) {
            upd.setString(1, "ok"); // an intruder turns a failed login into a successful one
            upd.setLong(2, rowId);
            assertEquals(1, upd.executeUpdate());
            String v = Grid.api("GET", "/audit/verify", null).out();
            assertTrue(v.contains("\"intact\":false") && v.contains("\"brokenId\":" + rowId) && v.contains("altered"), v);
            upd.setString(1, "not-authorized"); // put it back: the chain is whole again
            assertEquals(1, upd.executeUpdate());
        }
        assertTrue(Grid.api("GET", "/audit/verify", null).out().contains("\"intact\":true"));
    }

    /**
     * Issue 19 §3: deleting the newest entries and setting the chain's head back in the database is detected. The
     * chain is anchored outside the database (the {@code audit-anchor} file beside the audit key: the newest chained
     * position and hash, with an HMAC under the key). The test puts the database and the anchor in the states such an
     * attack leaves, without destroying entries other tests rely on: an anchor ahead of the chain (what deleting the
     * newest entries leaves), an anchored entry that differs (a rewritten tail), and an anchor without the key's MAC.
     * Each is reported; with the real anchor back, the chain verifies again.
     */
    @Test
    void truncationAndRewritingAreDetectedThroughTheAnchorOutsideTheDatabase() throws Exception {
        Grid.platform(Grid.uniqueName("anchor"), PASSWORD); // an entry, so the chain has a head
        Path anchor = Grid.dataDir().resolve("audit-anchor");
        byte[] key = java.util.HexFormat.of().parseHex(Files.readString(Grid.dataDir().resolve("audit-key")).trim());
        long deadline = System.currentTimeMillis() + 20_000;
        String v = Grid.api("GET", "/audit/verify", null).out();
        while (!v.contains("\"anchored\":") && System.currentTimeMillis() < deadline) {
            Thread.sleep(500); // the chainer anchors every second
            v = Grid.api("GET", "/audit/verify", null).out();
        }
        assertTrue(v.contains("\"intact\":true") && v.contains("\"anchored\":"), v);
        String original = Files.readString(anchor);
        long anchored = Long.parseLong(original.trim().split(" ")[0]);
        try {
            assertReported(anchor, line(key, anchored + 1000, "f".repeat(64)), "the newest entries were deleted");
            assertReported(anchor, line(key, anchored, "e".repeat(64)), "rewritten");
            assertReported(anchor, anchored + 1000 + " " + "f".repeat(64) + " " + "0".repeat(64) + "\n",
                    "does not verify under the audit key");
        } finally {
            Files.writeString(anchor, original);
        }
        v = Grid.api("GET", "/audit/verify", null).out();
        assertTrue(v.contains("\"intact\":true"), v);
    }

    /**
     * Puts {@code content} in the anchor file and expects the verification to report {@code reason}. The chainer may
     * move the anchor to a newer entry meanwhile (other tests' sessions still end and are audited): three tries.
     */
    private static void assertReported(Path anchor, String content, String reason) throws Exception {
        String v = "";
        for (int attempt = 0; attempt < 3; attempt++) {
            Files.writeString(anchor, content);
            v = Grid.api("GET", "/audit/verify", null).out();
            if (v.contains("\"intact\":false")) {
                break;
            }
        }
        assertTrue(v.contains("\"intact\":false") && v.contains(reason), v);
    }

    /** An anchor line as the server writes it: position, hash, HMAC-SHA256 under the audit key. */
    private static String line(byte[] key, long seq, String hash) throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        return seq + " " + hash + " " + java.util.HexFormat.of().formatHex(mac.doFinal(("audit-anchor:" + seq + ":" + hash)
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII))) + "\n";
    }

    private interface Step {
        void run() throws Exception;
    }

    /** RawXmpp signals a refused login by failing its own assertion. */
    private static void assertThrowsAssertion(Step s) throws Exception {
        try {
            s.run();
        } catch (AssertionError expected) {
            return;
        }
        throw new AssertionError("the login was expected to fail");
    }
}
