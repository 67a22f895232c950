package io.xmppgrid.core.pubsub;

import io.xmppgrid.xmpp.XmlElement;

/**
 * Checks a payload beyond its root namespace (for IODEF 2.0: the RFC 7970 schema). Returns null
 * when the payload is acceptable, otherwise why not.
 */
@FunctionalInterface
public interface PayloadValidator {
    String problem(String payloadType, XmlElement payload);

    PayloadValidator ACCEPT_ALL = (type, payload) -> null;
}
