package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * XEP-0133 service administration as XEP-0050 ad-hoc commands on the domain, for platforms whose
 * role template grants ADMINISTER (built-in {@code service-admin}); everyone else is refused
 * and sees no commands. Every run is in the audit log.
 */
@ExtendWith(ArquillianExtension.class)
class ServiceAdministrationIT {

    private static final String PW = "service-admin-pw-1";
    private static final String CMD = "http://jabber.org/protocol/commands";
    private static final String ADMIN = "http://jabber.org/protocol/admin";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern SID = Pattern.compile("sessionid=\"([^\"]+)\"");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    private static String execute(RawXmpp x, String command, String sessionId, String form) throws Exception {
        x.send("<iq type='set' to='grid.local' id='x'><command xmlns='" + CMD + "' node='" + ADMIN + "#" + command + "'"
                + (sessionId == null ? " action='execute'" : " sessionid='" + sessionId + "'") + ">"
                + (form == null ? "" : "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>"
                + ADMIN + "</value></field>" + form + "</x>") + "</command></iq>");
        return x.nextStanza(WAIT);
    }

    /** Executes, checks the form came, submits it in the same session; returns the completion. */
    private static String twoStage(RawXmpp x, String command, String form) throws Exception {
        String first = execute(x, command, null, null);
        assertTrue(first.contains("status=\"executing\"") && first.contains("type=\"form\""), first);
        Matcher m = SID.matcher(first);
        assertTrue(m.find(), first);
        return execute(x, command, m.group(1), form);
    }

    private static String jids(String var, String... jids) {
        StringBuilder f = new StringBuilder("<field var='" + var + "'>");
        for (String j : jids) {
            f.append("<value>").append(j).append("</value>");
        }
        return f.append("</field>").toString();
    }

    @Test // XEP-0050 §2.2 / XEP-0133 §3: only administrators see and may run the commands
    void othersSeeNoCommandsAndAreForbidden() throws Exception {
        String plain = Grid.platform(Grid.uniqueName("notadmin"), PW, "trusted");
        try (RawXmpp x = RawXmpp.bound(plain, PW)) {
            x.send("<iq type='get' to='grid.local' id='i'><query xmlns='http://jabber.org/protocol/disco#items' node='" + CMD
                    + "'/></iq>");
            String items = x.nextStanza(WAIT);
            assertTrue(items.contains("type=\"result\"") && !items.contains("<item"), items);
            String r = execute(x, "add-user", null, null);
            assertTrue(r.contains("type=\"error\"") && r.contains("<forbidden"), r);
        }
        assertTrue(Grid.api("GET", "/audit?action=admin.platform.create&limit=5", null).status() == 200);
    }

