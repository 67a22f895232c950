package io.xmppgrid.core.wire;

import io.xmppgrid.core.Audit;
import io.xmppgrid.core.Component;
import io.xmppgrid.core.Delivery;
import io.xmppgrid.core.pubsub.AccessModel;
import io.xmppgrid.core.pubsub.Affiliation;
import io.xmppgrid.core.pubsub.Item;
import io.xmppgrid.core.pubsub.Node;
import io.xmppgrid.core.pubsub.NodeConfig;
import io.xmppgrid.core.pubsub.NodeConfigForm;
import io.xmppgrid.core.pubsub.Page;
import io.xmppgrid.core.pubsub.PageRequest;
import io.xmppgrid.core.pubsub.PubSubError;
import io.xmppgrid.core.pubsub.PubSubService;
import io.xmppgrid.core.pubsub.Result;
import io.xmppgrid.core.pubsub.Subscription;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.StanzaError;
import io.xmppgrid.xmpp.Stanzas;
import io.xmppgrid.xmpp.XmlElement;
import io.xmppgrid.xmpp.XmlWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The XEP-0060 protocol at the broker's address: parses requests, calls {@link PubSubService},
 * and writes replies; errors go through {@link PubSubErrors}. Also answers service discovery for
 * the service and its nodes (RFC 8600 §6). The features it advertises are those of the operations
 * registered below, plus the access models the core knows.
 */
public final class PubSubComponent implements Component {

    private static final String OFFLINE_CACHE_LABEL = "Store notifications for offline subscribers (RFC 8600 §5)";
    public static final String PUBSUB = "http://jabber.org/protocol/pubsub";
    public static final String OWNER = "http://jabber.org/protocol/pubsub#owner";

    /** One protocol operation: where it lives on the wire, which feature it implements, what it does. */
    private record Op(String ns, String element, String iqType, String feature, boolean needsNode, Handler handler) {
    }

    @FunctionalInterface
    private interface Handler {
        XmlElement handle(Request r);
    }

    /** A parsed request: the IQ, the operation element, its siblings, the sender. */
    /** What a handler learned that the audit entry reuses (the payload size, measured once). */
    private static final class Note {
        int payloadBytes = -1;
    }

    private record Request(XmlElement iq, XmlElement pubsub, XmlElement op, Jid sender, Note note) {
        String node() {
            return op.attribute("node");
        }
    }

    private final Jid address;
    private final PubSubService service;
    private final Audit audit;
    private final List<Op> ops = new ArrayList<>();

    public PubSubComponent(Jid address, PubSubService service) {
        this(address, service, Audit.NONE);
    }

    /** Every state-changing request is recorded in {@code audit}, with its outcome. */
    public PubSubComponent(Jid address, PubSubService service, Audit audit) {
        this.address = address;
        this.service = service;
        this.audit = audit;
        register(PUBSUB, "create", "set", "create-nodes", false, this::create);
        register(PUBSUB, "publish", "set", "publish", true, this::publish);
        register(PUBSUB, "retract", "set", "retract-items", true, this::retract);
        register(PUBSUB, "subscribe", "set", "subscribe", true, this::subscribe);
        register(PUBSUB, "unsubscribe", "set", "subscribe", true, this::unsubscribe);
        register(PUBSUB, "items", "get", "retrieve-items", true, this::items);
        register(PUBSUB, "subscriptions", "get", "retrieve-subscriptions", false, this::ownSubscriptions);
        register(PUBSUB, "affiliations", "get", "retrieve-affiliations", false, this::ownAffiliations);
        register(OWNER, "configure", "get", "config-node", true, this::getConfiguration);
        register(OWNER, "configure", "set", "config-node", true, this::setConfiguration);
        register(OWNER, "default", "get", "retrieve-default", false, this::defaultConfiguration);
        register(OWNER, "delete", "set", "delete-nodes", true, this::delete);
        register(OWNER, "purge", "set", "purge-nodes", true, this::purge);
        register(OWNER, "subscriptions", "get", "manage-subscriptions", true, this::nodeSubscriptions);
        register(OWNER, "subscriptions", "set", "manage-subscriptions", true, this::setNodeSubscriptions);
        register(OWNER, "affiliations", "get", "modify-affiliations", true, this::nodeAffiliations);
        register(OWNER, "affiliations", "set", "modify-affiliations", true, this::setNodeAffiliations);
    }

