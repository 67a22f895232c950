package io.xmppgrid.xmpp;

import java.util.List;

/** Small helpers over stanza elements (RFC 6120 §8): kinds, replies and errors. */
public final class Stanzas {

    private Stanzas() {
    }

    public static boolean isIq(XmlElement e) {
        return e.is("iq", Ns.CLIENT);
    }

    public static boolean isMessage(XmlElement e) {
        return e.is("message", Ns.CLIENT);
    }

    public static boolean isPresence(XmlElement e) {
        return e.is("presence", Ns.CLIENT);
    }

    public static boolean isStanza(XmlElement e) {
        return isIq(e) || isMessage(e) || isPresence(e);
    }

    /** An IQ result to {@code request}, addressed back to its sender, with an optional payload. */
    public static XmlElement iqResult(XmlElement request, XmlElement payload) {
        return XmlElement.builder("iq", Ns.CLIENT)
                .attribute("type", "result")
                .attribute("id", request.attribute("id"))
                .attribute("from", request.attribute("to"))
                .attribute("to", request.attribute("from"))
                .child(payload)
                .build();
    }

    /**
     * The error reply of RFC 6120 §8.3: same kind and id, from and to swapped, type error, and
     * the condition element. The original payload is not echoed (§8.3.1 makes it optional), so an
     * error never costs more bandwidth than the request that caused it.
     */
    public static XmlElement error(XmlElement request, StanzaError condition, String text) {
        return error(request, condition, text, null);
    }

    /** The same, with an application-specific condition element (RFC 6120 §8.3.2, e.g. XEP-0050's). */
    public static XmlElement error(XmlElement request, StanzaError condition, String text, XmlElement specific) {
        XmlElement.Builder err = XmlElement.builder("error", Ns.CLIENT)
                .attribute("type", condition.type())
                .child(XmlElement.empty(condition.condition(), Ns.STANZA_ERRORS));
        if (text != null) {
            err.child(XmlElement.builder("text", Ns.STANZA_ERRORS)
                    .attribute(XmlWriter.XML_NS, "lang", "en").text(text).build());
        }
        if (specific != null) {
            err.child(specific);
        }
        XmlElement.Builder b = XmlElement.builder(request.name(), Ns.CLIENT)
                .attribute("type", "error")
                .attribute("id", request.attribute("id"))
                .attribute("from", request.attribute("to"))
                .attribute("to", request.attribute("from"));
        return b.child(err.build()).build();
    }

    /** The condition name of an error stanza, or null. */
    public static String errorCondition(XmlElement stanza) {
        XmlElement error = stanza.child("error", Ns.CLIENT);
        if (error == null) {
            return null;
        }
        for (XmlElement c : error.elements()) {
            if (Ns.STANZA_ERRORS.equals(c.namespace()) && !"text".equals(c.name())) {
                return c.name();
            }
        }
        return null;
    }

    /**
     * The same element with every element of namespace {@code from} moved to {@code to}: a stanza of a
     * {@code jabber:server} stream handled as {@code jabber:client} (RFC 6120 §4.8.3: the two content namespaces
     * carry the same stanzas). Elements of other namespaces are kept as they are.
     */
    public static XmlElement inNamespace(XmlElement e, String from, String to) {
        List<Object> content = e.content();
        List<Object> moved = null;
        for (int i = 0; i < content.size(); i++) {
            if (content.get(i) instanceof XmlElement child) {
                XmlElement m = inNamespace(child, from, to);
                if (m != child) {
                    if (moved == null) {
                        moved = new java.util.ArrayList<>(content);
                    }
                    moved.set(i, m);
                }
            }
        }
        if (moved == null && !from.equals(e.namespace())) {
            return e; // nothing of that namespace in it: the same instance (its kept serialization too)
        }
        XmlElement.Builder b = XmlElement.builder(e.name(), from.equals(e.namespace()) ? to : e.namespace());
        for (XmlElement.Attribute a : e.attributes()) {
            b.attribute(a.namespace(), a.name(), a.value());
        }
        for (Object c : moved == null ? content : moved) {
            if (c instanceof XmlElement child) {
                b.child(child);
            } else {
                b.text((String) c);
            }
        }
        return b.build();
    }
}
