package io.xmppgrid.core.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The broker core without a container: one test per XEP-0060 use case and per access rule,
 * with an in-memory store and a recording broadcaster.
 */
class PubSubServiceTest {

    private static final String IODEF = "urn:ietf:params:xml:ns:iodef-2.0";
    private final Jid owner = Jid.parse("policy@grid.local/a");
    private final Jid sensor = Jid.parse("sensor@grid.local/s");
    private final Jid consumer = Jid.parse("consumer@grid.local/c");
    private final Jid stranger = Jid.parse("stranger@grid.local/x");
    private final InMemoryPubSubStore store = new InMemoryPubSubStore();
    private final List<PubSubEvent> events = new ArrayList<>();
    private final PubSubService svc = new PubSubService(store, events::add, ServiceSettings.defaults(),
            PayloadValidator.ACCEPT_ALL, ActorPolicy.ALLOW_ALL, Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), ZoneOffset.UTC));

    private static XmlElement report(String id) {
        return XmlElement.builder("IODEF-Document", IODEF).attribute("version", "2.00")
                .child(XmlElement.builder("Incident", IODEF).textChild("IncidentID", id).build()).build();
    }

    private String topic(AccessModel model) {
        Node n = svc.create("MILEHost", owner, svc.defaultConfig().withAccessModel(model).withPayloadType(IODEF)).value();
        svc.setAffiliations("MILEHost", owner, Map.of(sensor.bare(), Affiliation.PUBLISHER)).value();
        return n.id();
    }

    @Test // XEP-0060 §8.1.1 create; §8.1.2 instant node
    void createNamedAndInstant() {
        Result<Node> named = svc.create("MILEHost", owner, null);
        assertEquals(Affiliation.OWNER, named.value().affiliationOf(owner));
        assertEquals(AccessModel.AUTHORIZE, named.value().config().accessModel());
        assertEquals(PubSubError.NODE_EXISTS, svc.create("MILEHost", owner, null).error());
        Result<Node> instant = svc.create(null, owner, null);
        assertTrue(instant.value().id().startsWith("topic-"));
    }

    /**
     * Issue 18 §7, RFC 8600 §8.3.4 (limits): the Topics a platform created count against its limit even after it made
     * another platform the owner and left, so ghost owners do not lift the limit.
     */
    @Test
    void topicsHandedToGhostOwnersStillCount() {
        PubSubService limited = new PubSubService(store, events::add, new ServiceSettings(AccessModel.AUTHORIZE, 1000, 100_000,
                262_144 - 4096, 100, 2, 64L << 20, 1L << 20), PayloadValidator.ACCEPT_ALL, ActorPolicy.ALLOW_ALL,
                Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), ZoneOffset.UTC));
        for (String t : new String[] {"ghost-1", "ghost-2"}) {
            assertTrue(limited.create(t, owner, null).isOk());
            assertTrue(limited.setAffiliations(t, owner, Map.of(stranger.bare(), Affiliation.OWNER)).isOk());
            assertTrue(limited.setAffiliations(t, owner, Map.of(owner.bare(), Affiliation.NONE)).isOk(), "left its Topic");
        }
        assertEquals(PubSubError.TOO_MANY_NODES, limited.create("ghost-3", owner, null).error());
    }

    @Test // RFC 8600 §8.3.3: only authorize and whitelist
    void otherAccessModelsAreRefused() {
        Map<String, List<String>> open = Map.of("pubsub#access_model", List.of("open"));
        assertEquals(PubSubError.UNSUPPORTED_ACCESS_MODEL, NodeConfigForm.apply(svc.defaultConfig(), open).error());
        assertEquals(PubSubError.UNSUPPORTED_ACCESS_MODEL, svc.create("x", owner, svc.defaultConfig().withAccessModel(null)).error());
    }

    @Test // XEP-0060 §6.1.2 authorize model: pending, owners asked (§8.6), approval, then items flow
    void authorizePendingApprovedDelivered() {
        String t = topic(AccessModel.AUTHORIZE);
        Subscription pending = svc.subscribe(t, consumer, consumer).value();
        assertEquals(Subscription.State.PENDING, pending.state());
        PubSubEvent.ApprovalRequested ask = assertInstanceOf(PubSubEvent.ApprovalRequested.class, events.get(0));
        assertEquals(List.of(owner.bare()), ask.owners());
        assertEquals(PubSubError.PENDING_SUBSCRIPTION, svc.items(t, consumer, null, null, null).error());

        // a pending subscriber receives nothing
        svc.publish(t, sensor, "i1", report("1"), 100, null).value();
        assertTrue(lastPublished().recipients().isEmpty());

        svc.setSubscriptions(t, owner, Map.of(consumer, Subscription.State.SUBSCRIBED)).value();
        PubSubEvent.SubscriptionChanged told = assertInstanceOf(PubSubEvent.SubscriptionChanged.class, events.get(events.size() - 1));
        assertEquals(Subscription.State.SUBSCRIBED, told.subscription().state());

        Item i2 = svc.publish(t, sensor, null, report("2"), 100, null).value();
        assertEquals(List.of(consumer), lastPublished().recipients().stream().map(Subscription::jid).toList());
        assertEquals(i2.id(), lastPublished().item().id());
        assertEquals(2, svc.items(t, consumer, null, null, null).value().entries().size());
    }

    @Test // XEP-0060 §6.1.3.7: "If the requesting entity has a pending subscription, the service MUST return a
          // <not-authorized/> error to the subscriber, specifying a pubsub-specific error condition of <pending-subscription/>."
    void subscribingAgainWhilePendingIsRefused() {
        String t = topic(AccessModel.AUTHORIZE);
        svc.subscribe(t, consumer, consumer).value();
        int asked = events.size();
        assertEquals(PubSubError.PENDING_SUBSCRIPTION, svc.subscribe(t, consumer, consumer).error());
        assertEquals(asked, events.size(), "the owners are not asked again");
        assertEquals(Subscription.State.PENDING, store.subscription(t, consumer).orElseThrow().state());
        // once approved, subscribing again returns the subscription as it is
        svc.setSubscriptions(t, owner, Map.of(consumer, Subscription.State.SUBSCRIBED)).value();
        assertEquals(Subscription.State.SUBSCRIBED, svc.subscribe(t, consumer, consumer).value().state());
    }

    @Test // XEP-0060 §8.6: a denied request is removed and the requester told
    void authorizeDenied() {
        String t = topic(AccessModel.AUTHORIZE);
        svc.subscribe(t, consumer, consumer).value();
        svc.setSubscriptions(t, owner, Map.of(consumer, Subscription.State.NONE)).value();
        PubSubEvent.SubscriptionChanged told = assertInstanceOf(PubSubEvent.SubscriptionChanged.class, events.get(events.size() - 1));
        assertEquals(Subscription.State.NONE, told.subscription().state());
        assertTrue(store.subscription(t, consumer).isEmpty());
        assertEquals(PubSubError.SUBSCRIPTION_REQUIRED, svc.items(t, consumer, null, null, null).error());
    }

    @Test // XEP-0060 §6.1.3.4 whitelist: only affiliated platforms subscribe or retrieve
    void whitelistRefusesStrangers() {
        String t = topic(AccessModel.WHITELIST);
        assertEquals(PubSubError.CLOSED_NODE, svc.subscribe(t, stranger, stranger).error());
        assertEquals(PubSubError.CLOSED_NODE, svc.items(t, stranger, null, null, null).error());
        svc.setAffiliations(t, owner, Map.of(consumer, Affiliation.MEMBER)).value();
        assertEquals(Subscription.State.SUBSCRIBED, svc.subscribe(t, consumer, consumer).value().state());
        assertTrue(events.stream().noneMatch(e -> e instanceof PubSubEvent.ApprovalRequested));
    }

    @Test // XEP-0060 §4.1: members and subscribers may not publish
    void publishDeniedToMember() {
        String t = topic(AccessModel.WHITELIST);
        svc.setAffiliations(t, owner, Map.of(consumer, Affiliation.MEMBER)).value();
        assertEquals(PubSubError.FORBIDDEN, svc.publish(t, consumer, null, report("x"), 10, null).error());
        assertEquals(PubSubError.FORBIDDEN, svc.publish(t, stranger, null, report("x"), 10, null).error());
    }

    @Test // XEP-0060 §4.1: outcasts can neither subscribe nor retrieve, and lose their subscription
    void outcastRefused() {
        String t = topic(AccessModel.AUTHORIZE);
        svc.setAffiliations(t, owner, Map.of(consumer, Affiliation.MEMBER)).value();
        svc.subscribe(t, consumer, consumer).value();
        svc.setAffiliations(t, owner, Map.of(consumer, Affiliation.OUTCAST)).value();
        assertTrue(store.subscription(t, consumer).isEmpty());
        assertEquals(PubSubError.FORBIDDEN, svc.subscribe(t, consumer, consumer).error());
        assertEquals(PubSubError.FORBIDDEN, svc.items(t, consumer, null, null, null).error());
    }

    @Test // XEP-0060 §6.1.3.1: subscribing someone else
    void subscribingOthersIsInvalidJid() {
        String t = topic(AccessModel.AUTHORIZE);
        assertEquals(PubSubError.INVALID_JID, svc.subscribe(t, stranger, consumer).error());
    }

    @Test // RFC 8600 §6 pubsub#type: the payload's namespace must match
    void wrongPayloadNamespaceIsInvalidPayload() {
        String t = topic(AccessModel.AUTHORIZE);
        XmlElement other = XmlElement.empty("entry", "http://www.w3.org/2005/Atom");
        assertEquals(PubSubError.INVALID_PAYLOAD, svc.publish(t, sensor, null, other, 10, null).error());
        assertTrue(store.lastItem(t).isEmpty(), "nothing stored");
    }

    @Test
    void validatorAndSizeLimits() {
        PubSubService strict = new PubSubService(store, events::add, ServiceSettings.defaults(),
                (type, payload) -> "missing GenerationTime", ActorPolicy.ALLOW_ALL, Clock.systemUTC());
        String t = topic(AccessModel.AUTHORIZE);
        assertEquals(PubSubError.INVALID_PAYLOAD, strict.publish(t, sensor, null, report("1"), 10, null).error());
        assertEquals(PubSubError.PAYLOAD_TOO_BIG, svc.publish(t, sensor, null, report("1"), 10_000_000, null).error());
        assertEquals(PubSubError.PAYLOAD_REQUIRED, svc.publish(t, sensor, true, null, null, 0, null).error());
    }

    @Test // XEP-0060 §7.1.3.6: transient notification-only nodes take no payload; others need item and payload
    void notificationOnlyNodes() {
        NodeConfig transientCfg = NodeConfigForm.apply(svc.defaultConfig(), Map.of("pubsub#persist_items", List.of("0"),
                "pubsub#deliver_payloads", List.of("false"))).value();
        svc.create("t", owner, transientCfg).value();
        assertTrue(svc.publish("t", owner, false, null, null, 0, null).isOk(), "a publish without an item");
        assertEquals(PubSubError.ITEM_FORBIDDEN, svc.publish("t", owner, true, "x", report("1"), 10, null).error());
        assertTrue(store.lastItem("t").isEmpty(), "transient: nothing stored");
        svc.create("p", owner, null).value();
        assertEquals(PubSubError.ITEM_REQUIRED, svc.publish("p", owner, false, null, null, 0, null).error());
        assertEquals(PubSubError.PAYLOAD_REQUIRED, svc.publish("p", owner, true, "x", null, 0, null).error());
    }

    /**
     * Issue 18 §10 (one small request, a huge reply) and §7 (storage per Topic): a request by item ids returns at most
     * maxPageBytes of payload (at least one item), and a Topic keeps at most maxTopicBytes, its oldest items going
     * first as they do past max_items (XEP-0060 §7.1.2).
     */
    @Test
    void repliesAndTopicsAreBoundedInBytes() {
        PubSubService small = new PubSubService(store, events::add, new ServiceSettings(AccessModel.AUTHORIZE, 1000,
                100_000, 10, 100, 10, 35, 25), PayloadValidator.ACCEPT_ALL, ActorPolicy.ALLOW_ALL,
                Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), ZoneOffset.UTC));
        small.create("b", owner, null).value();
        for (String id : new String[] {"a", "b", "c", "d"}) {
            small.publish("b", owner, id, report(id), 10, null).value();
        }
        assertEquals(List.of("b", "c", "d"), small.items("b", owner, null, null, null).value().entries().stream()
                .map(Item::id).toList(), "35 bytes keep three items of 10");
        assertEquals(List.of("b", "c"), small.items("b", owner, List.of("b", "c", "d"), null, null).value().entries()
                .stream().map(Item::id).toList(), "25 bytes of payload per reply");
        assertEquals(List.of("d"), small.items("b", owner, List.of("a", "d"), null, null).value().entries().stream()
                .map(Item::id).toList(), "the gone one is absent");
    }

    /**
     * Issue 19 §2, RFC 8600 §8.3.2: role templates on every path and every delivery, read as they are now. A publisher
     * whose template grants PUBLISH and RETRACT cannot purge (that is MANAGE); an owner approves only a subscriber
     * whose template grants SUBSCRIBE, and its own template must grant MANAGE; a subscriber downgraded to a template
     * without SUBSCRIBE (or without RETRIEVE, where payloads are delivered) receives nothing more.
     */
    @Test
    void templatesGovernPurgeApprovalAndEveryDelivery() {
        Map<String, String> grants = new java.util.HashMap<>(Map.of("policy", "ALL", "sensor", "PUBLISH;RETRACT",
                "consumer", "SUBSCRIBE;RETRIEVE", "stranger", "RETRIEVE"));
        java.util.function.Function<Jid, java.util.Optional<RoleTemplate>> roleOf = j -> java.util.Optional.ofNullable(
                grants.get(j.local())).map(g -> new RoleTemplate(j.local(), "", RoleTemplate.parseGrants(g)));
        PubSubService governed = new PubSubService(store, events::add, ServiceSettings.defaults(), PayloadValidator.ACCEPT_ALL,
                new TemplatePolicy(roleOf, jids -> {
                    Map<Jid, java.util.Optional<RoleTemplate>> m = new java.util.HashMap<>();
                    jids.forEach(j -> m.put(j, roleOf.apply(j)));
                    return m;
                }), Clock.fixed(Instant.parse("2026-11-30T00:00:00Z"), ZoneOffset.UTC));
        governed.create("g", owner, governed.defaultConfig().withAccessModel(AccessModel.AUTHORIZE)).value();
        governed.setAffiliations("g", owner, Map.of(sensor.bare(), Affiliation.PUBLISHER)).value();
        governed.publish("g", sensor, "a", report("a"), 10, null).value();
        assertEquals(PubSubError.FORBIDDEN, governed.purge("g", sensor).error(), "purge is MANAGE");

        governed.subscribe("g", consumer, consumer).value();
        governed.subscribe("g", stranger, stranger);
        assertEquals(PubSubError.NOT_ACCEPTABLE, governed.setSubscriptions("g", owner,
                Map.of(stranger, Subscription.State.SUBSCRIBED)).error(), "its template does not let it subscribe");
        governed.setSubscriptions("g", owner, Map.of(consumer, Subscription.State.SUBSCRIBED)).value();
        governed.publish("g", sensor, "b", report("b"), 10, null).value();
        assertEquals(List.of(consumer), lastPublished().recipients().stream().map(Subscription::jid).toList());

        grants.put("consumer", "RETRIEVE"); // downgraded to read-only
        governed.publish("g", sensor, "c", report("c"), 10, null).value();
        assertTrue(lastPublished().recipients().isEmpty(), "nothing more for it, at once");
        grants.put("consumer", "SUBSCRIBE");
        governed.publish("g", sensor, "d", report("d"), 10, null).value();
        assertTrue(lastPublished().recipients().isEmpty(), "payloads are delivered: RETRIEVE too");
        grants.put("consumer", "SUBSCRIBE;RETRIEVE");
        governed.publish("g", sensor, "e", report("e"), 10, null).value();
        assertEquals(List.of(consumer), lastPublished().recipients().stream().map(Subscription::jid).toList());

        grants.put("policy", "CREATE;CONFIGURE own;PUBLISH own"); // the owner loses MANAGE
        assertEquals(PubSubError.FORBIDDEN, governed.subscriptions("g", owner).error());
        assertEquals(PubSubError.FORBIDDEN, governed.purge("g", owner).error());
        grants.put("policy", "ALL");
        assertEquals(5, governed.purge("g", owner).value());
    }

    @Test // XEP-0060 §7.1.2: republishing an id replaces the item; max_items trims the oldest
    void republishReplacesAndMaxItemsTrims() {
        svc.create("t", owner, svc.defaultConfig().withMaxItems(2)).value();
        svc.publish("t", owner, "a", report("1"), 10, null).value();
        svc.publish("t", owner, "b", report("2"), 10, null).value();
        svc.publish("t", owner, "a", report("3"), 10, null).value();
        List<Item> items = svc.items("t", owner, null, null, null).value().entries();
        assertEquals(List.of("b", "a"), items.stream().map(Item::id).toList());
        svc.publish("t", owner, "c", report("4"), 10, null).value();
        assertEquals(List.of("a", "c"), svc.items("t", owner, null, null, null).value().entries().stream().map(Item::id).toList());
    }

    @Test // XEP-0060 §7.1.5 publish-options
    void preconditions() {
        String t = topic(AccessModel.AUTHORIZE);
        assertTrue(svc.publish(t, sensor, null, report("1"), 10,
                Map.of("pubsub#access_model", List.of("authorize"))).isOk());
        assertEquals(PubSubError.PRECONDITION_NOT_MET, svc.publish(t, sensor, null, report("1"), 10,
                Map.of("pubsub#access_model", List.of("whitelist"))).error());
    }

    @Test // XEP-0060 §7.2: retract with notify; publish-only may retract only its own
    void retract() {
        String t = topic(AccessModel.AUTHORIZE);
        svc.setAffiliations(t, owner, Map.of(consumer, Affiliation.PUBLISH_ONLY, stranger, Affiliation.MEMBER)).value();
        svc.publish(t, sensor, "s1", report("1"), 10, null).value();
        svc.publish(t, consumer, "c1", report("2"), 10, null).value();
        assertEquals(PubSubError.FORBIDDEN, svc.retract(t, consumer, "s1", true).error());
        assertTrue(svc.retract(t, consumer, "c1", true).isOk());
        assertInstanceOf(PubSubEvent.ItemsRetracted.class, events.get(events.size() - 1));
        assertEquals(PubSubError.ITEM_NOT_FOUND, svc.retract(t, sensor, "c1", true).error());
        assertEquals(PubSubError.FORBIDDEN, svc.retract(t, stranger, "s1", true).error());
    }

    @Test // XEP-0060 §8.4 delete with notification; §8.5 purge
    void deleteAndPurge() {
        String t = topic(AccessModel.AUTHORIZE);
        svc.setAffiliations(t, owner, Map.of(consumer, Affiliation.MEMBER)).value();
        svc.subscribe(t, consumer, consumer).value();
        svc.publish(t, sensor, null, report("1"), 10, null).value();
        assertEquals(PubSubError.FORBIDDEN, svc.purge(t, consumer).error());
        assertEquals(1, svc.purge(t, owner).value());
        assertEquals(PubSubError.FORBIDDEN, svc.delete(t, sensor).error());
        assertTrue(svc.delete(t, owner).isOk());
        PubSubEvent.NodeDeleted del = assertInstanceOf(PubSubEvent.NodeDeleted.class, events.get(events.size() - 1));
        assertEquals(List.of(consumer), del.recipients().stream().map(Subscription::jid).toList());
        assertEquals(PubSubError.NODE_NOT_FOUND, svc.items(t, owner, null, null, null).error());
    }

    @Test // XEP-0060 §5.7: own affiliations
    void ownAffiliations() {
        String t = topic(AccessModel.AUTHORIZE);
        assertEquals(Map.of(t, Affiliation.PUBLISHER), svc.affiliationsOf(null, sensor).value());
        assertEquals(Map.of(t, Affiliation.OWNER), svc.affiliationsOf(t, owner).value());
        assertTrue(svc.affiliationsOf(null, stranger).value().isEmpty());
    }

    @Test // XEP-0060 §8.9.2.4: the last owner cannot go
    void lastOwnerStays() {
        String t = topic(AccessModel.AUTHORIZE);
        assertEquals(PubSubError.NOT_ACCEPTABLE, svc.setAffiliations(t, owner, Map.of(owner, Affiliation.NONE)).error());
    }

    @Test // XEP-0060 send_last_published_item=on_sub
    void lastItemOnSubscribe() {
        svc.create("t", owner, svc.defaultConfig().withAccessModel(AccessModel.WHITELIST)
                .withSendLastPublished(NodeConfig.SendLastPublished.ON_SUB)).value();
        svc.setAffiliations("t", owner, Map.of(consumer, Affiliation.MEMBER)).value();
        svc.publish("t", owner, "old", report("1"), 10, null).value();
        svc.publish("t", owner, "new", report("2"), 10, null).value();
        svc.subscribe("t", consumer, consumer).value();
        PubSubEvent.LastItemSent last = assertInstanceOf(PubSubEvent.LastItemSent.class, events.get(events.size() - 1));
        assertEquals("new", last.item().id());
    }

    @Test // XEP-0059 and RFC 8600 §8.3.4: pages are capped even when the client asks for none
    void itemPagingIsCapped() {
        svc.create("t", owner, null).value();
        for (int i = 0; i < 250; i++) {
            svc.publish("t", owner, "i" + i, report(Integer.toString(i)), 10, null).value();
        }
        Page<Item> p1 = svc.items("t", owner, null, null, null).value();
        assertEquals(100, p1.entries().size());
        assertEquals(250, p1.count());
        Page<Item> p2 = svc.items("t", owner, null, null, new PageRequest(10, Cursor.decode(p1.last()), null, false, null)).value();
        assertEquals("i100", p2.entries().get(0).id());
        Page<Item> last = svc.items("t", owner, null, 5, null).value();
        assertEquals(List.of("i245", "i246", "i247", "i248", "i249"), last.entries().stream().map(Item::id).toList());
    }

    @Test
    void cursorsAreOpaqueAndStrict() {
        assertEquals(42L, Cursor.decode(Cursor.encode(42)));
        assertNull(Cursor.decode("42"));
        assertNull(Cursor.decode("' OR 1=1 --"));
        assertNull(Cursor.decode("AAAAAAAAAA!"));
    }

    @Test // RFC 8600 §8.3.2: the platform policy is asked on top of affiliations
    void actorPolicyRefuses() {
        PubSubService guarded = new PubSubService(store, events::add, ServiceSettings.defaults(), PayloadValidator.ACCEPT_ALL,
                (actor, action, node, type, owner) -> action == ActorPolicy.Action.CREATE ? "role template: consumers may not create" : null,
                Clock.systemUTC());
        assertEquals(PubSubError.FORBIDDEN, guarded.create("t", consumer, null).error());
    }

    @Test // XEP-0060 §8.2.5 configuration form round trip, unknown fields refused
    void configForm() {
        NodeConfig c = NodeConfigForm.apply(svc.defaultConfig(), Map.of("pubsub#type", List.of(IODEF),
                "pubsub#max_items", List.of("50"), "pubsub#access_model", List.of("whitelist"))).value();
        assertEquals(IODEF, c.payloadType());
        assertEquals(50, c.maxItems());
        assertEquals(c, NodeConfigForm.apply(svc.defaultConfig(), NodeConfigForm.fields(c)).value());
        assertEquals(PubSubError.INVALID_CONFIGURATION,
                NodeConfigForm.apply(c, Map.of("pubsub#bogus", List.of("1"))).error());
        assertEquals(PubSubError.INVALID_CONFIGURATION,
                NodeConfigForm.apply(c, Map.of("pubsub#persist_items", List.of("maybe"))).error());
    }

    private PubSubEvent.ItemPublished lastPublished() {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i) instanceof PubSubEvent.ItemPublished) {
                return (PubSubEvent.ItemPublished) events.get(i);
            }
        }
        throw new AssertionError("nothing published");
    }
}
