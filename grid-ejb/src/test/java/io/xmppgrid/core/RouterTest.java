package io.xmppgrid.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.ra.api.SessionInfo;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.Stanzas;
import io.xmppgrid.xmpp.XmlElement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Routing rules of RFC 6120 §10 and RFC 6121 §8 with an in-memory delivery. */
class RouterTest {

    /** An in-memory offline queue with a limit. */
    private final List<XmlElement> stored = new ArrayList<>();
    private int queueLimit = 100;
    private final OfflineSink offline = (bare, message, liveAgain) -> {
        if (liveAgain.getAsBoolean()) {
            return OfflineSink.Outcome.DELIVERED;
        }
        if (stored.size() >= queueLimit) {
            return OfflineSink.Outcome.FULL;
        }
        stored.add(message);
        return OfflineSink.Outcome.STORED;
    };
    private final Router router = new Router(ServerIqHandlers.all(List.of()), List.of(), offline);
    private final Jid alice = Jid.parse("alice@grid.local/a");
    private final Jid bob1 = Jid.parse("bob@grid.local/one");
    private final Jid bob2 = Jid.parse("bob@grid.local/two");

    /** Records what is sent, to whom. */
    private static final class Recorder implements Delivery {
        final Map<Jid, SessionInfo> sessions = new LinkedHashMap<>();
        final List<Map.Entry<Jid, XmlElement>> sent = new ArrayList<>();

        void online(Jid j, boolean available, int priority) {
            sessions.put(j, new SessionInfo(j, "n", "c", Instant.now(), "127.0.0.1", available, priority));
        }

        @Override
        public Jid domain() {
            return Jid.domain("grid.local");
        }

        @Override
        public Optional<SessionInfo> session(Jid fullJid) {
            return Optional.ofNullable(sessions.get(fullJid));
        }

        @Override
        public List<SessionInfo> sessions(Jid bareJid) {
            return sessions.values().stream().filter(s -> s.jid().bare().equals(bareJid)).toList();
        }

        @Override
        public boolean send(Jid fullJid, XmlElement stanza) {
            sent.add(Map.entry(fullJid, stanza));
            return sessions.containsKey(fullJid);
        }

        @Override
        public void presence(Jid fullJid, boolean available, int priority) {
            online(fullJid, available, priority);
        }

        @Override
        public boolean accountExists(String localpart) {
            return localpart.equals("bob") || localpart.equals("alice");
        }

        /** Stanzas handed to peer grids' links; room for this many more. */
        final List<Map.Entry<Jid, XmlElement>> toPeers = new ArrayList<>();
        int peerRoom = 100;

        @Override
        public boolean atPeer(Jid address) {
            return address.domainPart().equals("peer.example") || address.domainPart().endsWith(".peer.example");
        }

        @Override
        public boolean sendToPeer(Jid address, XmlElement stanza, String orderingKey) {
            if (!atPeer(address) || peerRoom-- <= 0) {
                return false;
            }
            toPeers.add(Map.entry(address, stanza));
            return true;
        }
    }

    private static XmlElement message(String to, String type) {
        return XmlElement.builder("message", Ns.CLIENT).attribute("from", "alice@grid.local/a").attribute("to", to)
                .attribute("type", type).child(XmlElement.builder("body", Ns.CLIENT).text("hi").build()).build();
    }

    @Test // RFC 6121 §8.5.2.1.1: normal messages to the most available resource(s)
    void bareJidGoesToHighestPriority() {
        Recorder d = new Recorder();
        d.online(bob1, true, 1);
        d.online(bob2, true, 5);
        router.route(alice, message("bob@grid.local", "normal"), d);
        assertEquals(1, d.sent.size());
        assertEquals(bob2, d.sent.get(0).getKey());
    }

    /**
     * Issue 18 §7, RFC 8600 §9 and RFC 6121 §8.5.1 (a): a message to a platform that does not exist gets the answer a
     * platform that exists and has no available session gives: nothing for normal, chat and headline, an error for
     * groupchat, so nothing tells which platforms exist.
     */
    @Test
    void aMissingPlatformAnswersLikeAnAbsentOne() {
        for (String to : new String[] {"bob@grid.local", "nobody@grid.local", "nobody@grid.local/r"}) {
            Recorder d = new Recorder();
            d.online(alice, true, 0);
            for (String type : new String[] {"normal", "chat", "headline"}) {
                router.route(alice, message(to, type), d);
            }
            assertTrue(d.sent.isEmpty(), to + ": nothing comes back");
            router.route(alice, message(to, "groupchat"), d);
            assertEquals(1, d.sent.size(), to);
            assertEquals("service-unavailable", Stanzas.errorCondition(d.sent.get(0).getValue()), to);
        }
    }