    private void register(String ns, String element, String type, String feature, boolean needsNode, Handler h) {
        ops.add(new Op(ns, element, type, feature, needsNode, h));
    }

    @Override
    public Jid address() {
        return address;
    }

    @Override
    public String name() {
        return "XMPP-Grid broker";
    }

    /** The service's features (XEP-0060 §10), derived from the registered operations. */
    public List<String> features() {
        TreeSet<String> f = new TreeSet<>();
        f.add(PUBSUB);
        f.add(Ns.DISCO_INFO);
        f.add(Ns.DISCO_ITEMS);
        f.add(Rsm.NS);
        for (Op op : ops) {
            f.add(PUBSUB + "#" + op.feature());
        }
        for (AccessModel m : AccessModel.values()) {
            f.add(PUBSUB + "#access-" + m.wireName());
        }
        f.add(PUBSUB + "#instant-nodes");
        f.add(PUBSUB + "#create-and-configure");
        f.add(PUBSUB + "#publish-options");
        f.add(PUBSUB + "#persistent-items");
        f.add(PUBSUB + "#item-ids");
        f.add(PUBSUB + "#meta-data");
        f.add(PUBSUB + "#get-pending");
        f.add(PUBSUB + "#retrieve-default");
        return List.copyOf(f);
    }

    @Override
    public void handle(Jid sender, XmlElement stanza, Delivery d) {
        if (Stanzas.isMessage(stanza)) {
            approvalForm(sender, stanza, d);
            return;
        }
        if (!Stanzas.isIq(stanza)) {
            return;
        }
        String type = stanza.attribute("type");
        if (!"get".equals(type) && !"set".equals(type)) {
            return;
        }
        List<XmlElement> children = stanza.elements();
        if (children.size() != 1 || stanza.attribute("id") == null) {
            d.send(sender, Stanzas.error(stanza, StanzaError.BAD_REQUEST, null));
            return;
        }
        XmlElement child = children.get(0);
        XmlElement reply;
        if (child.is("query", Ns.DISCO_INFO) && "get".equals(type)) {
            reply = discoInfo(stanza, child);
        } else if (child.is("query", Ns.DISCO_ITEMS) && "get".equals(type)) {
            reply = discoItems(stanza, child, sender);
        } else if (child.is("pubsub", PUBSUB) || child.is("pubsub", OWNER)) {
            reply = pubsub(stanza, child, sender, type);
        } else {
            reply = Stanzas.error(stanza, StanzaError.SERVICE_UNAVAILABLE, null);
        }
        d.send(sender, reply);
    }

    private XmlElement pubsub(XmlElement iq, XmlElement pubsub, Jid sender, String type) {
        List<XmlElement> elements = pubsub.elements();
        if (elements.isEmpty()) {
            return Stanzas.error(iq, StanzaError.BAD_REQUEST, null);
        }
        XmlElement op = elements.get(0);
        for (Op candidate : ops) {
            if (candidate.ns().equals(pubsub.namespace()) && candidate.element().equals(op.name())
                    && candidate.iqType().equals(type) && pubsub.namespace().equals(op.namespace())) {
                if (candidate.needsNode() && op.attribute("node") == null) {
                    return PubSubErrors.reply(iq, PubSubError.NODEID_REQUIRED);
                }
                Request request = new Request(iq, pubsub, op, sender, new Note());
                XmlElement reply = candidate.handler().handle(request);
                if ("set".equals(type)) {
                    audit(request, candidate, reply);
                }
                return reply;
            }
        }
        // XEP-0060 §6.x: an operation we do not implement
        return PubSubErrors.reply(iq, StanzaError.FEATURE_NOT_IMPLEMENTED, "unsupported", op.name());
    }

