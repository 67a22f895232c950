package io.xmppgrid.core;

import io.xmppgrid.core.pubsub.ActorPolicy;
import io.xmppgrid.ra.api.SessionInfo;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.StanzaError;
import io.xmppgrid.xmpp.Stanzas;
import io.xmppgrid.xmpp.XmlElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Routes one stanza from a bound session (RFC 6120 §10, RFC 6121 §8): to the server itself,
 * to a bare or full JID of a local platform, or nowhere (an error back). Plain Java: the
 * message-driven bean supplies {@link Delivery}.
 */
public final class Router {

    private final Map<String, IqHandler> handlers;
    private final List<String> features;
    private final List<Component> components;
    private final OfflineSink offline;
    private final ActorPolicy policy;

    /** Every platform may send to every other (no role templates). */
    public Router(List<IqHandler> handlerList, List<Component> components, OfflineSink offline) {
        this(handlerList, components, offline, ActorPolicy.ALLOW_ALL);
    }

    /** {@code policy} decides which platforms may send to others ({@link ActorPolicy.Action#MESSAGE}). */
    public Router(List<IqHandler> handlerList, List<Component> components, OfflineSink offline, ActorPolicy policy) {
        this.components = List.copyOf(components);
        this.offline = offline;
        this.policy = policy;
        this.handlers = handlerList.stream().collect(Collectors.toUnmodifiableMap(IqHandler::namespace, Function.identity()));
        TreeSet<String> all = new TreeSet<>();
        for (IqHandler h : handlerList) {
            all.addAll(h.features());
        }
        this.features = List.copyOf(all);
    }

    public List<String> features() {
        return features;
    }

    public void route(Jid sender, XmlElement stanza, Delivery d) {
        String toAttr = stanza.attribute("to");
        Jid to = toAttr == null ? null : Jid.parseOrNull(toAttr);
        if (toAttr != null && to == null) {
            bounce(stanza, StanzaError.JID_MALFORMED, d, sender);
            return;
        }
        if (to == null || to.equals(d.domain())) {
            toServer(sender, stanza, d);
            return;
        }
        for (Component c : components) {
            if (to.local() == null && to.domainPart().equals(c.address().domainPart())) {
                c.handle(sender, stanza, d);
                return;
            }
        }
        if (d.atPeer(to)) {
            toPeer(sender, to, stanza, d);
            return;
        }
        if (!to.domainPart().equals(d.domain().domainPart()) || to.local() == null) {
            // not a grid this one federates with: RFC 6120 §10.4.3
            bounce(stanza, StanzaError.REMOTE_SERVER_NOT_FOUND, d, sender);
            return;
        }
        if (reachesAnotherPlatform(sender, to, stanza)) {
            // decided before the recipient is looked up: the answer is the same whether it exists (RFC 8600 §9)
            String refused = policy.refuses(sender, ActorPolicy.Action.MESSAGE, to.bare().toString(), null, false);
            if (refused != null) {
                if (!Stanzas.isPresence(stanza)) {
                    bounce(stanza, StanzaError.FORBIDDEN, d, sender);
                }
                return;
            }
        }
        if (to.isBare()) {
            toBare(sender, to, stanza, d);
        } else {
            toFull(sender, to, stanza, d);
        }
    }

    /**
     * RFC 6120 §10.4 (issue 24): a local platform's stanza for an address at a peer grid goes over this node's link to
     * it. Reaching another grid is a privilege like reaching another platform ({@link ActorPolicy.Action#MESSAGE}),
     * asked for everything but answers (errors, IQ results); nothing is relayed from one peer grid to another.
     */
    private void toPeer(Jid sender, Jid to, XmlElement stanza, Delivery d) {
        String type = stanza.attribute("type");
        if (!local(sender, d)) {
            bounce(stanza, StanzaError.REMOTE_SERVER_NOT_FOUND, d, sender); // RFC 6120 §13.7: no transit routing
            return;
        }
        boolean answer = "error".equals(type) || (Stanzas.isIq(stanza) && "result".equals(type));
        if (!answer) {
            String refused = policy.refuses(sender, ActorPolicy.Action.MESSAGE, to.bare().toString(), null, false);
            if (refused != null) {
                if (!Stanzas.isPresence(stanza)) {
                    bounce(stanza, StanzaError.FORBIDDEN, d, sender);
                }
                return;
            }
        }
        if (!d.sendToPeer(to, stanza, null) && !Stanzas.isPresence(stanza)) {
            bounce(stanza, StanzaError.RESOURCE_CONSTRAINT, d, sender); // the peer's queue on this node is full
        }
    }

    /** Whether the address is of this grid (not of a peer grid's platform or service). */
    private static boolean local(Jid address, Delivery d) {
        return address.domainPart().equals(d.domain().domainPart());
    }

