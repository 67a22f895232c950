package io.xmppgrid.ra.api;

import java.time.Instant;

/**
 * A server-to-server link of this node (issue 24): the peer grid's domain, its direction ({@code in}: the peer
 * linked in; {@code out}: this node's link to the peer), the connection's id and remote address, since when it is
 * open, whether it authenticated, the stanzas it carried (acknowledged by the peer, for {@code out}), and the stanzas
 * waiting on this node for the peer ({@code out} only).
 */
public record PeerLink(String domain, String direction, String connectionId, String remoteAddress, Instant since,
                       boolean authenticated, long stanzas, long queued) {
}