    /**
     * One audit entry per state change (RFC 8600 §8.3.2): the operation, its Topic, the outcome
     * (ok or the error condition) and what it concerned: item ids and payload sizes, JIDs,
     * affiliations, configuration fields; never a payload (RFC 8600 §9).
     */
    private void audit(Request r, Op candidate, XmlElement reply) {
        XmlElement op = r.op();
        String action = (candidate.ns().equals(OWNER) ? "pubsub.owner." : "pubsub.") + candidate.element();
        String outcome = "error".equals(reply.attribute("type")) ? String.valueOf(Stanzas.errorCondition(reply)) : "ok";
        String node = op.attribute("node");
        if (node == null && candidate.element().equals("create")) {
            XmlElement created = reply.elements().isEmpty() ? null : reply.elements().get(0).child("create", PUBSUB);
            node = created == null ? null : created.attribute("node");
        }
        StringBuilder detail = new StringBuilder();
        for (XmlElement c : op.elements()) {
            switch (c.name()) {
                case "item" -> {
                    detail.append(detail.length() == 0 ? "" : ", ").append("item ").append(c.attribute("id"));
                    List<XmlElement> payload = c.elements();
                    if (!payload.isEmpty()) {
                        detail.append(" (").append(r.note().payloadBytes >= 0 ? r.note().payloadBytes
                                : XmlWriter.toXml(payload.get(0)).getBytes(StandardCharsets.UTF_8).length).append(" bytes)");
                    }
                }
                case "affiliation", "subscription" -> detail.append(detail.length() == 0 ? "" : ", ")
                        .append(c.attribute("jid")).append('=').append(c.attribute(c.name()));
                case "x" -> {
                    for (XmlElement field : c.elements()) {
                        if (!"FORM_TYPE".equals(field.attribute("var"))) {
                            detail.append(detail.length() == 0 ? "" : ", ").append(field.attribute("var"));
                        }
                    }
                }
                default -> {
                    // nothing worth recording
                }
            }
        }
        if (op.attribute("jid") != null) {
            detail.append(detail.length() == 0 ? "" : ", ").append("jid ").append(op.attribute("jid"));
        }
        audit.platform(r.sender(), action, node, outcome, detail.length() == 0 ? null : detail.toString());
    }

    // ------------------------------------------------------------------ discovery (XEP-0030, RFC 8600 §6)

    private XmlElement discoInfo(XmlElement iq, XmlElement query) {
        String nodeId = query.attribute("node");
        XmlElement.Builder q = XmlElement.builder("query", Ns.DISCO_INFO).attribute("node", nodeId);
        if (nodeId == null) {
            q.child(XmlElement.builder("identity", Ns.DISCO_INFO).attribute("category", "pubsub")
                    .attribute("type", "service").attribute("name", name()).build());
            for (String f : features()) {
                q.child(XmlElement.builder("feature", Ns.DISCO_INFO).attribute("var", f).build());
            }
            return Stanzas.iqResult(iq, q.build());
        }
        Result<Node> n = service.node(nodeId, null);
        if (!n.isOk()) {
            return PubSubErrors.reply(iq, n.error());
        }
        NodeConfig c = n.value().config();
        q.child(XmlElement.builder("identity", Ns.DISCO_INFO).attribute("category", "pubsub").attribute("type", "leaf").build());
        q.child(XmlElement.builder("feature", Ns.DISCO_INFO).attribute("var", PUBSUB).build());
        DataForm.Builder meta = DataForm.builder("result", NodeConfigForm.META_DATA)
                .field("pubsub#type", "text-single", "Payload type", c.payloadType() == null ? List.of() : List.of(c.payloadType()));
        if (c.title() != null) {
            meta.field("pubsub#title", "text-single", "A short name for the node", List.of(c.title()));
        }
        if (c.description() != null) {
            meta.field("pubsub#description", "text-single", "A description of the node", List.of(c.description()));
        }
        if (!c.offlineCache()) {
            // RFC 8600 §5: this Topic's messages must not be cached. Said only when it is so, so a
            // default Topic's meta-data stays exactly as in the RFC 8600 §6 transcript.
            meta.field(NodeConfigForm.OFFLINE_CACHE, "boolean", OFFLINE_CACHE_LABEL, List.of("0"));
        }
        q.child(meta.build());
        return Stanzas.iqResult(iq, q.build());
    }