    /** What a peer grid's platforms and services may ask this server itself: discovery and ping, nothing of accounts. */
    private static final java.util.Set<String> FOR_PEERS = java.util.Set.of(Ns.DISCO_INFO, Ns.DISCO_ITEMS, Ns.PING);

    // RFC 6120 §10.3: stanzas with no 'to', or to the server's domain, are handled by the server.
    private void toServer(Jid sender, XmlElement stanza, Delivery d) {
        if (!local(sender, d)) {
            // a peer grid's address (issue 24): no presence or session state is kept for it
            List<XmlElement> children = stanza.elements();
            if (Stanzas.isIq(stanza) && children.size() == 1 && !FOR_PEERS.contains(children.get(0).namespace())
                    && ("get".equals(stanza.attribute("type")) || "set".equals(stanza.attribute("type")))) {
                bounce(stanza, StanzaError.SERVICE_UNAVAILABLE, d, sender);
                return;
            }
            if (Stanzas.isPresence(stanza)) {
                return;
            }
        }
        if (Stanzas.isIq(stanza)) {
            handleIq(sender, stanza, d);
        } else if (Stanzas.isPresence(stanza)) {
            // RFC 6121 §4.2 / §4.5: initial and unavailable presence set the session's availability
            String type = stanza.attribute("type");
            if (type == null) {
                d.presence(sender, true, priority(stanza));
            } else if ("unavailable".equals(type)) {
                d.presence(sender, false, 0);
            }
        } else if (Stanzas.isMessage(stanza) && !"error".equals(stanza.attribute("type"))) {
            bounce(stanza, StanzaError.SERVICE_UNAVAILABLE, d, sender);
        }
    }

    private void handleIq(Jid sender, XmlElement iq, Delivery d) {
        String type = iq.attribute("type");
        if ("result".equals(type) || "error".equals(type)) {
            return; // RFC 6120 §8.2.3: never answer a response
        }
        if (iq.attribute("id") == null || !("get".equals(type) || "set".equals(type))) {
            bounce(iq, StanzaError.BAD_REQUEST, d, sender);
            return;
        }
        List<XmlElement> children = iq.elements();
        if (children.size() != 1) {
            // RFC 6120 §8.2.3: an IQ get or set contains exactly one child
            bounce(iq, StanzaError.BAD_REQUEST, d, sender);
            return;
        }
        IqHandler h = handlers.get(children.get(0).namespace());
        if (h == null) {
            // RFC 6120 §8.4: unknown namespace
            bounce(iq, StanzaError.SERVICE_UNAVAILABLE, d, sender);
            return;
        }
        XmlElement reply = h.handle(iq, new IqContext() {
            @Override
            public Jid domain() {
                return d.domain();
            }

            @Override
            public Jid sender() {
                return sender;
            }

            @Override
            public List<String> features() {
                return features;
            }
        });
        if (reply != null) {
            d.send(sender, reply);
        }
    }

    // RFC 6121 §8.5.2: bare JID of a local account
    private void toBare(Jid sender, Jid to, XmlElement stanza, Delivery d) {
        String type = stanza.attribute("type");
        if (Stanzas.isIq(stanza)) {
            // RFC 6121 §8.5.2.1.3 / §8.5.2.2.3: the server answers on behalf of the account, before
            // looking the account up, so an existing and a missing platform get the same answer
            XmlElement items = discoItemsQuery(stanza);
            if (items != null) {
                // XEP-0030 §8: disco#items to an account's bare JID by an entity not entitled to its
                // presence (no platform is: the grid keeps no rosters), or to an account that does not
                // exist, gets an empty result, with or without a node
                d.send(sender, Stanzas.iqResult(stanza, XmlElement.builder("query", Ns.DISCO_ITEMS)
                        .attribute("node", items.attribute("node")).build()));
            } else if ("get".equals(type) || "set".equals(type)) {
                // XEP-0030 §8: disco#info (and anything else) gets <service-unavailable/>
                bounce(stanza, StanzaError.SERVICE_UNAVAILABLE, d, sender);
            }
            return;
        }
        List<SessionInfo> sessions = d.sessions(to);
        if (sessions.isEmpty() && !d.accountExists(to.local())) {
            // RFC 6121 §8.5.1 (a): no such account, the message is silently ignored, answered exactly as a platform
            // that exists and has no available session would answer it (RFC 8600 §9: nothing tells which platforms
            // exist): only a groupchat comes back (§8.5.2.2.1), as it would for an existing one
            if (Stanzas.isMessage(stanza) && "groupchat".equals(type)) {
                bounce(stanza, StanzaError.SERVICE_UNAVAILABLE, d, sender);
            }
            return;
        }
        if (Stanzas.isPresence(stanza)) {
            // directed presence to every session of the account; subscription handling has no roster here
            for (SessionInfo s : sessions) {
                d.send(s.jid(), stanza);
            }
            return;
        }
        deliverMessageToBare(sender, to, stanza, d);
    }

