package io.xmppgrid.it;

import io.xmppgrid.client.sasl.Scram256Mechanism;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.pubsub.EventElement;
import org.jivesoftware.smackx.pubsub.EventElementType;
import org.jivesoftware.smackx.pubsub.Item;
import org.jivesoftware.smackx.pubsub.LeafNode;
import org.jivesoftware.smackx.pubsub.PayloadItem;
import org.jivesoftware.smackx.pubsub.PubSubManager;
import org.jivesoftware.smackx.pubsub.SimplePayload;
import org.jivesoftware.smackx.pubsub.Subscription;
import org.jivesoftware.smackx.pubsub.listener.ItemEventListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.jxmpp.jid.impl.JidCreate;

/** XEP-0060 owner, publisher and subscriber flows through Smack's PubSubManager, approval included. */
@ExtendWith(ArquillianExtension.class)
class SmackPubSubIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    private static XMPPTCPConnection login(String prefix) throws Exception {
        String name = Grid.platform(Grid.uniqueName(prefix), prefix + "-password-1");
        return Smack.connect(Smack.starttls(name, prefix + "-password-1", Scram256Mechanism.NAME));
    }

    private static PubSubManager broker(XMPPTCPConnection c) throws Exception {
        return PubSubManager.getInstanceFor(c, JidCreate.bareFrom("broker.grid.local"));
    }

    @Test // XEP-0060 §8.1 create, §6.1 subscribe (authorize: pending), §8.8.2 approve (§8.6: the subscriber is told), §7.1 publish, §6.5 retrieve
    void ownerPublisherSubscriber() throws Exception {
        XMPPTCPConnection owner = login("owner");
        XMPPTCPConnection consumer = login("consumer");
        XMPPTCPConnection stranger = login("stranger");
        try {
            String topic = "incidents-" + UUID.randomUUID().toString().substring(0, 8);
            LeafNode created = broker(owner).createNode(topic);
            assertEquals(topic, created.getId());

            // the broker is listed on the domain, and the Topic on the broker (XEP-0030)
            DiscoverItems domainItems = ServiceDiscoveryManager.getInstanceFor(consumer)
                    .discoverItems(JidCreate.domainBareFrom(Grid.DOMAIN));
            assertTrue(domainItems.getItems().stream().anyMatch(i -> i.getEntityID().toString().equals("broker.grid.local")));
            LeafNode node = broker(consumer).getLeafNode(topic);

            Subscription requested = node.subscribe(consumer.getUser().asEntityBareJid());
            assertEquals(Subscription.State.pending, requested.getState());

            LeafNode ownerView = broker(owner).getLeafNode(topic);
            List<Subscription> pending = ownerView.getSubscriptionsAsOwner();
            assertTrue(pending.stream().anyMatch(s -> s.getJid().equals(consumer.getUser().asEntityBareJid())
                    && s.getState() == Subscription.State.pending), pending.toString());
            // XEP-0060 §8.6 (example approvalnotify1): the subscriber is told it is subscribed, by an event
            BlockingQueue<Subscription> told = new LinkedBlockingQueue<>();
            consumer.addAsyncStanzaListener(stanza -> {
                EventElement ev = stanza.getExtension("event", Smack.PUBSUB_EVENT);
                if (ev != null && ev.getEventType() == EventElementType.subscription) {
                    told.add((Subscription) ev.getEvent());
                }
            }, StanzaTypeFilter.MESSAGE);
            ownerView.modifySubscriptionsAsOwner(List.of(new Subscription(consumer.getUser().asEntityBareJid(),
                    Subscription.State.subscribed)));
            Subscription approved = told.poll(15, TimeUnit.SECONDS);
            assertNotNull(approved, "the subscriber was not told of the approval");
            assertEquals(Subscription.State.subscribed, approved.getState());
            assertEquals(topic, approved.getNode());
            assertEquals(consumer.getUser().asEntityBareJid(), approved.getJid());
            assertTrue(consumer.isConnected(), "the approval notification must not break the client");

            BlockingQueue<Item> received = new LinkedBlockingQueue<>();
            node.addItemEventListener((ItemEventListener<Item>) e -> received.addAll(e.getItems()));
            ownerView.publish(new PayloadItem<>("incident-1", new SimplePayload(Iodef.example("492382"))));

            Item notified = received.poll(15, TimeUnit.SECONDS);
            assertNotNull(notified, "the subscriber got no notification");
            assertEquals("incident-1", notified.getId());
            assertTrue(notified.toXML().toString().contains("492382"), notified.toXML().toString());

            List<Item> items = node.getItems();
            assertEquals(1, items.size());
            assertEquals("incident-1", items.get(0).getId());

            // authorize model: no subscription, no items (XEP-0060 §6.5.9.x)
            XMPPException.XMPPErrorException refused = assertThrows(XMPPException.XMPPErrorException.class,
                    () -> broker(stranger).getLeafNode(topic).getItems());
            assertEquals(StanzaError.Condition.not_authorized, refused.getStanzaError().getCondition());

            // a subscriber is not a publisher (XEP-0060 §4.1)
            XMPPException.XMPPErrorException forbidden = assertThrows(XMPPException.XMPPErrorException.class,
                    () -> node.publish(new PayloadItem<>("x", new SimplePayload(Iodef.example("1")))));
            assertEquals(StanzaError.Condition.forbidden, forbidden.getStanzaError().getCondition());
        } finally {
            owner.disconnect();
            consumer.disconnect();
            stranger.disconnect();
        }
    }
}