    /**
     * Issue 18 §7, RFC 8600 §8.3.2: what reaches another platform is a privilege of the sender's role template
     * ({@code MESSAGE}). Without it, messages and IQ requests come back {@code <forbidden/>} whether the recipient
     * exists or not (RFC 8600 §9), directed presence is dropped, nothing is delivered or stored; answers (IQ results,
     * errors) and stanzas to one's own resources still pass.
     */
    @Test
    void sendingToOtherPlatformsNeedsTheMessageGrant() {
        io.xmppgrid.core.pubsub.ActorPolicy noMessages = (actor, action, node, type, owner) ->
                action == io.xmppgrid.core.pubsub.ActorPolicy.Action.MESSAGE ? "role consumer does not allow message" : null;
        Router governed = new Router(ServerIqHandlers.all(List.of()), List.of(), offline, noMessages);
        Jid alice2 = Jid.parse("alice@grid.local/b");
        for (String to : new String[] {"bob@grid.local", "nobody@grid.local", "bob@grid.local/one"}) {
            Recorder d = new Recorder();
            d.online(alice, true, 0);
            d.online(bob1, true, 0);
            governed.route(alice, message(to, "chat"), d);
            assertEquals(1, d.sent.size(), to);
            assertEquals(alice, d.sent.get(0).getKey());
            assertEquals("forbidden", Stanzas.errorCondition(d.sent.get(0).getValue()), to);
            governed.route(alice, XmlElement.builder("presence", Ns.CLIENT).attribute("to", to).build(), d);
            assertEquals(1, d.sent.size(), "directed presence dropped: " + to);
        }
        assertTrue(stored.isEmpty(), "nothing stored for the recipient");
        Recorder d = new Recorder();
        d.online(alice, true, 0);
        d.online(alice2, true, 0);
        d.online(bob1, true, 0);
        governed.route(alice, XmlElement.builder("iq", Ns.CLIENT).attribute("to", "bob@grid.local/one")
                .attribute("type", "get").attribute("id", "q1").child(XmlElement.empty("ping", "urn:xmpp:ping")).build(), d);
        assertEquals("forbidden", Stanzas.errorCondition(d.sent.get(0).getValue()), "an IQ request to another platform");
        governed.route(alice, XmlElement.builder("iq", Ns.CLIENT).attribute("to", "bob@grid.local/one")
                .attribute("type", "result").attribute("id", "q2").build(), d);
        assertEquals(bob1, d.sent.get(1).getKey(), "an answer to bob's request passes");
        governed.route(alice, message("alice@grid.local/b", "chat"), d);
        assertEquals(alice2, d.sent.get(2).getKey(), "to its own other resource");
        router.route(alice, message("bob@grid.local/one", "chat"), d);
        assertEquals(bob1, d.sent.get(3).getKey(), "with the grant, delivered");
    }

    @Test // RFC 6121 §8.5.2.1.1: headline to all available resources with non-negative priority
    void headlineGoesToAll() {
        Recorder d = new Recorder();
        d.online(bob1, true, 1);
        d.online(bob2, true, 5);
        router.route(alice, message("bob@grid.local", "headline"), d);
        assertEquals(2, d.sent.size());
    }

    @Test // RFC 6121 §8.5.2.2.1: no available resource: normal and chat stored, headline silently dropped
    void noAvailableResourceStoresOffline() {
        Recorder d = new Recorder();
        d.online(alice, true, 0);
        d.online(bob1, false, 0); // bound, not available
        router.route(alice, message("bob@grid.local", "chat"), d);
        router.route(alice, message("bob@grid.local", null), d);
        assertTrue(d.sent.isEmpty(), "nothing bounced, nothing sent live");
        assertEquals(2, stored.size());
        router.route(alice, message("bob@grid.local", "headline"), d);
        assertTrue(d.sent.isEmpty());
        assertEquals(2, stored.size(), "headline not stored");
    }

    @Test // RFC 6121 §8.5.2.2.1: groupchat to a bare JID without available resource: an error back
    void groupchatIsBounced() {
        Recorder d = new Recorder();
        d.online(alice, true, 0);
        router.route(alice, message("bob@grid.local", "groupchat"), d);
        assertEquals("service-unavailable", Stanzas.errorCondition(d.sent.get(0).getValue()));
        assertTrue(stored.isEmpty());
    }

