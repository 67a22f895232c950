package io.xmppgrid.xmpp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Serializes {@link XmlElement}s with escaping. A namespace is declared with {@code xmlns}
 * where an element's namespace differs from its parent's, so a stanza written inside a
 * {@code jabber:client} stream carries no redundant declaration. Attributes in the XML
 * namespace use the {@code xml:} prefix; other qualified attributes get a declared prefix.
 */
public final class XmlWriter {

    public static final String XML_NS = "http://www.w3.org/XML/1998/namespace";

    private XmlWriter() {
    }

    /** Serializes with every namespace declared (standalone document fragment). */
    public static String toXml(XmlElement e) {
        return toXml(e, null);
    }

    /** Serializes as a child of a parent whose default namespace is {@code inheritedNamespace}. */
    public static String toXml(XmlElement e, String inheritedNamespace) {
        StringBuilder sb = new StringBuilder(128);
        write(sb, e, inheritedNamespace, true);
        return sb.toString();
    }

    public static void write(StringBuilder sb, XmlElement e, String inheritedNamespace) {
        write(sb, e, inheritedNamespace, false);
    }

    /**
     * With {@code keepChildren}, the element's child elements keep their text (see XmlElement), so
     * copies of a stanza that share them (one notification per subscriber) serialize them once.
     */
    private static void write(StringBuilder sb, XmlElement e, String inheritedNamespace, boolean keepChildren) {
        sb.append('<').append(e.name());
        if (!Objects.equals(e.namespace(), inheritedNamespace)) {
            sb.append(" xmlns=\"");
            escapeAttribute(sb, e.namespace() == null ? "" : e.namespace());
            sb.append('"');
        }
        List<String> declared = null;
        for (XmlElement.Attribute a : e.attributes()) {
            sb.append(' ');
            if (a.namespace() == null) {
                sb.append(a.name());
            } else if (XML_NS.equals(a.namespace())) {
                sb.append("xml:").append(a.name());
            } else {
                if (declared == null) {
                    declared = new ArrayList<>();
                }
                int idx = declared.indexOf(a.namespace());
                if (idx < 0) {
                    declared.add(a.namespace());
                    idx = declared.size() - 1;
                    sb.append("xmlns:a").append(idx).append("=\"");
                    escapeAttribute(sb, a.namespace());
                    sb.append("\" ");
                }
                sb.append('a').append(idx).append(':').append(a.name());
            }
            sb.append("=\"");
            escapeAttribute(sb, a.value());
            sb.append('"');
        }
        List<Object> content = e.content();
        if (content.isEmpty()) {
            sb.append("/>");
            return;
        }
        sb.append('>');
        for (Object c : content) {
            if (c instanceof XmlElement child) {
                if (keepChildren) {
                    writeKept(sb, child, e.namespace());
                } else {
                    write(sb, child, e.namespace(), false);
                }
            } else {
                escapeText(sb, (String) c);
            }
        }
        sb.append("</").append(e.name()).append('>');
    }

    private static void writeKept(StringBuilder sb, XmlElement child, String inheritedNamespace) {
        XmlElement.Serialized kept = child.serialized();
        if (kept != null && Objects.equals(kept.inherited(), inheritedNamespace)) {
            sb.append(kept.xml());
            return;
        }
        int start = sb.length(); // written in place, its text kept for the next copy
        write(sb, child, inheritedNamespace, false);
        child.serialized(new XmlElement.Serialized(inheritedNamespace, sb.substring(start)));
    }

    public static void escapeText(StringBuilder sb, String s) {
        escape(sb, s, false);
    }

    public static void escapeAttribute(StringBuilder sb, String s) {
        escape(sb, s, true);
    }

    /** Appends {@code s}, escaped; runs that need no escaping are copied whole. */
    private static void escape(StringBuilder sb, String s, boolean attribute) {
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            String entity = entity(s.charAt(i), attribute);
            if (entity != null) {
                sb.append(s, start, i).append(entity);
                start = i + 1;
            }
        }
        if (start == 0) {
            sb.append(s); // nothing escaped: one copy
        } else {
            sb.append(s, start, s.length());
        }
    }

    private static String entity(char c, boolean attribute) {
        switch (c) {
            case '&': return "&amp;";
            case '<': return "&lt;";
            case '>': return "&gt;";
            default: break;
        }
        if (!attribute) {
            return null;
        }
        return switch (c) {
            case '"' -> "&quot;";
            case '\'' -> "&apos;";
            case '\n' -> "&#10;";
            case '\r' -> "&#13;";
            case '\t' -> "&#9;";
            default -> null;
        };
    }
}
