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
}
