package io.xmppgrid.xmpp;

import java.nio.charset.StandardCharsets;
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
        write(sb, e, inheritedNamespace, true, null);
        return sb.toString();
    }

    /**
     * As {@link #toXml(XmlElement, String)}, encoded as UTF-8: what goes on the wire. The child
     * elements' bytes are kept, so the copies of one notification (one per subscriber) encode the
     * payload once and each copy costs its own attributes and one array copy.
     */
    public static byte[] toUtf8(XmlElement e, String inheritedNamespace) {
        StringBuilder sb = new StringBuilder(128);
        Utf8 out = new Utf8();
        write(sb, e, inheritedNamespace, true, out);
        out.append(sb);
        return out.toArray();
    }

    public static void write(StringBuilder sb, XmlElement e, String inheritedNamespace) {
        write(sb, e, inheritedNamespace, false, null);
    }

    /**
     * With {@code keepChildren}, the element's child elements keep their text (see XmlElement), so
     * copies of a stanza that share them (one notification per subscriber) serialize them once.
     * With {@code utf8}, kept children go there as bytes (what is in {@code sb} before them first).
     */
    private static void write(StringBuilder sb, XmlElement e, String inheritedNamespace, boolean keepChildren,
                              Utf8 utf8) {
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
                if (!keepChildren) {
                    write(sb, child, e.namespace(), false, null);
                } else if (utf8 == null) {
                    writeKept(sb, child, e.namespace());
                } else {
                    writeKept(sb, child, e.namespace(), utf8);
                }
            } else {
                escapeText(sb, (String) c);
            }
        }
        sb.append("</").append(e.name()).append('>');
    }

    /** The child's kept serialization under this parent namespace, or null (none yet, or another namespace's). */
    private static XmlElement.Serialized kept(XmlElement child, String inheritedNamespace) {
        XmlElement.Serialized kept = child.serialized();
        return kept != null && Objects.equals(kept.inherited(), inheritedNamespace) ? kept : null;
    }

    private static void writeKept(StringBuilder sb, XmlElement child, String inheritedNamespace) {
        XmlElement.Serialized kept = kept(child, inheritedNamespace);
        if (kept != null) {
            String xml = kept.xml();
            if (xml == null) { // kept as bytes only (written to a stream first): decode, keep both
                xml = new String(kept.utf8(), StandardCharsets.UTF_8);
                child.serialized(new XmlElement.Serialized(inheritedNamespace, xml, kept.utf8()));
            }
            sb.append(xml);
            return;
        }
        int start = sb.length(); // written in place, its text kept for the next copy
        write(sb, child, inheritedNamespace, false, null);
        child.serialized(new XmlElement.Serialized(inheritedNamespace, sb.substring(start), null));
    }

    private static void writeKept(StringBuilder sb, XmlElement child, String inheritedNamespace, Utf8 utf8) {
        XmlElement.Serialized kept = kept(child, inheritedNamespace);
        byte[] bytes;
        if (kept != null) {
            bytes = kept.utf8();
            if (bytes == null) { // kept as text only: encode, keep both
                bytes = kept.xml().getBytes(StandardCharsets.UTF_8);
                child.serialized(new XmlElement.Serialized(inheritedNamespace, kept.xml(), bytes));
            }
        } else {
            StringBuilder own = new StringBuilder(256);
            write(own, child, inheritedNamespace, false, null);
            bytes = own.toString().getBytes(StandardCharsets.UTF_8);
            child.serialized(new XmlElement.Serialized(inheritedNamespace, null, bytes));
        }
        utf8.append(sb);
        sb.setLength(0);
        utf8.append(bytes);
    }

    /** The parts of a stanza's UTF-8 (its own text, its kept children's bytes), joined into one exact array. */
    private static final class Utf8 {
        private final List<byte[]> parts = new ArrayList<>(4);
        private int length;

        void append(byte[] b) {
            parts.add(b);
            length += b.length;
        }

        /** Encodes as String.getBytes would (an unpaired surrogate becomes '?'). */
        void append(CharSequence s) {
            if (s.length() > 0) {
                append(s.toString().getBytes(StandardCharsets.UTF_8));
            }
        }

        byte[] toArray() {
            if (parts.size() == 1) {
                return parts.get(0); // the element's own text (kept bytes always follow some of it): not shared
            }
            byte[] all = new byte[length];
            int at = 0;
            for (byte[] p : parts) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            return all;
        }
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
