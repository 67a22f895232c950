package io.xmppgrid.ra.api;

/**
 * What the application says of a peer grid (issue 24): whether it may link ({@code enabled}), its
 * trust anchors (the peer grid's CA certificates, PEM) and the pin of its server key (hex SHA-256
 * of the SubjectPublicKeyInfo), or null when it is not pinned.
 */
public record PeerCredentials(String domain, boolean enabled, String trustAnchorsPem, String pin) {
}
