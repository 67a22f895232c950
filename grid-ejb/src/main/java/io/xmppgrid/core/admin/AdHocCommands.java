package io.xmppgrid.core.admin;

import io.xmppgrid.core.IqContext;
import io.xmppgrid.core.IqHandler;
import io.xmppgrid.core.wire.DataForm;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.StanzaError;
import io.xmppgrid.xmpp.Stanzas;
import io.xmppgrid.xmpp.XmlElement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * XEP-0133 service administration, as XEP-0050 ad-hoc commands on the server's domain: add,
 * delete, disable and re-enable a platform, end its sessions, count and list the online ones.
 * Only platforms whose role template grants {@code ADMINISTER} see the commands (XEP-0050 §2.2)
 * and may run them (otherwise {@code <forbidden/>}); every run is audited by the
 * {@link ServiceAdministration} behind it.
 */
public final class AdHocCommands implements IqHandler {

    public static final String NS = "http://jabber.org/protocol/commands";
    static final String ADMIN = "http://jabber.org/protocol/admin";
    private static final List<String> ACTIONS = List.of("execute", "cancel", "prev", "next", "complete");

    /** The commands, with their XEP-0133 node names and titles. */
    enum Command {
        ADD_USER("add-user", "Add a User"),
        DELETE_USER("delete-user", "Delete a User"),
        DISABLE_USER("disable-user", "Disable a User"),
        REENABLE_USER("reenable-user", "Re-Enable a User"),
        END_USER_SESSION("end-user-session", "End User Session"),
        GET_ONLINE_USERS_NUM("get-online-users-num", "Get Number of Online Users"),
        GET_ONLINE_USERS_LIST("get-online-users-list", "Get List of Online Users");

        final String node;
        final String title;

        Command(String name, String title) {
            this.node = ADMIN + "#" + name;
            this.title = title;
        }

        static Command of(String node) {
            for (Command c : values()) {
                if (c.node.equals(node)) {
                    return c;
                }
            }
            return null;
        }
    }

    private final ServiceAdministration admin;
    private final CommandSessions sessions;

    public AdHocCommands(ServiceAdministration admin, Clock clock) {
        this(admin, clock, null);
    }

    /** @param sessionKey the key of session ids the cluster shares, or null for one of this process */
    public AdHocCommands(ServiceAdministration admin, Clock clock, byte[] sessionKey) {
        this.admin = admin;
        this.sessions = new CommandSessions(clock, sessionKey);
    }

    @Override
    public String namespace() {
        return NS;
    }

    @Override
    public List<String> features() {
        return List.of(NS);
    }

    /** XEP-0050 §2.2: the commands this requester may run, as disco#items of the commands node. */
    public List<XmlElement> items(Jid domain, Jid requester) {
        List<XmlElement> out = new ArrayList<>();
        if (admin.mayAdminister(requester)) {
            for (Command c : Command.values()) {
                out.add(XmlElement.builder("item", Ns.DISCO_ITEMS).attribute("jid", domain.toString())
                        .attribute("node", c.node).attribute("name", c.title).build());
            }
        }
        return out;
    }

    /** XEP-0050 §2.3: disco#info of a command node, or null when it is not one of ours or not for this requester. */
    public XmlElement info(String node, Jid requester) {
        Command c = Command.of(node);
        if (c == null || !admin.mayAdminister(requester)) {
            return null;
        }
        return XmlElement.builder("query", Ns.DISCO_INFO).attribute("node", node)
                .child(XmlElement.builder("identity", Ns.DISCO_INFO).attribute("category", "automation")
                        .attribute("type", "command-node").attribute("name", c.title).build())
                .child(XmlElement.builder("feature", Ns.DISCO_INFO).attribute("var", NS).build())
                .child(XmlElement.builder("feature", Ns.DISCO_INFO).attribute("var", DataForm.NS).build())
                .build();
    }

