package io.xmppgrid.core.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.core.IqContext;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.StanzaError;
import io.xmppgrid.xmpp.XmlElement;
import io.xmppgrid.xmpp.XmlReader;
import io.xmppgrid.xmpp.XmlWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** XEP-0050 / XEP-0133 protocol rules of the command handler, against an in-memory administration. */
class AdHocCommandsTest {

    private static final Jid DOMAIN = Jid.parse("grid.local");
    private static final Jid ADMIN = Jid.parse("ops@grid.local/console");
    private static final Jid OTHER = Jid.parse("sensor@grid.local/s");
    private static final String NS = "http://jabber.org/protocol/commands";
    private static final String NODE = "http://jabber.org/protocol/admin#";

    /** Records what it was asked to do; ops is the only administrator; "taken" exists already. */
    private static final class Recording implements ServiceAdministration {
        final List<String> calls = new ArrayList<>();

        @Override
        public boolean mayAdminister(Jid actor) {
            return actor.bare().equals(ADMIN.bare());
        }

        @Override
        public void addUser(Jid actor, String localpart, String password) {
            if (localpart.equals("taken")) {
                throw new Refused(StanzaError.CONFLICT, "platform taken already exists");
            }
            calls.add("add " + localpart + " " + password);
        }

        @Override
        public void deleteUser(Jid actor, String localpart) {
            calls.add("delete " + localpart);
        }

        @Override
        public void disableUser(Jid actor, String localpart) {
            calls.add("disable " + localpart);
        }

        @Override
        public void reenableUser(Jid actor, String localpart) {
            calls.add("reenable " + localpart);
        }

        @Override
        public int endSessions(Jid actor, Jid jid) {
            calls.add("end " + jid);
            return 1;
        }

        @Override
        public List<Jid> onlineUsers(Jid actor) {
            return List.of(Jid.parse("a@grid.local"), Jid.parse("b@grid.local"));
        }
    }

    private final Recording admin = new Recording();
    private Instant now = Instant.parse("2026-11-30T12:00:00Z");
    private final AdHocCommands commands = new AdHocCommands(admin, new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    });

    private String run(Jid from, String command) {
        XmlElement iq = XmlReader.parse("<iq xmlns='jabber:client' type='set' id='1' to='grid.local' from='" + from + "'>"
                + command + "</iq>");
        return XmlWriter.toXml(commands.handle(iq, new IqContext() {
            @Override
            public Jid domain() {
                return DOMAIN;
            }

            @Override
            public Jid sender() {
                return from;
            }

            @Override
            public List<String> features() {
                return List.of();
            }
        }));
    }

    private static String command(String name, String sid, String fields) {
        return "<command xmlns='" + NS + "' node='" + NODE + name + "'" + (sid == null ? " action='execute'" : " sessionid='" + sid + "'")
                + ">" + (fields == null ? "" : "<x xmlns='jabber:x:data' type='submit'>" + fields + "</x>") + "</command>";
    }

    private static String sid(String reply) {
        Matcher m = Pattern.compile("sessionid=\"([^\"]+)\"").matcher(reply);
        assertTrue(m.find(), reply);
        return m.group(1);
    }

    @Test
    void onlyAdministratorsMayRunOrSeeCommands() {
        assertTrue(run(OTHER, command("add-user", null, null)).contains("<forbidden"));
        assertTrue(commands.items(DOMAIN, OTHER).isEmpty());
        assertEquals(7, commands.items(DOMAIN, ADMIN).size());
        assertTrue(admin.calls.isEmpty());
    }

    @Test
    void addUserIsTwoStagesInOneSession() {
        String form = run(ADMIN, command("add-user", null, null));
        assertTrue(form.contains("status=\"executing\"") && form.contains("var=\"accountjid\"")
                && form.contains("<value>http://jabber.org/protocol/admin</value>"), form);
        String done = run(ADMIN, command("add-user", sid(form), "<field var='accountjid'><value>new@grid.local</value></field>"
                + "<field var='password'><value>long password 1</value></field>"
                + "<field var='password-verify'><value>long password 1</value></field>"));
        assertTrue(done.contains("status=\"completed\""), done);
        assertEquals(List.of("add new long password 1"), admin.calls);
        String conflict = run(ADMIN, command("add-user", null, "<field var='accountjid'><value>taken@grid.local</value></field>"
                + "<field var='password'><value>long password 1</value></field>"));
        assertTrue(conflict.contains("<conflict"), conflict);
        String foreign = run(ADMIN, command("add-user", null, "<field var='accountjid'><value>x@elsewhere.example</value></field>"
                + "<field var='password'><value>long password 1</value></field>"));
        assertTrue(foreign.contains("<bad-payload"), foreign);
    }

    @Test
    void sessionIdsAreBoundToCommandRequesterAndTime() {
        String sid = sid(run(ADMIN, command("disable-user", null, null)));
        String accounts = "<field var='accountjids'><value>a@grid.local</value><value>b@grid.local</value></field>";
        assertTrue(run(ADMIN, command("delete-user", sid, accounts)).contains("<bad-sessionid"), "another command's session");
        String tampered = sid.substring(0, sid.length() - 2) + (sid.endsWith("A") ? "BB" : "AA");
        assertTrue(run(ADMIN, command("disable-user", tampered, accounts)).contains("<bad-sessionid"));
        now = now.plus(Duration.ofMinutes(11));
        assertTrue(run(ADMIN, command("disable-user", sid, accounts)).contains("<session-expired"));
        assertTrue(admin.calls.isEmpty());
        String fresh = sid(run(ADMIN, command("disable-user", null, null)));
        assertTrue(run(ADMIN, command("disable-user", fresh, accounts)).contains("status=\"completed\""));
        assertEquals(List.of("disable a", "disable b"), admin.calls);
    }

    @Test
    void onlineUsersAndEndSession() {
        String num = run(ADMIN, command("get-online-users-num", null, null));
        assertTrue(num.contains("status=\"completed\"") && num.contains("<value>2</value>"), num);
        String list = run(ADMIN, command("get-online-users-list", null, "<field var='max_items'><value>1</value></field>"));
        assertTrue(list.contains("<value>a@grid.local</value>") && !list.contains("b@grid.local"), list);
        String end = run(ADMIN, command("end-user-session", null,
                "<field var='accountjids'><value>a@grid.local/r1</value></field>"));
        assertTrue(end.contains("1 session(s) ended"), end);
        assertEquals(List.of("end a@grid.local/r1"), admin.calls);
    }
}