    private XmlElement discoItems(XmlElement iq, XmlElement query, Jid sender) {
        PageRequest page;
        try {
            page = Rsm.request(query);
        } catch (Rsm.RsmException e) {
            return Stanzas.error(iq, e.unknownCursor() ? StanzaError.ITEM_NOT_FOUND : StanzaError.BAD_REQUEST, null);
        }
        String nodeId = query.attribute("node");
        XmlElement.Builder q = XmlElement.builder("query", Ns.DISCO_ITEMS).attribute("node", nodeId);
        if (nodeId == null) {
            // RFC 8600 §6: the Topics, each with its node id and name
            Page<Node> nodes = service.nodes(null, page).value();
            for (Node n : nodes.entries()) {
                q.child(XmlElement.builder("item", Ns.DISCO_ITEMS).attribute("node", n.id())
                        .attribute("name", n.config().title() == null ? n.id() : n.config().title())
                        .attribute("jid", address.toString()).build());
            }
            if (page != null || nodes.count() > nodes.entries().size()) {
                q.child(Rsm.result(nodes));
            }
            return Stanzas.iqResult(iq, q.build());
        }
        // XEP-0060 §5.5: the item ids of a node, for those who may read it (paged like items retrieval)
        Result<Page<Item>> got = service.items(nodeId, sender, null, null, page);
        if (!got.isOk()) {
            return PubSubErrors.reply(iq, got.error());
        }
        for (Item i : got.value().entries()) {
            q.child(XmlElement.builder("item", Ns.DISCO_ITEMS).attribute("jid", address.toString())
                    .attribute("name", i.id()).build());
        }
        q.child(Rsm.result(got.value()));
        return Stanzas.iqResult(iq, q.build());
    }

    // ------------------------------------------------------------------ entity use cases (XEP-0060 §6–§7)

    private XmlElement create(Request r) {
        XmlElement configure = r.pubsub().child("configure", PUBSUB);
        NodeConfig cfg = service.defaultConfig();
        XmlElement form = DataForm.find(configure);
        if (form != null) {
            Result<NodeConfig> applied = applyForm(cfg, form);
            if (!applied.isOk()) {
                return PubSubErrors.reply(r.iq(), applied.error());
            }
            cfg = applied.value();
        }
        String requested = r.node();
        Result<Node> created = service.create(requested, r.sender(), cfg);
        if (!created.isOk()) {
            return PubSubErrors.reply(r.iq(), created.error());
        }
        if (requested != null) {
            return Stanzas.iqResult(r.iq(), null); // RFC 8600 §6: an empty result
        }
        return Stanzas.iqResult(r.iq(), XmlElement.builder("pubsub", PUBSUB)
                .child(XmlElement.builder("create", PUBSUB).attribute("node", created.value().id()).build()).build());
    }

    private static Result<NodeConfig> applyForm(NodeConfig base, XmlElement form) {
        Map<String, List<String>> fields;
        try {
            fields = DataForm.fields(form);
        } catch (IllegalArgumentException e) {
            return Result.fail(PubSubError.INVALID_CONFIGURATION, e.getMessage());
        }
        String formType = fields.containsKey("FORM_TYPE") ? String.join("", fields.get("FORM_TYPE")) : null;
        if (formType != null && !formType.equals(NodeConfigForm.FORM_TYPE)) {
            return Result.fail(PubSubError.INVALID_CONFIGURATION, "FORM_TYPE " + formType);
        }
        return NodeConfigForm.apply(base, fields);
    }