    @Override
    public XmlElement handle(XmlElement iq, IqContext ctx) {
        if (!"set".equals(iq.attribute("type"))) {
            return Stanzas.error(iq, StanzaError.BAD_REQUEST, "commands are executed with IQ set");
        }
        XmlElement cmd = iq.elements().get(0);
        Command c = Command.of(cmd.attribute("node"));
        if (c == null) {
            return Stanzas.error(iq, StanzaError.ITEM_NOT_FOUND, "no such command");
        }
        Jid requester = ctx.sender();
        if (!admin.mayAdminister(requester)) {
            return Stanzas.error(iq, StanzaError.FORBIDDEN, "service administration is not granted to this platform");
        }
        String action = cmd.attribute("action") == null ? "execute" : cmd.attribute("action");
        if (!ACTIONS.contains(action)) {
            return commandError(iq, "malformed-action", "unknown action " + action);
        }
        String sid = cmd.attribute("sessionid");
        XmlElement form = DataForm.find(cmd);
        boolean submitted = form != null && ("submit".equals(form.attribute("type")) || "cancel".equals(form.attribute("type")));
        if (sid != null) {
            switch (sessions.check(sid, c.node, requester)) {
                case BAD -> {
                    return commandError(iq, "bad-sessionid", "unknown session");
                }
                case EXPIRED -> {
                    return Stanzas.error(iq, StanzaError.NOT_ALLOWED, "the session has expired",
                            XmlElement.empty("session-expired", NS));
                }
                default -> {
                    // a session of this requester and command
                }
            }
            if (action.equals("cancel")) {
                return reply(iq, c, sid, "canceled", null, null);
            }
            if (action.equals("prev")) {
                return commandError(iq, "bad-action", "these commands have one stage");
            }
            if (!submitted) {
                return commandError(iq, "bad-payload", "a submitted form is expected");
            }
            return run(iq, c, sid, form, requester, ctx.domain());
        }
        if (!action.equals("execute")) {
            return commandError(iq, action.equals("cancel") ? "bad-sessionid" : "bad-action", "no session to " + action);
        }
        sid = sessions.open(c.node, requester);
        if (submitted) {
            return run(iq, c, sid, form, requester, ctx.domain()); // the form sent with the first request
        }
        if (c == Command.GET_ONLINE_USERS_NUM) {
            return run(iq, c, sid, null, requester, ctx.domain()); // no form: the answer at once
        }
        return reply(iq, c, sid, "executing", form(c), null);
    }

    /** The form each command asks for (XEP-0133 §4). */
    private static XmlElement form(Command c) {
        DataForm.Builder f = DataForm.builder("form", ADMIN).title(c.title);
        switch (c) {
            case ADD_USER -> f.instructions("The platform's JID and a password of at least 12 characters.")
                    .field("accountjid", "jid-single", "The Jabber ID for the account to be added", List.of())
                    .field("password", "text-private", "The password for this account", List.of())
                    .field("password-verify", "text-private", "Retype password", List.of());
            case DELETE_USER -> f.field("accountjids", "jid-multi", "The Jabber ID(s) to delete", List.of());
            case DISABLE_USER -> f.field("accountjids", "jid-multi", "The Jabber ID(s) to disable", List.of());
            case REENABLE_USER -> f.field("accountjids", "jid-multi", "The Jabber ID(s) to re-enable", List.of());
            case END_USER_SESSION -> f.field("accountjids", "jid-multi", "The Jabber ID(s) for which to end sessions",
                    List.of());
            case GET_ONLINE_USERS_LIST -> f.field("max_items", "list-single", "Maximum number of items to show",
                    List.of("100"));
            default -> {
                // no form
            }
        }
        return f.build();
    }