    @Test // XEP-0160 §5: offline storage full: service-unavailable back to the sender, nothing stored
    void fullQueueBounces() {
        queueLimit = 0;
        Recorder d = new Recorder();
        d.online(alice, true, 0);
        router.route(alice, message("bob@grid.local", "normal"), d);
        assertEquals(1, d.sent.size());
        assertEquals(alice, d.sent.get(0).getKey());
        assertEquals("service-unavailable", Stanzas.errorCondition(d.sent.get(0).getValue()));
        assertTrue(stored.isEmpty());
    }

    @Test // XEP-0334 §4: <no-store/> keeps a message out of offline storage
    void noStoreHint() {
        Recorder d = new Recorder();
        XmlElement m = message("bob@grid.local", "normal").toBuilder()
                .child(XmlElement.empty("no-store", Ns.HINTS)).build();
        router.route(alice, m, d);
        assertTrue(stored.isEmpty());
        assertTrue(d.sent.isEmpty());
    }

    @Test // the queue's lock is taken before the last look: a session that became available gets it live
    void becameAvailableWhileStoring() {
        Recorder d = new Recorder();
        OfflineSink racing = (bare, message, liveAgain) -> {
            d.online(bob1, true, 0);
            return liveAgain.getAsBoolean() ? OfflineSink.Outcome.DELIVERED : OfflineSink.Outcome.STORED;
        };
        new Router(ServerIqHandlers.all(List.of()), List.of(), racing).route(alice, message("bob@grid.local", null), d);
        assertEquals(1, d.sent.size());
        assertEquals(bob1, d.sent.get(0).getKey());
    }

    @Test // XEP-0203 / XEP-0160 §3: the delay stamp of a stored message
    void delayStamp() {
        XmlElement m = BareJidDelivery.delayed(message("bob@grid.local", null), Jid.domain("grid.local"),
                Instant.parse("2026-11-30T09:00:00.123456Z"));
        XmlElement delay = m.child("delay", Ns.DELAY);
        assertEquals("grid.local", delay.attribute("from"));
        assertEquals("2026-11-30T09:00:00.123Z", delay.attribute("stamp"));
    }

    @Test // RFC 6120 §8.3.1: never an error in reply to an error
    void errorsAreNotBounced() {
        Recorder d = new Recorder();
        router.route(alice, message("nobody@grid.local", "error"), d);
        assertTrue(d.sent.isEmpty());
    }

    @Test // RFC 6121 §8.5.3.1: full JID with a session gets the stanza as is
    void fullJid() {
        Recorder d = new Recorder();
        d.online(bob1, false, 0);
        XmlElement m = message("bob@grid.local/one", "chat");
        router.route(alice, m, d);
        assertEquals(List.of(Map.entry(bob1, m)), d.sent);
    }

    @Test // RFC 6120 §10.4.3: no federation
    void otherDomainIsRemoteServerNotFound() {
        Recorder d = new Recorder();
        router.route(alice, message("x@elsewhere.example", "chat"), d);
        assertEquals("remote-server-not-found", Stanzas.errorCondition(d.sent.get(0).getValue()));
    }

    @Test // RFC 6120 §10.4 (issue 24): a peer grid's address goes over the link to it, when the sender may reach it
    void aPeerGridsAddressGoesToItsLinkWhenTheSenderMayMessage() {
        Recorder d = new Recorder();
        router.route(alice, message("analyst@peer.example", "chat"), d);
        assertEquals(1, d.toPeers.size());
        assertEquals(Jid.parse("analyst@peer.example"), d.toPeers.get(0).getKey());
        assertTrue(d.sent.isEmpty(), d.sent.toString());

        io.xmppgrid.core.pubsub.ActorPolicy noMessages = (actor, action, node, type, owner) ->
                action == io.xmppgrid.core.pubsub.ActorPolicy.Action.MESSAGE ? "no" : null;
        Router strict = new Router(ServerIqHandlers.all(List.of()), List.of(), offline, noMessages);
        Recorder refused = new Recorder();
        strict.route(alice, message("analyst@peer.example", "chat"), refused);
        assertTrue(refused.toPeers.isEmpty());
        assertEquals("forbidden", Stanzas.errorCondition(refused.sent.get(0).getValue()));
        // answers are not requests: an error or an IQ result goes back without the privilege
        Recorder answers = new Recorder();
        strict.route(alice, message("analyst@peer.example", "error"), answers);
        assertEquals(1, answers.toPeers.size());

        Recorder full = new Recorder();
        full.peerRoom = 0;
        router.route(alice, message("analyst@peer.example", "chat"), full);
        assertEquals("resource-constraint", Stanzas.errorCondition(full.sent.get(0).getValue()), "the queue is bounded");
    }

