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

    private final Router router = new Router(ServerIqHandlers.all(List.of()));
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

    @Test // RFC 6121 §8.5.2.1.1: headline to all available resources with non-negative priority
    void headlineGoesToAll() {
        Recorder d = new Recorder();
        d.online(bob1, true, 1);
        d.online(bob2, true, 5);
        router.route(alice, message("bob@grid.local", "headline"), d);
        assertEquals(2, d.sent.size());
    }

    @Test // RFC 6121 §8.5.2.2.1: no available resource: an error back, headline silently dropped
    void noAvailableResource() {
        Recorder d = new Recorder();
        d.online(alice, true, 0);
        router.route(alice, message("bob@grid.local", "chat"), d);
        assertEquals(1, d.sent.size());
        assertEquals(alice, d.sent.get(0).getKey());
        assertEquals("service-unavailable", Stanzas.errorCondition(d.sent.get(0).getValue()));
        d.sent.clear();
        router.route(alice, message("bob@grid.local", "headline"), d);
        assertTrue(d.sent.isEmpty());
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

    @Test // features come from the registered handlers
    void featuresAreDerivedFromHandlers() {
        assertEquals(List.of(Ns.DISCO_INFO, Ns.DISCO_ITEMS, Ns.PING), router.features());
    }
}
