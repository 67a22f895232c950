package io.xmppgrid.xmpp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * An immutable XML element: a name in a namespace, attributes in document order, and
 * children that are either elements or text. The stream parser builds these from the
 * wire; code that answers builds them with {@link #builder(String, String)}; {@link XmlWriter}
 * turns them back into escaped bytes. There is no way to put unescaped text on the wire.
 */
public final class XmlElement {

    /** One attribute; {@code namespace} is null for the usual unqualified attributes. */
    public record Attribute(String namespace, String name, String value) {
        public Attribute {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    private final String name;
    private final String namespace;
    private final List<Attribute> attributes;
    private final List<Object> children; // XmlElement or String
    /**
     * This element's text as last serialized as a stanza's child (XmlWriter): a notification sent
     * to many subscribers shares its payload element, which is then serialized once, not once per
     * copy. Racy but safe: an immutable value, computed again at worst.
     */
    private Serialized serialized;

    /**
     * Text of an element serialized under a parent whose default namespace is {@code inherited}:
     * as a string, as UTF-8 bytes, or both (either may be null until first asked for). The array
     * is never changed once here (final field semantics make it safe to share without a lock).
     */
    record Serialized(String inherited, String xml, byte[] utf8) {
    }

    private XmlElement(String name, String namespace, List<Attribute> attributes, List<Object> children) {
        this.name = name;
        this.namespace = namespace;
        this.attributes = attributes;
        this.children = children;
    }

    public static Builder builder(String name, String namespace) {
        return new Builder(name, namespace);
    }

    /** An empty element, e.g. {@code <ping xmlns='urn:xmpp:ping'/>}. */
    public static XmlElement empty(String name, String namespace) {
        return new XmlElement(name, namespace, List.of(), List.of());
    }

    public String name() {
        return name;
    }

    public String namespace() {
        return namespace;
    }

    public List<Attribute> attributes() {
        return attributes;
    }

    Serialized serialized() {
        return serialized;
    }

    void serialized(Serialized s) {
        serialized = s;
    }

    /** Elements and text in document order. */
    public List<Object> content() {
        return children;
    }

    /** The value of an unqualified attribute, or null. */
    public String attribute(String attrName) {
        for (Attribute a : attributes) {
            if (a.namespace() == null && a.name().equals(attrName)) {
                return a.value();
            }
        }
        return null;
    }

    public String attribute(String attrNamespace, String attrName) {
        for (Attribute a : attributes) {
            if (Objects.equals(a.namespace(), attrNamespace) && a.name().equals(attrName)) {
                return a.value();
            }
        }
        return null;
    }

    /** Child elements in order, without text. */
    public List<XmlElement> elements() {
        List<XmlElement> out = new ArrayList<>(children.size());
        for (Object c : children) {
            if (c instanceof XmlElement) {
                out.add((XmlElement) c);
            }
        }
        return out;
    }

    /** The first child element with this name and namespace, or null. */
    public XmlElement child(String childName, String childNamespace) {
        for (Object c : children) {
            if (c instanceof XmlElement) {
                XmlElement e = (XmlElement) c;
                if (e.name.equals(childName) && Objects.equals(e.namespace, childNamespace)) {
                    return e;
                }
            }
        }
        return null;
    }

    /** The concatenated text children (not descendants). */
    public String text() {
        StringBuilder sb = null;
        String single = null;
        for (Object c : children) {
            if (c instanceof String) {
                if (single == null && sb == null) {
                    single = (String) c;
                } else {
                    if (sb == null) {
                        sb = new StringBuilder(single);
                    }
                    sb.append((String) c);
                }
            }
        }
        return sb != null ? sb.toString() : single == null ? "" : single;
    }

    public boolean is(String expectedName, String expectedNamespace) {
        return name.equals(expectedName) && Objects.equals(namespace, expectedNamespace);
    }

    /** A copy with one unqualified attribute set (added or replaced). */
    public XmlElement withAttribute(String attrName, String value) {
        List<Attribute> attrs = new ArrayList<>(attributes.size() + 1);
        boolean replaced = false;
        for (Attribute a : attributes) {
            if (a.namespace() == null && a.name().equals(attrName)) {
                if (value != null) {
                    attrs.add(new Attribute(null, attrName, value));
                }
                replaced = true;
            } else {
                attrs.add(a);
            }
        }
        if (!replaced && value != null) {
            attrs.add(new Attribute(null, attrName, value));
        }
        return new XmlElement(name, namespace, Collections.unmodifiableList(attrs), children);
    }

    public Builder toBuilder() {
        Builder b = new Builder(name, namespace);
        b.attributes.addAll(attributes);
        b.children.addAll(children);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof XmlElement)) {
            return false;
        }
        XmlElement e = (XmlElement) o;
        return name.equals(e.name) && Objects.equals(namespace, e.namespace)
                && attributes.equals(e.attributes) && children.equals(e.children);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, namespace, attributes, children);
    }

    /** The element serialized as XML (its namespace declared), for logs and tests. */
    @Override
    public String toString() {
        return XmlWriter.toXml(this);
    }

    /** Builds an element; not thread-safe, not reusable after {@link #build()}. */
    public static final class Builder {
        private final String name;
        private final String namespace;
        private final List<Attribute> attributes = new ArrayList<>();
        private final List<Object> children = new ArrayList<>();

        private Builder(String name, String namespace) {
            this.name = Objects.requireNonNull(name, "name");
            this.namespace = namespace;
        }

        /** Adds an attribute; a null value is skipped, so optional attributes read naturally. */
        public Builder attribute(String attrName, String value) {
            if (value != null) {
                attributes.add(new Attribute(null, attrName, value));
            }
            return this;
        }

        public Builder attribute(String attrNamespace, String attrName, String value) {
            if (value != null) {
                attributes.add(new Attribute(attrNamespace, attrName, value));
            }
            return this;
        }

        public Builder child(XmlElement child) {
            if (child != null) {
                children.add(child);
            }
            return this;
        }

        public Builder children(List<XmlElement> list) {
            children.addAll(list);
            return this;
        }

        /** Adds a child in the same namespace containing only text. */
        public Builder textChild(String childName, String text) {
            return child(builder(childName, namespace).text(text).build());
        }

        /** Adds text; adjacent text is merged, so a parsed element equals the one that was written. */
        public Builder text(String text) {
            if (text != null && !text.isEmpty()) {
                int last = children.size() - 1;
                if (last >= 0 && children.get(last) instanceof String) {
                    children.set(last, (String) children.get(last) + text);
                } else {
                    children.add(text);
                }
            }
            return this;
        }

        public XmlElement build() {
            return new XmlElement(name, namespace,
                    attributes.isEmpty() ? List.of() : Collections.unmodifiableList(new ArrayList<>(attributes)),
                    children.isEmpty() ? List.of() : Collections.unmodifiableList(new ArrayList<>(children)));
        }
    }
}