    @Test // RFC 6120 §13.7 (issue 24): nothing is relayed from one peer grid to another, nor to an unknown domain
    void aPeerGridsSenderReachesThisGridOnly() {
        Recorder d = new Recorder();
        Jid remote = Jid.parse("analyst@peer.example/desk");
        router.route(remote, message("x@b.peer.example", "chat").withAttribute("from", remote.toString()), d);
        assertTrue(d.toPeers.isEmpty(), "not relayed: " + d.toPeers);
        assertEquals(remote, d.sent.get(0).getKey());
        assertEquals("remote-server-not-found", Stanzas.errorCondition(d.sent.get(0).getValue()));
    }

    @Test // issue 24: a peer grid's address keeps no presence here and asks the server nothing of accounts
    void aPeerGridsSenderGetsNoSessionStateAndOnlyDiscoveryFromTheServer() {
        Recorder d = new Recorder();
        Jid remote = Jid.parse("analyst@peer.example/desk");
        router.route(remote, XmlElement.builder("presence", Ns.CLIENT).attribute("from", remote.toString()).build(), d);
        assertTrue(d.sessions.isEmpty(), "no session recorded for a remote address");
        XmlElement roster = XmlElement.builder("iq", Ns.CLIENT).attribute("from", remote.toString()).attribute("type", "get")
                .attribute("id", "r1").child(XmlElement.empty("query", "jabber:iq:roster")).build();
        router.route(remote, roster, d);
        assertEquals("service-unavailable", Stanzas.errorCondition(d.sent.get(0).getValue()));
        d.sent.clear();
        XmlElement info = XmlElement.builder("iq", Ns.CLIENT).attribute("from", remote.toString()).attribute("type", "get")
                .attribute("id", "i1").child(XmlElement.empty("query", Ns.DISCO_INFO)).build();
        router.route(remote, info, d);
        assertEquals("result", d.sent.get(0).getValue().attribute("type"));
    }

    private static XmlElement disco(String to, String ns, String node) {
        return XmlElement.builder("iq", Ns.CLIENT).attribute("from", "alice@grid.local/a").attribute("to", to)
                .attribute("type", "get").attribute("id", "d1")
                .child(XmlElement.builder("query", ns).attribute("node", node).build()).build();
    }

    /** The one reply to alice, serialized. */
    private String ask(XmlElement iq) {
        Recorder d = new Recorder();
        d.online(bob1, true, 0);
        router.route(alice, iq, d);
        assertEquals(1, d.sent.size(), d.sent.toString());
        assertEquals(alice, d.sent.get(0).getKey());
        return d.sent.get(0).getValue().toString().replace("nobody@", "X@").replace("bob@", "X@");
    }

    @Test // XEP-0030 §8: disco#items to a platform's bare JID, existing or not, with or without a node: an empty result
    void discoItemsToABareJidIsEmptyWhetherOrNotItExists() {
        for (String node : new String[] {null, "urn:xmpp:microblog:0"}) {
            String existing = ask(disco("bob@grid.local", Ns.DISCO_ITEMS, node));
            String missing = ask(disco("nobody@grid.local", Ns.DISCO_ITEMS, node));
            assertEquals(existing, missing, "no enumeration");
            XmlElement reply = io.xmppgrid.xmpp.XmlReader.parse(existing);
            assertEquals("result", reply.attribute("type"));
            assertEquals("X@grid.local", reply.attribute("from"));
            XmlElement query = reply.child("query", Ns.DISCO_ITEMS);
            assertTrue(query != null && query.elements().isEmpty(), existing);
            assertEquals(node, query.attribute("node"));
        }
    }

    @Test // XEP-0030 §8: disco#info to a bare JID keeps <service-unavailable/>, the same for existing and missing platforms
    void discoInfoToABareJidIsServiceUnavailableWhetherOrNotItExists() {
        String existing = ask(disco("bob@grid.local", Ns.DISCO_INFO, null));
        assertEquals(existing, ask(disco("nobody@grid.local", Ns.DISCO_INFO, null)), "no enumeration");
        assertEquals("service-unavailable", Stanzas.errorCondition(io.xmppgrid.xmpp.XmlReader.parse(existing)));
        assertEquals("cancel", io.xmppgrid.xmpp.XmlReader.parse(existing).child("error", Ns.CLIENT).attribute("type"));
    }

    @Test // features come from the registered handlers
    void featuresAreDerivedFromHandlers() {
        assertEquals(List.of(Ns.DISCO_INFO, Ns.DISCO_ITEMS, "msgoffline", Ns.PING), router.features());
    }
}
