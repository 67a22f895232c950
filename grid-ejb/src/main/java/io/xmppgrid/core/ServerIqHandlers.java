package io.xmppgrid.core;

import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.StanzaError;
import io.xmppgrid.xmpp.Stanzas;
import io.xmppgrid.xmpp.XmlElement;
import java.util.List;

/** The server's own IQ handlers: XEP-0199 ping, XEP-0030 service discovery, an empty roster. */
public final class ServerIqHandlers {

    private ServerIqHandlers() {
    }

    /** The server's handlers; the domain's disco#items lists {@code components} (XEP-0030 §4). */
    public static List<IqHandler> all(List<Component> components) {
        return all(components, null);
    }

    /**
     * The same, with XEP-0133 service administration ({@code commands}, may be null): its commands
     * are disco#items of the XEP-0050 commands node, for administrators only.
     */
    public static List<IqHandler> all(List<Component> components, io.xmppgrid.core.admin.AdHocCommands commands) {
        List<XmlElement> items = new java.util.ArrayList<>();
        for (Component c : components) {
            items.add(XmlElement.builder("item", Ns.DISCO_ITEMS).attribute("jid", c.address().toString())
                    .attribute("name", c.name()).build());
        }
        List<IqHandler> out = new java.util.ArrayList<>(List.of(new Ping(), new DiscoInfo(commands),
                new DiscoItems(items, commands), new Roster()));
        if (commands != null) {
            out.add(commands);
        }
        return List.copyOf(out);
    }

    /** XEP-0199 §4.2: a ping to the server gets an empty result. */
    static final class Ping implements IqHandler {
        @Override
        public String namespace() {
            return Ns.PING;
        }

        @Override
        public List<String> features() {
            return List.of(Ns.PING);
        }

        @Override
        public XmlElement handle(XmlElement iq, IqContext ctx) {
            if (!"get".equals(iq.attribute("type"))) {
                return Stanzas.error(iq, StanzaError.BAD_REQUEST, null);
            }
            return Stanzas.iqResult(iq, null);
        }
    }

    /** XEP-0030 §3.1: identity server/im and the implemented features. */
    static final class DiscoInfo implements IqHandler {
        private final io.xmppgrid.core.admin.AdHocCommands commands;

        DiscoInfo(io.xmppgrid.core.admin.AdHocCommands commands) {
            this.commands = commands;
        }

        @Override
        public String namespace() {
            return Ns.DISCO_INFO;
        }

        @Override
        public List<String> features() {
            return List.of(Ns.DISCO_INFO, "msgoffline"); // XEP-0160 §5: offline storage
        }

        @Override
        public XmlElement handle(XmlElement iq, IqContext ctx) {
            XmlElement query = iq.elements().get(0);
            if (!"get".equals(iq.attribute("type"))) {
                return Stanzas.error(iq, StanzaError.BAD_REQUEST, null);
            }
            String node = query.attribute("node");
            if (node != null) {
                // XEP-0050 §2.3: a command node (for those who may run it)
                XmlElement info = commands == null ? null : commands.info(node, ctx.sender());
                return info == null ? Stanzas.error(iq, StanzaError.ITEM_NOT_FOUND, null) : Stanzas.iqResult(iq, info);
            }
            XmlElement.Builder q = XmlElement.builder("query", Ns.DISCO_INFO)
                    .child(XmlElement.builder("identity", Ns.DISCO_INFO)
                            .attribute("category", "server").attribute("type", "im")
                            .attribute("name", "XMPP-Grid controller").build());
            for (String f : ctx.features()) {
                q.child(XmlElement.builder("feature", Ns.DISCO_INFO).attribute("var", f).build());
            }
            return Stanzas.iqResult(iq, q.build());
        }
    }

    /** XEP-0030 §4: the domain's items. */
    static final class DiscoItems implements IqHandler {
        private final List<XmlElement> items;
        private final io.xmppgrid.core.admin.AdHocCommands commands;

        DiscoItems(List<XmlElement> items, io.xmppgrid.core.admin.AdHocCommands commands) {
            this.items = List.copyOf(items);
            this.commands = commands;
        }

        @Override
        public String namespace() {
            return Ns.DISCO_ITEMS;
        }

        @Override
        public List<String> features() {
            return List.of(Ns.DISCO_ITEMS);
        }

        @Override
        public XmlElement handle(XmlElement iq, IqContext ctx) {
            XmlElement query = iq.elements().get(0);
            if (!"get".equals(iq.attribute("type"))) {
                return Stanzas.error(iq, StanzaError.BAD_REQUEST, null);
            }
            String node = query.attribute("node");
            if (commands != null && io.xmppgrid.core.admin.AdHocCommands.NS.equals(node)) {
                // XEP-0050 §2.2: the commands this requester may run
                return Stanzas.iqResult(iq, XmlElement.builder("query", Ns.DISCO_ITEMS).attribute("node", node)
                        .children(commands.items(ctx.domain(), ctx.sender())).build());
            }
            if (node != null) {
                return Stanzas.error(iq, StanzaError.ITEM_NOT_FOUND, null);
            }
            return Stanzas.iqResult(iq, XmlElement.builder("query", Ns.DISCO_ITEMS).children(items).build());
        }
    }

    /**
     * RFC 6121 §2: platforms have no contacts here, but clients ask for their roster at login; they
     * get an empty one, and changes are refused.
     */
    static final class Roster implements IqHandler {
        private static final String NS = "jabber:iq:roster";

        @Override
        public String namespace() {
            return NS;
        }

        @Override
        public List<String> features() {
            return List.of();
        }

        @Override
        public XmlElement handle(XmlElement iq, IqContext ctx) {
            if ("get".equals(iq.attribute("type"))) {
                return Stanzas.iqResult(iq, XmlElement.empty("query", NS));
            }
            return Stanzas.error(iq, StanzaError.NOT_ALLOWED, "the grid keeps no rosters");
        }
    }
}
