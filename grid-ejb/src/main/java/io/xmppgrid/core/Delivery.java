package io.xmppgrid.core;

import io.xmppgrid.ra.api.SessionInfo;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;
import java.util.List;
import java.util.Optional;

/** What routing needs from the outside world: sessions, sending, and which accounts exist. */
public interface Delivery {

    Jid domain();

    Optional<SessionInfo> session(Jid fullJid);

    List<SessionInfo> sessions(Jid bareJid);

    /** Sends to a full JID; false when that session is gone. */
    boolean send(Jid fullJid, XmlElement stanza);

    /** Sends so that stanzas with the same key from different transactions leave in commit order. */
    default boolean send(Jid fullJid, XmlElement stanza, String orderingKey) {
        return send(fullJid, stanza);
    }

    void presence(Jid fullJid, boolean available, int priority);

    boolean accountExists(String localpart);

    /**
     * Whether {@code address} is at a peer grid this grid federates with now (issue 24: its domain, or a subdomain of
     * it, is a configured peer that is not revoked). Never true for this grid's own domain or its subdomains.
     */
    default boolean atPeer(Jid address) {
        return false;
    }

    /**
     * Hands a stanza for an address at a peer grid to this node's link to it ({@link #atPeer}); false when the peer's
     * queue is full (nothing was queued). With an {@code orderingKey}, in commit order as {@link #send(Jid, XmlElement,
     * String)}.
     */
    default boolean sendToPeer(Jid address, XmlElement stanza, String orderingKey) {
        return false;
    }
}
