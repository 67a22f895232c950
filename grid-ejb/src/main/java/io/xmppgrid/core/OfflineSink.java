package io.xmppgrid.core;

import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;

/**
 * Where a message goes when its addressee has no session (RFC 8600 §6: offline delivery is a
 * MUST). The offline-queue issue provides the persisted implementation; until then the message
 * is dropped with a log line.
 */
@FunctionalInterface
public interface OfflineSink {
    void store(Jid bareJid, XmlElement message);
}
