package io.xmppgrid.ejb.cluster;

import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Stanzas of one ordering key for sessions of one node, as they cross to it: one stanza for one session, or one
 * notification for several sessions (each copy addressed to its session, RFC 8600 §6), whose text crosses once and
 * is parsed once there, so that its copies share the payload.
 */
final class Parcel implements Serializable {

    private static final long serialVersionUID = 1L;

    final String key;
    final String[] to;
    /**
     * For a notification's copies: each copy's {@code id}, and each gets its recipient as {@code to}; null: the
     * stanza goes as it is.
     */
    final String[] ids;
    /** The stanza's text (what crosses nodes); null for the node that made it. */
    final String xml;
    /** The stanza itself, on the node that made it (not sent). */
    final transient XmlElement element;

    Parcel(String key, String[] to, String[] ids, String xml, XmlElement element) {
        this.key = key;
        this.to = to;
        this.ids = ids;
        this.xml = xml;
        this.element = element;
    }

    /** The copies, once {@code stanza} (the element, or the text parsed) is known: recipient and stanza. */
    List<Object[]> copies(XmlElement stanza) {
        List<Object[]> out = new ArrayList<>(to.length);
        for (int i = 0; i < to.length; i++) {
            out.add(new Object[] {Jid.parse(to[i]), ids == null ? stanza : addressed(stanza, to[i], ids[i])});
        }
        return out;
    }

    /** A copy of {@code stanza} for one recipient: its {@code to}, then its {@code id} (as the original had them). */
    static XmlElement addressed(XmlElement stanza, String to, String id) {
        XmlElement c = stanza.withAttribute("to", to);
        return id == null ? c : c.withAttribute("id", id);
    }

    int size() {
        return to.length;
    }
}
