package io.xmppgrid.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.core.Delivery;
import io.xmppgrid.core.pubsub.ActorPolicy;
import io.xmppgrid.core.pubsub.InMemoryPubSubStore;
import io.xmppgrid.core.pubsub.PayloadValidator;
import io.xmppgrid.core.pubsub.PubSubError;
import io.xmppgrid.core.pubsub.PubSubService;
import io.xmppgrid.core.pubsub.ServiceSettings;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;
import io.xmppgrid.xmpp.XmlReader;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The XEP-0060 wire layer without a container: requests as XML in, replies as XML out. */
class PubSubComponentTest {

    private final Jid broker = Jid.domain("broker.grid.local");
    private final Jid alice = Jid.parse("alice@grid.local/a");
    private final List<XmlElement> sent;
    private final PubSubComponent component;
    private final Delivery delivery;

    PubSubComponentTest() {
        io.xmppgrid.core.RecordingDelivery d = new io.xmppgrid.core.RecordingDelivery();
        this.sent = d.sent;
        PubSubService svc = new PubSubService(new InMemoryPubSubStore(), e -> { }, ServiceSettings.defaults(),
                PayloadValidator.ACCEPT_ALL, ActorPolicy.ALLOW_ALL, Clock.systemUTC());
        component = new PubSubComponent(broker, svc);
        this.delivery = d;
    }

    private String ask(String iq) {
        sent.clear();
        component.handle(alice, XmlReader.parse(iq).withAttribute("from", alice.toString()), delivery);
        assertEquals(1, sent.size(), "exactly one reply");
        return sent.get(0).toString();
    }

    @Test // XEP-0060 §7.1.3.3 etc.: operations on a node need its id
    void nodeIdRequired() {
        String r = ask("<iq xmlns='jabber:client' type='set' id='1' to='broker.grid.local'>"
                + "<pubsub xmlns='http://jabber.org/protocol/pubsub'><publish/></pubsub></iq>");
        assertTrue(r.contains("<not-acceptable xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>")
                && r.contains("<nodeid-required xmlns=\"http://jabber.org/protocol/pubsub#errors\"/>"), r);
    }

    @Test // XEP-0060 §10: what is not implemented says so
    void unsupportedOperation() {
        String r = ask("<iq xmlns='jabber:client' type='get' id='2' to='broker.grid.local'>"
                + "<pubsub xmlns='http://jabber.org/protocol/pubsub'><options node='x' jid='alice@grid.local'/></pubsub></iq>");
        assertTrue(r.contains("<feature-not-implemented") && r.contains("feature=\"options\""), r);
    }

    @Test // features come from the registered operations and the core's access models
    void featuresAreDerived() {
        List<String> f = component.features();
        assertTrue(f.contains("http://jabber.org/protocol/pubsub#publish"));
        assertTrue(f.contains("http://jabber.org/protocol/pubsub#access-authorize"));
        assertTrue(f.contains("http://jabber.org/protocol/pubsub#access-whitelist"));
        assertTrue(f.stream().noneMatch(x -> x.endsWith("#access-open")), f.toString());
    }

    @Test // one table: every broker error has a wire form
    void everyErrorHasAWireForm() {
        for (PubSubError e : PubSubError.values()) {
            assertTrue(!PubSubErrors.condition(e).isEmpty(), e.name());
        }
    }

    @Test // XEP-0060 §8.1.2: an instant node's id comes back
    void instantNode() {
        String r = ask("<iq xmlns='jabber:client' type='set' id='3' to='broker.grid.local'>"
                + "<pubsub xmlns='http://jabber.org/protocol/pubsub'><create/></pubsub></iq>");
        assertTrue(r.contains("type=\"result\"") && r.contains("<create node=\"topic-"), r);
    }
}
