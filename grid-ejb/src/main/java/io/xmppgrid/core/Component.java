package io.xmppgrid.core;

import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;

/** A service with its own address (e.g. the pubsub service at broker.<domain>), listed in the domain's disco#items. */
public interface Component {

    Jid address();

    /** The human-readable name for disco#items. */
    String name();

    void handle(Jid sender, XmlElement stanza, Delivery delivery);
}