    private XmlElement publish(Request r) {
        List<XmlElement> items = r.op().elements();
        if (items.size() > 1) {
            return PubSubErrors.reply(r.iq(), StanzaError.BAD_REQUEST, "invalid-payload", null);
        }
        XmlElement item = items.isEmpty() ? null : items.get(0);
        if (item != null && !item.is("item", PUBSUB)) {
            return Stanzas.error(r.iq(), StanzaError.BAD_REQUEST, null);
        }
        List<XmlElement> payloads = item == null ? List.of() : item.elements();
        if (payloads.size() > 1) {
            return PubSubErrors.reply(r.iq(), StanzaError.BAD_REQUEST, "invalid-payload", null);
        }
        XmlElement payload = payloads.isEmpty() ? null : payloads.get(0);
        Map<String, List<String>> preconditions = null;
        XmlElement options = DataForm.find(r.pubsub().child("publish-options", PUBSUB));
        if (options != null) {
            try {
                preconditions = DataForm.fields(options);
            } catch (IllegalArgumentException e) {
                return Stanzas.error(r.iq(), StanzaError.BAD_REQUEST, e.getMessage());
            }
        }
        int size = payload == null ? 0 : XmlWriter.toXml(payload).getBytes(StandardCharsets.UTF_8).length;
        r.note().payloadBytes = size;
        Result<Item> published = service.publish(r.node(), r.sender(), item != null, item == null ? null : item.attribute("id"),
                payload, size, preconditions);
        if (!published.isOk()) {
            return PubSubErrors.reply(r.iq(), published.error());
        }
        return Stanzas.iqResult(r.iq(), XmlElement.builder("pubsub", PUBSUB)
                .child(XmlElement.builder("publish", PUBSUB).attribute("node", r.node())
                        .child(XmlElement.builder("item", PUBSUB).attribute("id", published.value().id()).build()).build())
                .build());
    }

    private XmlElement retract(Request r) {
        List<XmlElement> items = r.op().elements();
        if (items.size() != 1 || !items.get(0).is("item", PUBSUB)) {
            return PubSubErrors.reply(r.iq(), PubSubError.ITEM_REQUIRED);
        }
        String notify = r.op().attribute("notify");
        Result<Void> done = service.retract(r.node(), r.sender(), items.get(0).attribute("id"),
                "true".equals(notify) || "1".equals(notify));
        return done.isOk() ? Stanzas.iqResult(r.iq(), null) : PubSubErrors.reply(r.iq(), done.error());
    }

    private XmlElement subscribe(Request r) {
        Jid jid = Jid.parseOrNull(r.op().attribute("jid"));
        if (jid == null) {
            return PubSubErrors.reply(r.iq(), PubSubError.INVALID_JID);
        }
        Result<Subscription> s = service.subscribe(r.node(), r.sender(), jid);
        if (!s.isOk()) {
            return PubSubErrors.reply(r.iq(), s.error());
        }
        return Stanzas.iqResult(r.iq(), XmlElement.builder("pubsub", PUBSUB).child(subscription(s.value(), true)).build());
    }

    private static XmlElement subscription(Subscription s, boolean withNode) {
        return XmlElement.builder("subscription", PUBSUB).attribute("node", withNode ? s.node() : null)
                .attribute("jid", s.jid().toString()).attribute("subscription", s.state().wireName())
                .attribute("subid", s.state() == Subscription.State.SUBSCRIBED || s.state() == Subscription.State.PENDING
                        ? s.subid() : null).build();
    }

