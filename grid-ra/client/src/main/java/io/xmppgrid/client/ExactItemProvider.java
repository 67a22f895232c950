package io.xmppgrid.client;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.provider.ExtensionElementProvider;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smack.xml.XmlPullParserException;
import org.jivesoftware.smackx.pubsub.Item;
import org.jivesoftware.smackx.pubsub.PayloadItem;
import org.jivesoftware.smackx.pubsub.SimplePayload;

/**
 * Reads a XEP-0060 {@code <item/>} with its payload as the publisher wrote it, namespace for namespace. Smack 4.4's own
 * item provider drops attribute prefixes ({@code xml:lang} comes out as {@code lang}, which RFC 7970's schema
 * refuses), so a consumer would get a document other than the one published. Registered for the event and the pubsub
 * namespaces by {@link GridClient}.
 */
final class ExactItemProvider extends ExtensionElementProvider<Item> {

    private static final String XML_NS = "http://www.w3.org/XML/1998/namespace";

    @Override
    public Item parse(XmlPullParser parser, int initialDepth, XmlEnvironment env) throws XmlPullParserException, IOException {
        String id = parser.getAttributeValue("", "id");
        String node = parser.getAttributeValue("", "node");
        String publisher = parser.getAttributeValue("", "publisher");
        Item.ItemNamespace ns = Item.ItemNamespace.fromXmlns(parser.getNamespace());
        String payload = null;
        while (true) {
            XmlPullParser.Event e = parser.next();
            if (e == XmlPullParser.Event.START_ELEMENT && payload == null) {
                payload = element(parser);
            } else if (e == XmlPullParser.Event.END_ELEMENT && parser.getDepth() == initialDepth) {
                break;
            } else if (e == XmlPullParser.Event.END_DOCUMENT) {
                throw new XmlPullParserException("the stream ended inside an item");
            }
        }
        return payload == null ? new EmptyItem(ns, id, node, publisher)
                : new WithPayload(ns, id, node, new SimplePayload(payload), publisher);
    }

    /** Who published an item, when the Topic says (pubsub#itemreply=publisher); else null. */
    static String publisher(Item item) {
        return item instanceof Published p ? p.publisher() : null;
    }

    /** An item that may name its publisher. */
    interface Published {
        String publisher();
    }

    static final class WithPayload extends PayloadItem<SimplePayload> implements Published {
        private final String publisher;

        WithPayload(Item.ItemNamespace ns, String id, String node, SimplePayload payload, String publisher) {
            super(ns, id, node, payload);
            this.publisher = publisher;
        }

        @Override
        public String publisher() {
            return publisher;
        }
    }

    static final class EmptyItem extends Item implements Published {
        private final String publisher;

        EmptyItem(Item.ItemNamespace ns, String id, String node, String publisher) {
            super(ns, id, node);
            this.publisher = publisher;
        }

        @Override
        public String publisher() {
            return publisher;
        }
    }

    /** The element the parser is at, to its end tag, as XML text with every namespace it uses declared. */
    static String element(XmlPullParser parser) throws XmlPullParserException, IOException {
        StringBuilder out = new StringBuilder(1024);
        Deque<Map<String, String>> scopes = new ArrayDeque<>();
        Map<String, String> root = new HashMap<>();
        root.put("xml", XML_NS);
        scopes.push(root);
        int depth = parser.getDepth();
        XmlPullParser.Event e = XmlPullParser.Event.START_ELEMENT;
        while (true) {
            switch (e) {
                case START_ELEMENT -> startTag(parser, out, scopes);
                case END_ELEMENT -> {
                    String prefix = parser.getPrefix();
                    out.append("</").append(prefix == null || prefix.isEmpty() ? "" : prefix + ":").append(parser.getName()).append('>');
                    scopes.pop();
                    if (parser.getDepth() == depth) {
                        return out.toString();
                    }
                }
                case TEXT_CHARACTERS, ENTITY_REFERENCE, IGNORABLE_WHITESPACE -> escape(out, parser.getText(), false);
                case END_DOCUMENT -> throw new XmlPullParserException("the stream ended inside a payload");
                default -> {
                    // comments and processing instructions are not part of the payload
                }
            }
            e = parser.next();
        }
    }

    private static void startTag(XmlPullParser parser, StringBuilder out, Deque<Map<String, String>> scopes) {
        Map<String, String> scope = new HashMap<>(scopes.peek());
        StringBuilder declarations = new StringBuilder();
        String prefix = parser.getPrefix() == null ? "" : parser.getPrefix();
        String ns = parser.getNamespace() == null ? "" : parser.getNamespace();
        declare(prefix, ns, scope, declarations);
        StringBuilder attributes = new StringBuilder();
        for (int i = 0; i < parser.getAttributeCount(); i++) {
            String an = parser.getAttributeNamespace(i) == null ? "" : parser.getAttributeNamespace(i);
            String ap = parser.getAttributePrefix(i) == null ? "" : parser.getAttributePrefix(i);
            if (!an.isEmpty() && ap.isEmpty()) {
                ap = "ns" + i; // a namespaced attribute always has a prefix; invent one if the parser lost it
            }
            if (!an.isEmpty()) {
                declare(ap, an, scope, declarations);
            }
            attributes.append(' ').append(an.isEmpty() ? "" : ap + ":").append(parser.getAttributeName(i)).append("=\"");
            escape(attributes, parser.getAttributeValue(i), true);
            attributes.append('"');
        }
        out.append('<').append(prefix.isEmpty() ? "" : prefix + ":").append(parser.getName()).append(declarations)
                .append(attributes).append('>');
        scopes.push(scope);
    }

    private static void declare(String prefix, String ns, Map<String, String> scope, StringBuilder declarations) {
        if (prefix.equals("xml") || ns.equals(scope.getOrDefault(prefix, ""))) {
            return;
        }
        scope.put(prefix, ns);
        declarations.append(prefix.isEmpty() ? " xmlns=\"" : " xmlns:" + prefix + "=\"");
        escape(declarations, ns, true);
        declarations.append('"');
    }

    private static void escape(StringBuilder out, String s, boolean attribute) {
        if (s == null) {
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append(attribute ? "&quot;" : "\"");
                case '\r' -> out.append("&#13;");
                case '\t' -> out.append(attribute ? "&#9;" : "\t");
                case '\n' -> out.append(attribute ? "&#10;" : "\n");
                default -> out.append(c);
            }
        }
    }
}
