package io.xmppgrid.ra.api;

/**
 * What an outbound link to a peer grid found (issue 24): whether it authenticated both ways; else the stage
 * that failed ({@code connect}, {@code stream}, {@code starttls}, {@code tls}, {@code certificate}, {@code sasl})
 * and why; the peer server's certificate fingerprint (SHA-256) and TLS protocol when TLS was reached.
 */
public record PeerProbe(boolean ok, String stage, String detail, String address, String peerCertificateSha256,
                        String tlsProtocol, long millis) {
}