    /**
     * Whether a stanza would be handed to another platform (or stored for it): messages, directed presence and IQ
     * requests to a full JID; not errors or IQ results (answers to what the other platform asked), not what the
     * server answers on the account's behalf (IQs to a bare JID), not stanzas to one's own other resources.
     */
    private static boolean reachesAnotherPlatform(Jid sender, Jid to, XmlElement stanza) {
        String type = stanza.attribute("type");
        if ("error".equals(type) || to.bare().equals(sender.bare())) {
            return false;
        }
        if (Stanzas.isIq(stanza)) {
            return !to.isBare() && ("get".equals(type) || "set".equals(type));
        }
        return Stanzas.isMessage(stanza) || Stanzas.isPresence(stanza);
    }

    /** The disco#items query of an IQ get with an id and that one child, or null. */
    private static XmlElement discoItemsQuery(XmlElement iq) {
        if (!"get".equals(iq.attribute("type")) || iq.attribute("id") == null) {
            return null;
        }
        List<XmlElement> children = iq.elements();
        return children.size() == 1 && children.get(0).is("query", Ns.DISCO_ITEMS) ? children.get(0) : null;
    }

    private void deliverMessageToBare(Jid sender, Jid to, XmlElement message, Delivery d) {
        String type = message.attribute("type") == null ? "normal" : message.attribute("type");
        if ("groupchat".equals(type)) {
            bounce(message, StanzaError.SERVICE_UNAVAILABLE, d, sender); // RFC 6121 §8.5.2.1.1, §8.5.2.2.1
            return;
        }
        if ("error".equals(type)) {
            return; // RFC 6121 §8.5.2.2.1: silently dropped, never bounced
        }
        // normal and chat: the most available resources, or offline storage; headline: every
        // available resource, or nowhere (RFC 6121 §8.5.2.1.1, §8.5.2.2.1)
        BareJidDelivery.Outcome o = new BareJidDelivery(d, offline).deliver(to.bare(), message, null,
                "headline".equals(type));
        if (o == BareJidDelivery.Outcome.REFUSED) {
            // XEP-0160 §5: the recipient's offline storage is full
            bounce(message, StanzaError.SERVICE_UNAVAILABLE, d, sender);
        }
    }

    /**
     * Routes a message that its session never acknowledged (XEP-0198 §4, RFC 6121 §8.5.2):
     * another available resource, or offline storage, or nowhere; never bounced.
     */
    public void reroute(Jid fullJid, XmlElement message, Delivery d) {
        if (!"error".equals(message.attribute("type")) && !"groupchat".equals(message.attribute("type"))) {
            new BareJidDelivery(d, offline).deliver(fullJid.bare(), message, null,
                    "headline".equals(message.attribute("type")));
        }
    }

    // RFC 6121 §8.5.3: full JID of a local account
    private void toFull(Jid sender, Jid to, XmlElement stanza, Delivery d) {
        if (d.session(to).isPresent() && d.send(to, stanza)) {
            return;
        }
        String type = stanza.attribute("type");
        if (Stanzas.isIq(stanza)) {
            if ("get".equals(type) || "set".equals(type)) {
                bounce(stanza, StanzaError.SERVICE_UNAVAILABLE, d, sender); // §8.5.3.2.3
            }
        } else if (Stanzas.isMessage(stanza)) {
            // §8.5.3.2.1: normal, chat and headline are treated as if sent to the bare JID
            if ("groupchat".equals(type)) {
                bounce(stanza, StanzaError.SERVICE_UNAVAILABLE, d, sender);
            } else if (!"error".equals(type)) {
                toBare(sender, to.bare(), stanza, d);
            }
        }
        // presence to an unavailable full JID is dropped (§8.5.3.2.2)
    }

    /** Sends an error back to the sender, never in reply to an error (RFC 6120 §8.3.1). */
    private static void bounce(XmlElement stanza, StanzaError condition, Delivery d, Jid sender) {
        if ("error".equals(stanza.attribute("type"))) {
            return;
        }
        XmlElement err = Stanzas.error(stanza, condition, null);
        if (stanza.attribute("to") == null) {
            err = err.withAttribute("from", d.domain().toString());
        }
        d.send(sender, err);
    }

    private static int priority(XmlElement presence) {
        XmlElement p = presence.child("priority", presence.namespace());
        if (p == null) {
            return 0;
        }
        try {
            int v = Integer.parseInt(p.text().trim());
            return Math.max(-128, Math.min(127, v));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