    private XmlElement unsubscribe(Request r) {
        Jid jid = Jid.parseOrNull(r.op().attribute("jid"));
        if (jid == null) {
            return PubSubErrors.reply(r.iq(), PubSubError.INVALID_JID);
        }
        Result<Void> done = service.unsubscribe(r.node(), r.sender(), jid);
        return done.isOk() ? Stanzas.iqResult(r.iq(), null) : PubSubErrors.reply(r.iq(), done.error());
    }

    private XmlElement items(Request r) {
        List<String> ids = new ArrayList<>();
        for (XmlElement i : r.op().elements()) {
            if (i.is("item", PUBSUB) && i.attribute("id") != null) {
                ids.add(i.attribute("id"));
            }
        }
        Integer maxItems = null;
        if (r.op().attribute("max_items") != null) {
            try {
                maxItems = Integer.parseInt(r.op().attribute("max_items"));
            } catch (NumberFormatException e) {
                return Stanzas.error(r.iq(), StanzaError.BAD_REQUEST, "max_items is not a number");
            }
        }
        PageRequest page;
        try {
            page = Rsm.request(r.pubsub());
        } catch (Rsm.RsmException e) {
            return Stanzas.error(r.iq(), e.unknownCursor() ? StanzaError.ITEM_NOT_FOUND : StanzaError.BAD_REQUEST, null);
        }
        Result<Page<Item>> got = service.items(r.node(), r.sender(), ids, maxItems, page);
        if (!got.isOk()) {
            return PubSubErrors.reply(r.iq(), got.error());
        }
        XmlElement.Builder items = XmlElement.builder("items", PUBSUB).attribute("node", r.node());
        Result<io.xmppgrid.core.pubsub.Node> node = service.node(r.node(), r.sender());
        boolean publisher = node.isOk() && node.value().config().itemReply() == io.xmppgrid.core.pubsub.NodeConfig.ItemReply.PUBLISHER;
        for (Item i : got.value().entries()) {
            XmlElement.Builder item = XmlElement.builder("item", PUBSUB).attribute("id", i.id());
            if (publisher && i.publisher() != null) {
                item.attribute("publisher", i.publisher().toString()); // pubsub#itemreply=publisher
            }
            items.child(item.child(i.payload()).build());
        }
        XmlElement.Builder ps = XmlElement.builder("pubsub", PUBSUB).child(items.build());
        if (ids.isEmpty() && maxItems == null) {
            ps.child(Rsm.result(got.value())); // XEP-0059: the page, even when the client asked for none
        }
        return Stanzas.iqResult(r.iq(), ps.build());
    }

    private XmlElement ownSubscriptions(Request r) {
        List<Subscription> subs = service.subscriptionsOf(r.node(), r.sender()).value();
        XmlElement.Builder list = XmlElement.builder("subscriptions", PUBSUB).attribute("node", r.node());
        subs.forEach(s -> list.child(subscription(s, true)));
        return Stanzas.iqResult(r.iq(), XmlElement.builder("pubsub", PUBSUB).child(list.build()).build());
    }

    private XmlElement ownAffiliations(Request r) {
        Map<String, Affiliation> affs = service.affiliationsOf(r.node(), r.sender()).value();
        XmlElement.Builder list = XmlElement.builder("affiliations", PUBSUB).attribute("node", r.node());
        affs.forEach((node, a) -> list.child(XmlElement.builder("affiliation", PUBSUB).attribute("node", node)
                .attribute("affiliation", a.wireName()).build()));
        return Stanzas.iqResult(r.iq(), XmlElement.builder("pubsub", PUBSUB).child(list.build()).build());
    }

    // ------------------------------------------------------------------ owner use cases (XEP-0060 §8)

