package io.xmppgrid.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.xmppgrid.core.OfflineSink;
import io.xmppgrid.core.pubsub.AccessModel;
import io.xmppgrid.core.pubsub.ActorPolicy;
import io.xmppgrid.core.pubsub.InMemoryPubSubStore;
import io.xmppgrid.core.pubsub.PayloadValidator;
import io.xmppgrid.core.pubsub.PubSubEvent;
import io.xmppgrid.core.pubsub.PubSubService;
import io.xmppgrid.core.pubsub.ServiceSettings;
import io.xmppgrid.core.pubsub.Subscription;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.XmlElement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The notifications the broker's events become, without a container. */
class NotifierTest {

    private static final String EVENT = "http://jabber.org/protocol/pubsub#event";
    private final Jid broker = Jid.domain("broker.grid.local");
    private final Jid owner = Jid.parse("owner@grid.local/o");
    private final Jid consumer = Jid.parse("consumer@grid.local/c");
    private final List<PubSubEvent> events = new ArrayList<>();
    private final PubSubService svc = new PubSubService(new InMemoryPubSubStore(), events::add, ServiceSettings.defaults(),
            PayloadValidator.ACCEPT_ALL, ActorPolicy.ALLOW_ALL, Clock.systemUTC());
    private final io.xmppgrid.core.RecordingDelivery delivery = new io.xmppgrid.core.RecordingDelivery(true);
    private final List<XmlElement> sent = delivery.sent;
    private final Notifier notifier = new Notifier(broker, delivery, (OfflineSink) (jid, message, liveAgain) -> OfflineSink.Outcome.STORED);

    /** The subscriber's notification after the owner sets its subscription to {@code state}. */
    private XmlElement told(Subscription.State state) {
        String t = svc.create("approvals", owner, svc.defaultConfig().withAccessModel(AccessModel.AUTHORIZE)).value().id();
        svc.subscribe(t, consumer, consumer).value();
        svc.setSubscriptions(t, owner, Map.of(consumer, state)).value();
        PubSubEvent last = events.get(events.size() - 1);
        notifier.emit(last);
        assertEquals(1, sent.size(), sent.toString());
        return sent.get(0);
    }

    @Test // XEP-0060 §8.6, example approvalnotify1: <event xmlns='...#event'><subscription ... subscription='subscribed'/></event>
    void approvalIsAnEventInThePubsubEventNamespace() {
        XmlElement m = told(Subscription.State.SUBSCRIBED);
        assertEquals("message", m.name());
        assertEquals(broker.toString(), m.attribute("from"));
        assertEquals(1, m.elements().size(), m.toString());
        XmlElement event = m.child("event", EVENT);
        assertEquals(1, event.elements().size(), m.toString());
        XmlElement sub = event.child("subscription", EVENT);
        assertEquals("approvals", sub.attribute("node"));
        assertEquals(consumer.toString(), sub.attribute("jid"));
        assertEquals("subscribed", sub.attribute("subscription"));
        assertNull(m.child("pubsub", PubSubComponent.PUBSUB), "no <pubsub/> wrapper: " + m);
    }

    @Test // XEP-0060 §8.6 (denial) and the note "Notification of Subscription State Changes": subscription='none'
    void denialIsAnEventWithStateNone() {
        XmlElement m = told(Subscription.State.NONE);
        XmlElement sub = m.child("event", EVENT).child("subscription", EVENT);
        assertEquals("none", sub.attribute("subscription"));
        assertEquals(consumer.toString(), sub.attribute("jid"));
        assertNull(sub.attribute("subid"));
        assertEquals(Ns.CLIENT, m.namespace());
    }
}
