package io.xmppgrid.core.pubsub;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link NodeConfig} as XEP-0060 §16.4.3 {@code pubsub#node_config} fields (var → values), and
 * back. The XEP-0004 form itself is built by the wire layer; this is the field vocabulary.
 */
public final class NodeConfigForm {

    public static final String FORM_TYPE = "http://jabber.org/protocol/pubsub#node_config";
    public static final String META_DATA = "http://jabber.org/protocol/pubsub#meta-data";
    public static final String PUBLISH_OPTIONS = "http://jabber.org/protocol/pubsub#publish-options";
    /**
     * RFC 8600 §5: whether a Topic's notifications may be cached for offline subscribers. Not a
     * registered field, so its name is namespaced (XEP-0068 §3, Clark notation).
     */
    public static final String OFFLINE_CACHE = "{urn:xmppgrid:pubsub}offline_cache";

    private NodeConfigForm() {
    }

    /** The fields, in a stable order, for a configuration form. */
    public static Map<String, List<String>> fields(NodeConfig c) {
        Map<String, List<String>> f = new LinkedHashMap<>();
        f.put("pubsub#title", one(c.title()));
        f.put("pubsub#description", one(c.description()));
        f.put("pubsub#type", one(c.payloadType()));
        f.put("pubsub#access_model", List.of(c.accessModel().wireName()));
        f.put("pubsub#publish_model", List.of("publishers"));
        f.put("pubsub#persist_items", bool(c.persistItems()));
        f.put("pubsub#max_items", List.of(Integer.toString(c.maxItems())));
        f.put("pubsub#deliver_payloads", bool(c.deliverPayloads()));
        f.put("pubsub#deliver_notifications", bool(c.deliverNotifications()));
        f.put("pubsub#notify_retract", bool(c.notifyRetract()));
        f.put("pubsub#notify_delete", bool(c.notifyDelete()));
        f.put("pubsub#send_last_published_item", List.of(c.sendLastPublishedItem().wireName()));
        f.put("pubsub#notification_type", List.of(c.notificationType().wireName()));
        f.put("pubsub#itemreply", List.of(c.itemReply().wireName()));
        f.put(OFFLINE_CACHE, bool(c.offlineCache()));
        return f;
    }

    private static List<String> one(String v) {
        return v == null ? List.of() : List.of(v);
    }

    private static List<String> bool(boolean b) {
        return List.of(b ? "1" : "0");
    }

    /**
     * Applies submitted fields to {@code base}. Unknown fields, bad values and access models other
     * than authorize/whitelist are refused (RFC 8600 §8.3.3).
     */
    public static Result<NodeConfig> apply(NodeConfig base, Map<String, List<String>> submitted) {
        String title = base.title();
        String description = base.description();
        String type = base.payloadType();
        AccessModel access = base.accessModel();
        boolean persist = base.persistItems();
        int maxItems = base.maxItems();
        boolean payloads = base.deliverPayloads();
        boolean notifications = base.deliverNotifications();
        boolean notifyRetract = base.notifyRetract();
        boolean notifyDelete = base.notifyDelete();
        NodeConfig.SendLastPublished sendLast = base.sendLastPublishedItem();
        NodeConfig.NotificationType notificationType = base.notificationType();
        boolean offlineCache = base.offlineCache();
        NodeConfig.ItemReply itemReply = base.itemReply();
        for (Map.Entry<String, List<String>> e : submitted.entrySet()) {
            String var = e.getKey();
            List<String> values = e.getValue();
            String v = values.isEmpty() ? "" : values.get(0);
            if (values.size() > 1) {
                return invalid(var + " takes one value");
            }
            switch (var) {
                case "FORM_TYPE":
                    break;
                case "pubsub#title":
                    title = v.isEmpty() ? null : v;
                    break;
                case "pubsub#description":
                    description = v.isEmpty() ? null : v;
                    break;
                case "pubsub#type":
                    type = v.isEmpty() ? null : v;
                    break;
                case "pubsub#access_model":
                    access = AccessModel.fromWire(v);
                    if (access == null) {
                        return Result.fail(PubSubError.UNSUPPORTED_ACCESS_MODEL, "access model " + v + " is not allowed");
                    }
                    break;
                case "pubsub#publish_model":
                    if (!v.equals("publishers")) {
                        return invalid("publish_model " + v + " is not supported");
                    }
                    break;
                case "pubsub#persist_items":
                    Boolean p = parseBool(v);
                    if (p == null) {
                        return invalid(var + " is not a boolean");
                    }
                    persist = p;
                    break;
                case "pubsub#max_items":
                    try {
                        maxItems = v.equals("max") ? Integer.MAX_VALUE : Integer.parseInt(v);
                    } catch (NumberFormatException ex) {
                        return invalid("max_items is not a number");
                    }
                    if (maxItems < 1) {
                        return invalid("max_items must be positive");
                    }
                    break;
                case "pubsub#deliver_payloads":
                case "pubsub#deliver_notifications":
                case "pubsub#notify_retract":
                case "pubsub#notify_delete":
                    Boolean b = parseBool(v);
                    if (b == null) {
                        return invalid(var + " is not a boolean");
                    }
                    switch (var) {
                        case "pubsub#deliver_payloads": payloads = b; break;
                        case "pubsub#deliver_notifications": notifications = b; break;
                        case "pubsub#notify_retract": notifyRetract = b; break;
                        default: notifyDelete = b; break;
                    }
                    break;
                case "pubsub#send_last_published_item":
                    sendLast = NodeConfig.SendLastPublished.fromWire(v);
                    if (sendLast == null) {
                        return invalid("send_last_published_item " + v + " is not supported");
                    }
                    break;
                case OFFLINE_CACHE:
                    Boolean cache = parseBool(v);
                    if (cache == null) {
                        return invalid(var + " is not a boolean");
                    }
                    offlineCache = cache;
                    break;
                case "pubsub#itemreply":
                    itemReply = NodeConfig.ItemReply.fromWire(v);
                    if (itemReply == null) {
                        return invalid("itemreply " + v + " is not supported");
                    }
                    break;
                case "pubsub#notification_type":
                    notificationType = NodeConfig.NotificationType.fromWire(v);
                    if (notificationType == null) {
                        return invalid("notification_type " + v + " is not supported");
                    }
                    break;
                default:
                    return invalid("unknown field " + var);
            }
        }
        return Result.ok(new NodeConfig(title, description, type, access, persist, maxItems, payloads, notifications,
                notifyRetract, notifyDelete, sendLast, notificationType, offlineCache, itemReply, base.overrides()));
    }

    /** XEP-0060 §7.1.5: whether every precondition equals the node's current value. */
    public static boolean matches(NodeConfig c, Map<String, List<String>> preconditions) {
        Map<String, List<String>> current = fields(c);
        for (Map.Entry<String, List<String>> e : preconditions.entrySet()) {
            if (e.getKey().equals("FORM_TYPE")) {
                continue;
            }
            List<String> have = current.get(e.getKey());
            if (have == null || !normalize(have).equals(normalize(e.getValue()))) {
                return false;
            }
        }
        return true;
    }

    private static List<String> normalize(List<String> values) {
        return values.stream().map(v -> v.equals("true") ? "1" : v.equals("false") ? "0" : v).toList();
    }

    private static Boolean parseBool(String v) {
        switch (v) {
            case "1":
            case "true":
                return Boolean.TRUE;
            case "0":
            case "false":
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    private static Result<NodeConfig> invalid(String why) {
        return Result.fail(PubSubError.INVALID_CONFIGURATION, why);
    }
}