    private XmlElement configForm(String formType, NodeConfig c) {
        DataForm.Builder f = DataForm.builder("form", formType);
        for (Map.Entry<String, List<String>> e : NodeConfigForm.fields(c).entrySet()) {
            String type = switch (e.getKey()) {
                case "pubsub#persist_items", "pubsub#deliver_payloads", "pubsub#deliver_notifications",
                        "pubsub#notify_retract", "pubsub#notify_delete", NodeConfigForm.OFFLINE_CACHE -> "boolean";
                case "pubsub#access_model", "pubsub#publish_model", "pubsub#send_last_published_item",
                        "pubsub#notification_type" -> "list-single";
                default -> "text-single";
            };
            String label = e.getKey().equals(NodeConfigForm.OFFLINE_CACHE) ? OFFLINE_CACHE_LABEL : null;
            f.field(e.getKey(), type, label, e.getValue());
        }
        return f.build();
    }

    private XmlElement getConfiguration(Request r) {
        Result<NodeConfig> c = service.configuration(r.node(), r.sender());
        if (!c.isOk()) {
            return PubSubErrors.reply(r.iq(), c.error());
        }
        return Stanzas.iqResult(r.iq(), XmlElement.builder("pubsub", OWNER).child(XmlElement.builder("configure", OWNER)
                .attribute("node", r.node()).child(configForm(NodeConfigForm.FORM_TYPE, c.value())).build()).build());
    }

    private XmlElement setConfiguration(Request r) {
        XmlElement form = DataForm.find(r.op());
        if (form == null) {
            return Stanzas.error(r.iq(), StanzaError.BAD_REQUEST, "no configuration form");
        }
        if ("cancel".equals(form.attribute("type"))) {
            return Stanzas.iqResult(r.iq(), null);
        }
        Result<NodeConfig> current = service.configuration(r.node(), r.sender());
        if (!current.isOk()) {
            return PubSubErrors.reply(r.iq(), current.error());
        }
        Result<NodeConfig> applied = applyForm(current.value(), form);
        if (!applied.isOk()) {
            return PubSubErrors.reply(r.iq(), applied.error());
        }
        Result<Node> done = service.configure(r.node(), r.sender(), applied.value());
        return done.isOk() ? Stanzas.iqResult(r.iq(), null) : PubSubErrors.reply(r.iq(), done.error());
    }

    private XmlElement defaultConfiguration(Request r) {
        return Stanzas.iqResult(r.iq(), XmlElement.builder("pubsub", OWNER).child(XmlElement.builder("default", OWNER)
                .child(configForm(NodeConfigForm.FORM_TYPE, service.defaultConfig())).build()).build());
    }

    private XmlElement delete(Request r) {
        Result<Void> done = service.delete(r.node(), r.sender());
        return done.isOk() ? Stanzas.iqResult(r.iq(), null) : PubSubErrors.reply(r.iq(), done.error());
    }

    private XmlElement purge(Request r) {
        Result<Integer> done = service.purge(r.node(), r.sender());
        return done.isOk() ? Stanzas.iqResult(r.iq(), null) : PubSubErrors.reply(r.iq(), done.error());
    }

    private XmlElement nodeSubscriptions(Request r) {
        Result<List<Subscription>> subs = service.subscriptions(r.node(), r.sender());
        if (!subs.isOk()) {
            return PubSubErrors.reply(r.iq(), subs.error());
        }
        XmlElement.Builder list = XmlElement.builder("subscriptions", OWNER).attribute("node", r.node());
        for (Subscription s : subs.value()) {
            list.child(XmlElement.builder("subscription", OWNER).attribute("jid", s.jid().toString())
                    .attribute("subscription", s.state().wireName()).attribute("subid", s.subid()).build());
        }
        return Stanzas.iqResult(r.iq(), XmlElement.builder("pubsub", OWNER).child(list.build()).build());
    }

