package io.xmppgrid.ra.api;

import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;

/** A stanza as the adapter hands it over: who sent it, on which connection, and the stanza. */
public record InboundStanza(String connectionId, Jid sender, XmlElement stanza) {
}
