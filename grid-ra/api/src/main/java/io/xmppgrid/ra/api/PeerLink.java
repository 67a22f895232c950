package io.xmppgrid.ra.api;

import java.time.Instant;

/**
 * A server-to-server link of this node (issue 24): the peer grid's domain, its direction ({@code in}: the peer
 * linked in), the connection's id and remote address, since when it is open, whether it authenticated, and the
 * stanzas it carried.
 */
public record PeerLink(String domain, String direction, String connectionId, String remoteAddress, Instant since,
                       boolean authenticated, long stanzas) {
}