    private XmlElement setNodeSubscriptions(Request r) {
        Map<Jid, Subscription.State> changes = new LinkedHashMap<>();
        for (XmlElement s : r.op().elements()) {
            Jid jid = Jid.parseOrNull(s.attribute("jid"));
            Subscription.State state = Subscription.State.fromWire(s.attribute("subscription"));
            // Smack 4.4 writes these entries in the pubsub namespace instead of pubsub#owner: accept both
            if (!(s.is("subscription", OWNER) || s.is("subscription", PUBSUB)) || jid == null || state == null) {
                return Stanzas.error(r.iq(), StanzaError.BAD_REQUEST, "bad subscription entry");
            }
            changes.put(jid, state);
        }
        Result<Void> done = service.setSubscriptions(r.node(), r.sender(), changes);
        return done.isOk() ? Stanzas.iqResult(r.iq(), null) : PubSubErrors.reply(r.iq(), done.error());
    }

    private XmlElement nodeAffiliations(Request r) {
        Result<Map<Jid, Affiliation>> affs = service.affiliations(r.node(), r.sender());
        if (!affs.isOk()) {
            return PubSubErrors.reply(r.iq(), affs.error());
        }
        XmlElement.Builder list = XmlElement.builder("affiliations", OWNER).attribute("node", r.node());
        affs.value().forEach((jid, a) -> list.child(XmlElement.builder("affiliation", OWNER)
                .attribute("jid", jid.toString()).attribute("affiliation", a.wireName()).build()));
        return Stanzas.iqResult(r.iq(), XmlElement.builder("pubsub", OWNER).child(list.build()).build());
    }

    private XmlElement setNodeAffiliations(Request r) {
        Map<Jid, Affiliation> changes = new LinkedHashMap<>();
        for (XmlElement a : r.op().elements()) {
            Jid jid = Jid.parseOrNull(a.attribute("jid"));
            Affiliation aff = Affiliation.fromWire(a.attribute("affiliation"));
            if (!(a.is("affiliation", OWNER) || a.is("affiliation", PUBSUB)) || jid == null || aff == null) {
                return Stanzas.error(r.iq(), StanzaError.BAD_REQUEST, "bad affiliation entry");
            }
            changes.put(jid, aff);
        }
        Result<Void> done = service.setAffiliations(r.node(), r.sender(), changes);
        return done.isOk() ? Stanzas.iqResult(r.iq(), null) : PubSubErrors.reply(r.iq(), done.error());
    }

    // ------------------------------------------------------------------ XEP-0060 §8.6 approval by form

    private void approvalForm(Jid sender, XmlElement message, Delivery d) {
        XmlElement form = DataForm.find(message);
        if (form == null || !"submit".equals(form.attribute("type"))) {
            return;
        }
        Map<String, List<String>> f;
        try {
            f = DataForm.fields(form);
        } catch (IllegalArgumentException e) {
            d.send(sender, Stanzas.error(message, StanzaError.BAD_REQUEST, e.getMessage()));
            return;
        }
        if (!Notifier.SUBSCRIBE_AUTHORIZATION.equals(first(f, "FORM_TYPE"))) {
            return;
        }
        String node = first(f, "pubsub#node");
        Jid subscriber = Jid.parseOrNull(first(f, "pubsub#subscriber_jid"));
        String allow = first(f, "pubsub#allow");
        if (node == null || subscriber == null || allow == null) {
            d.send(sender, Stanzas.error(message, StanzaError.BAD_REQUEST, "incomplete authorization form"));
            return;
        }
        boolean yes = allow.equals("1") || allow.equals("true");
        Result<Void> done = service.setSubscriptions(node, sender,
                Map.of(subscriber, yes ? Subscription.State.SUBSCRIBED : Subscription.State.NONE));
        audit.platform(sender, yes ? "pubsub.owner.approve" : "pubsub.owner.deny", node,
                done.isOk() ? "ok" : done.error().toString(), "jid " + subscriber);
        if (!done.isOk()) {
            d.send(sender, PubSubErrors.reply(message, done.error()));
        }
    }

    private static String first(Map<String, List<String>> f, String var) {
        List<String> v = f.get(var);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
