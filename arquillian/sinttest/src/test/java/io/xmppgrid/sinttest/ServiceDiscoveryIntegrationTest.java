package io.xmppgrid.sinttest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.igniterealtime.smack.inttest.AbstractSmackIntegrationTest;
import org.igniterealtime.smack.inttest.SmackIntegrationTestEnvironment;
import org.igniterealtime.smack.inttest.annotations.SmackIntegrationTest;
import org.igniterealtime.smack.inttest.annotations.SpecificationReference;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.pubsub.PubSubManager;
import org.jxmpp.jid.DomainBareJid;

/**
 * XEP-0030 checks written for Smack's integration test framework, which ships none: the server's
 * own information and items, the pubsub service's identity and features (RFC 8600 §6 discovery).
 */
@SpecificationReference(document = "XEP-0030", version = "2.5rc3")
public class ServiceDiscoveryIntegrationTest extends AbstractSmackIntegrationTest {

    private final ServiceDiscoveryManager disco;

    public ServiceDiscoveryIntegrationTest(SmackIntegrationTestEnvironment environment) {
        super(environment);
        disco = ServiceDiscoveryManager.getInstanceFor(conOne);
    }

    @SmackIntegrationTest(section = "3.1", quote = "every entity MUST support the disco#info namespace")
    public void serverHasIdentityAndDiscoInfoFeature() throws Exception {
        DiscoverInfo info = disco.discoverInfo(conOne.getXMPPServiceDomain());
        assertTrue(info.containsFeature("http://jabber.org/protocol/disco#info"), info.toXML().toString());
        assertTrue(info.hasIdentity("server", "im"), info.toXML().toString());
    }

    @SmackIntegrationTest(section = "4.1", quote = "the target entity returns its items")
    public void serverItemsListThePubsubService() throws Exception {
        DiscoverItems items = disco.discoverItems(conOne.getXMPPServiceDomain());
        assertTrue(items.getItems().stream().anyMatch(i -> i.getEntityID().toString().startsWith("broker.")),
                items.toXML().toString());
    }

    @SmackIntegrationTest(section = "3.1", quote = "the pubsub service is discoverable with its identity")
    public void pubsubServiceIsFound() throws Exception {
        DomainBareJid service = PubSubManager.getPubSubService(conOne);
        assertEquals("broker." + conOne.getXMPPServiceDomain(), service.toString());
        DiscoverInfo info = disco.discoverInfo(service);
        assertTrue(info.hasIdentity("pubsub", "service"));
        assertTrue(info.containsFeature("http://jabber.org/protocol/pubsub#access-authorize"));
    }

    @SmackIntegrationTest(section = "3.1", quote = "an unknown node yields <item-not-found/>")
    public void unknownNodeIsItemNotFound() throws Exception {
        DomainBareJid service = PubSubManager.getPubSubService(conOne);
        XMPPException.XMPPErrorException e = null;
        try {
            disco.discoverInfo(service, "no-such-node-" + testRunId);
        } catch (XMPPException.XMPPErrorException expected) {
            e = expected;
        }
        assertTrue(e != null, "no error for an unknown node");
        assertEquals(StanzaError.Condition.item_not_found, e.getStanzaError().getCondition());
    }
}