    private XmlElement run(XmlElement iq, Command c, String sid, XmlElement form, Jid requester, Jid domain) {
        Map<String, List<String>> fields;
        try {
            fields = form == null ? Map.of() : DataForm.fields(form);
        } catch (IllegalArgumentException e) {
            return commandError(iq, "bad-payload", e.getMessage());
        }
        try {
            switch (c) {
                case ADD_USER -> {
                    Jid account = account(one(fields, "accountjid"), domain);
                    String pw = first(fields, "password");
                    String verify = first(fields, "password-verify");
                    if (pw == null || pw.isEmpty()) {
                        throw new ServiceAdministration.Refused(StanzaError.BAD_REQUEST, "a password is required");
                    }
                    if (verify != null && !verify.equals(pw)) {
                        throw new ServiceAdministration.Refused(StanzaError.BAD_REQUEST, "the passwords differ");
                    }
                    admin.addUser(requester, account.local(), pw);
                    return reply(iq, c, sid, "completed", null, "Platform " + account + " added");
                }
                case DELETE_USER, DISABLE_USER, REENABLE_USER -> {
                    List<Jid> accounts = accounts(fields, domain);
                    for (Jid a : accounts) {
                        switch (c) {
                            case DELETE_USER -> admin.deleteUser(requester, a.local());
                            case DISABLE_USER -> admin.disableUser(requester, a.local());
                            default -> admin.reenableUser(requester, a.local());
                        }
                    }
                    return reply(iq, c, sid, "completed", null, accounts.size() + " platform(s) "
                            + (c == Command.DELETE_USER ? "deleted" : c == Command.DISABLE_USER ? "disabled" : "re-enabled"));
                }
                case END_USER_SESSION -> {
                    int n = 0;
                    for (String v : all(fields, "accountjids")) {
                        Jid j = jid(v);
                        if (j == null || j.local() == null || !j.domainPart().equals(domain.domainPart())) {
                            throw new ServiceAdministration.Refused(StanzaError.BAD_REQUEST, "not a platform of this domain: " + v);
                        }
                        n += admin.endSessions(requester, j);
                    }
                    return reply(iq, c, sid, "completed", null, n + " session(s) ended");
                }
                case GET_ONLINE_USERS_NUM -> {
                    int n = admin.onlineUsers(requester).size();
                    return reply(iq, c, sid, "completed", DataForm.builder("result", ADMIN)
                            .field("onlineusersnum", "text-single", "The number of online users", List.of(Integer.toString(n)))
                            .build(), null);
                }
                case GET_ONLINE_USERS_LIST -> {
                    String max = first(fields, "max_items");
                    int limit;
                    try {
                        limit = max == null || max.equals("none") ? Integer.MAX_VALUE : Integer.parseInt(max);
                    } catch (NumberFormatException e) {
                        throw new ServiceAdministration.Refused(StanzaError.BAD_REQUEST, "max_items: " + max);
                    }
                    List<String> jids = admin.onlineUsers(requester).stream().limit(Math.max(0, limit)).map(Jid::toString).toList();
                    return reply(iq, c, sid, "completed", DataForm.builder("result", ADMIN)
                            .field("onlineuserjids", "jid-multi", "The list of all online users", jids).build(), null);
                }
                default -> throw new IllegalStateException(c.toString());
            }
        } catch (ServiceAdministration.Refused r) {
            if (r.condition() == StanzaError.BAD_REQUEST) {
                return commandError(iq, "bad-payload", r.getMessage());
            }
            return Stanzas.error(iq, r.condition(), r.getMessage());
        }
    }

    private static Jid account(String value, Jid domain) {
        Jid j = jid(value);
        if (j == null || j.local() == null || j.resource() != null || !j.domainPart().equals(domain.domainPart())) {
            throw new ServiceAdministration.Refused(StanzaError.BAD_REQUEST, "not a bare JID of this domain: " + value);
        }
        return j;
    }

    private static List<Jid> accounts(Map<String, List<String>> fields, Jid domain) {
        List<String> values = all(fields, "accountjids");
        if (values.isEmpty()) {
            throw new ServiceAdministration.Refused(StanzaError.BAD_REQUEST, "accountjids is required");
        }
        List<Jid> out = new ArrayList<>();
        for (String v : values) {
            out.add(account(v, domain));
        }
        return out;
    }

    private static Jid jid(String v) {
        return v == null ? null : Jid.parseOrNull(v.strip());
    }

    private static String one(Map<String, List<String>> fields, String var) {
        String v = first(fields, var);
        if (v == null || v.isBlank()) {
            throw new ServiceAdministration.Refused(StanzaError.BAD_REQUEST, var + " is required");
        }
        return v;
    }

    private static String first(Map<String, List<String>> fields, String var) {
        List<String> v = fields.get(var);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static List<String> all(Map<String, List<String>> fields, String var) {
        return fields.getOrDefault(var, List.of()).stream().filter(s -> !s.isBlank()).toList();
    }

    private static XmlElement reply(XmlElement iq, Command c, String sid, String status, XmlElement payload, String note) {
        XmlElement.Builder b = XmlElement.builder("command", NS).attribute("node", c.node).attribute("sessionid", sid)
                .attribute("status", status);
        if (status.equals("executing")) {
            b.child(XmlElement.builder("actions", NS).attribute("execute", "complete")
                    .child(XmlElement.empty("complete", NS)).build());
        }
        if (payload != null) {
            b.child(payload);
        }
        if (note != null) {
            b.child(XmlElement.builder("note", NS).attribute("type", "info").text(note).build());
        }
        return Stanzas.iqResult(iq, b.build());
    }

    /** XEP-0050 §4.6: {@code <bad-request/>} with the commands namespace's specific condition. */
    private static XmlElement commandError(XmlElement iq, String specific, String text) {
        return Stanzas.error(iq, StanzaError.BAD_REQUEST, text, XmlElement.empty(specific, NS));
    }
}