    @Test // XEP-0030 + XEP-0050 §2.2/§2.3: the commands, and a command node's identity
    void administratorsDiscoverTheCommands() throws Exception {
        String admin = Grid.platform(Grid.uniqueName("sadm"), PW, "service-admin");
        try (RawXmpp x = RawXmpp.bound(admin, PW)) {
            x.send("<iq type='get' to='grid.local' id='f'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
            assertTrue(x.nextStanza(WAIT).contains("var=\"" + CMD + "\""), "the domain advertises ad-hoc commands");
            x.send("<iq type='get' to='grid.local' id='i'><query xmlns='http://jabber.org/protocol/disco#items' node='" + CMD
                    + "'/></iq>");
            String items = x.nextStanza(WAIT);
            for (String c : new String[] {"add-user", "delete-user", "disable-user", "reenable-user", "end-user-session",
                    "get-online-users-num", "get-online-users-list"}) {
                assertTrue(items.contains("node=\"" + ADMIN + "#" + c + "\""), c + " missing: " + items);
            }
            x.send("<iq type='get' to='grid.local' id='n'><query xmlns='http://jabber.org/protocol/disco#info' node='" + ADMIN
                    + "#add-user'/></iq>");
            String info = x.nextStanza(WAIT);
            assertTrue(info.contains("category=\"automation\"") && info.contains("type=\"command-node\""), info);
        }
    }

    /**
     * Issue 19 §4: an operator's revocation cannot be lifted by a platform. XEP-0133 §4.4 reenable-user of a revoked
     * platform, by a {@code service-admin} platform, is refused ({@code <conflict/>}) and audited; the platform still
     * cannot log in.
     */
    @Test
    void aRevokedPlatformIsNotReenabledByAPlatform() throws Exception {
        String admin = Grid.platform(Grid.uniqueName("sadm"), PW, "service-admin");
        String revoked = Grid.platform(Grid.uniqueName("revk"), PW);
        assertEquals(0, Grid.admin("platform", "revoke", revoked).status());
        try (RawXmpp x = RawXmpp.bound(admin, PW)) {
            String r = twoStage(x, "reenable-user", jids("accountjids", revoked + "@grid.local"));
            assertTrue(r.contains("type=\"error\"") && r.contains("<conflict"), r);
        }
        assertThrows(AssertionError.class, () -> RawXmpp.bound(revoked, PW).close(), "still revoked: no login");
        assertTrue(Grid.api("GET", "/audit?action=xmpp.admin.reenable-user&outcome=refused&limit=20", null).out()
                .contains("only an administrator re-admits it"));
    }

    @Test // XEP-0133 §4.1 add-user (two stages), §4.3 disable-user, §4.4 reenable-user, §4.2 delete-user
    void addDisableReenableAndDeleteAPlatform() throws Exception {
        String admin = Grid.platform(Grid.uniqueName("sadm"), PW, "service-admin");
        String created = Grid.uniqueName("added");
        String createdPw = "added-password-99";
        try (RawXmpp x = RawXmpp.bound(admin, PW)) {
            String done = twoStage(x, "add-user", jids("accountjid", created + "@grid.local")
                    + "<field var='password'><value>" + createdPw + "</value></field>"
                    + "<field var='password-verify'><value>" + createdPw + "</value></field>");
            assertTrue(done.contains("status=\"completed\""), done);
            String again = twoStage(x, "add-user", jids("accountjid", created + "@grid.local")
                    + "<field var='password'><value>" + createdPw + "</value></field>");
            assertTrue(again.contains("type=\"error\"") && again.contains("<conflict"), again);
            String mismatch = twoStage(x, "add-user", jids("accountjid", Grid.uniqueName("mm") + "@grid.local")
                    + "<field var='password'><value>" + createdPw + "</value></field>"
                    + "<field var='password-verify'><value>something else 1</value></field>");
            assertTrue(mismatch.contains("<bad-payload xmlns=\"" + CMD + "\""), mismatch);

            try (RawXmpp live = RawXmpp.bound(created, createdPw)) {
                String d = twoStage(x, "disable-user", jids("accountjids", created + "@grid.local"));
                assertTrue(d.contains("status=\"completed\""), d);
                String closed = live.awaitClose(WAIT);
                assertTrue(closed.contains("<not-authorized"), "its session ended with a stream error: " + closed);
            }
            assertThrows(AssertionError.class, () -> RawXmpp.bound(created, createdPw).close(), "disabled: no login");
            assertTrue(twoStage(x, "reenable-user", jids("accountjids", created + "@grid.local")).contains("status=\"completed\""));
            RawXmpp.bound(created, createdPw).close();

            assertTrue(twoStage(x, "delete-user", jids("accountjids", created + "@grid.local")).contains("status=\"completed\""));
            assertThrows(AssertionError.class, () -> RawXmpp.bound(created, createdPw).close(), "deleted: no login");
            String unknown = twoStage(x, "disable-user", jids("accountjids", Grid.uniqueName("nobody") + "@grid.local"));
            assertTrue(unknown.contains("<item-not-found"), unknown);
        }
        String audit = Grid.api("GET", "/audit?actor=" + admin + "@grid.local&limit=50", null).out();
        for (String a : new String[] {"xmpp.admin.add-user", "xmpp.admin.disable-user", "xmpp.admin.reenable-user",
                "xmpp.admin.delete-user"}) {
            assertTrue(audit.contains(a), a + " not audited: " + audit);
        }
        assertTrue(audit.contains("\"outcome\":\"refused\""), "the refusals are recorded too: " + audit);
    }

    @Test // XEP-0133 §4.5 end-user-session (full JID: that session only), §4.16/§4.17 online users
    void endOneSessionAndListOnlineUsers() throws Exception {
        String admin = Grid.platform(Grid.uniqueName("sadm"), PW, "service-admin");
        String p = Grid.platform(Grid.uniqueName("online"), PW, "consumer");
        try (RawXmpp x = RawXmpp.bound(admin, PW); RawXmpp a = RawXmpp.bound(p, PW, "one"); RawXmpp b = RawXmpp.bound(p, PW, "two")) {
            String num = execute(x, "get-online-users-num", null, null);
            assertTrue(num.contains("status=\"completed\"") && num.contains("var=\"onlineusersnum\""), num);
            String list = twoStage(x, "get-online-users-list", "<field var='max_items'><value>none</value></field>");
            assertTrue(list.contains("<value>" + p + "@grid.local</value>"), list);
            assertTrue(list.contains("<value>" + admin + "@grid.local</value>"), list);

            String end = twoStage(x, "end-user-session", jids("accountjids", p + "@grid.local/one"));
            assertTrue(end.contains("status=\"completed\""), end);
            assertTrue(a.awaitClose(WAIT).contains("</stream:stream>"), "resource one ended");
            b.send("<iq type='get' to='grid.local' id='p'><ping xmlns='urn:xmpp:ping'/></iq>");
            assertTrue(b.nextStanza(WAIT).contains("type=\"result\""), "resource two still served");
            RawXmpp.bound(p, PW, "three").close(); // ending a session does not stop logins
        }
    }

    @Test // XEP-0050 §4.6: bad-sessionid, malformed-action; cancel ends the session
    void sessionsAndActionsAreChecked() throws Exception {
        String admin = Grid.platform(Grid.uniqueName("sadm"), PW, "service-admin");
        try (RawXmpp x = RawXmpp.bound(admin, PW)) {
            String forged = execute(x, "disable-user", "forged.9999999999.AAAAAAAAAAAAAAAAAAAAAA", jids("accountjids", "a@grid.local"));
            assertTrue(forged.contains("<bad-sessionid xmlns=\"" + CMD + "\""), forged);
            x.send("<iq type='set' to='grid.local' id='m'><command xmlns='" + CMD + "' node='" + ADMIN
                    + "#add-user' action='explode'/></iq>");
            String malformed = x.nextStanza(WAIT);
            assertTrue(malformed.contains("<malformed-action xmlns=\"" + CMD + "\""), malformed);
            String first = execute(x, "delete-user", null, null);
            Matcher m = SID.matcher(first);
            assertTrue(m.find());
            x.send("<iq type='set' to='grid.local' id='c'><command xmlns='" + CMD + "' node='" + ADMIN + "#delete-user' sessionid='"
                    + m.group(1) + "' action='cancel'/></iq>");
            String canceled = x.nextStanza(WAIT);
            assertTrue(canceled.contains("status=\"canceled\""), canceled);
            // another command's session id does not fit this command
            String other = execute(x, "disable-user", m.group(1), jids("accountjids", "a@grid.local"));
            assertFalse(other.contains("status=\"completed\""), other);
        }
    }
}
