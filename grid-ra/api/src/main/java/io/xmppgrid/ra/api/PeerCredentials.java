package io.xmppgrid.ra.api;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the application says of a peer grid (issue 24): whether it may link ({@code enabled}), its
 * trust anchors (the peer grid's CA certificates, PEM), the pin of its server key (hex SHA-256
 * of the SubjectPublicKeyInfo, or null when it is not pinned), where its server listens
 * ({@code host[:port]}, {@code tls://host[:port]} for TLS from the first byte, or null: DNS SRV, else its domain on
 * 5269), and the rates its links may send at (its role
 * template's, as for a platform; 0: unlimited), shared by its links on one node.
 */
public record PeerCredentials(String domain, boolean enabled, String trustAnchorsPem, String pin, String address,
                              int stanzasPerSecond, int bytesPerSecond) {

    /** RFC 6120 §14.7: the registered port of server-to-server streams. */
    public static final int S2S_PORT = 5269;

    private static final Pattern HOST_PORT =
            Pattern.compile("([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])(?::(\\d{1,5}))?");

    /** Without an address: the peer's domain on 5269. */
    public PeerCredentials(String domain, boolean enabled, String trustAnchorsPem, String pin) {
        this(domain, enabled, trustAnchorsPem, pin, null);
    }

    /** Without rate limits. */
    public PeerCredentials(String domain, boolean enabled, String trustAnchorsPem, String pin, String address) {
        this(domain, enabled, trustAnchorsPem, pin, address, 0, 0);
    }

    /** XEP-0368: the port of server-to-server streams with TLS from the first byte, by convention. */
    public static final int S2S_DIRECT_TLS_PORT = 5270;

    /** The host and port to connect to: the configured address, else the domain on 5269. */
    public Endpoint endpoint() {
        return endpoint(address == null ? domain : address);
    }

    /** A server's host and port, and whether it takes TLS from the first byte (XEP-0368) instead of STARTTLS. */
    public record Endpoint(String host, int port, boolean directTls) {

        public Endpoint(String host, int port) {
            this(host, port, false);
        }

        @Override
        public String toString() {
            return (directTls ? "tls://" : "") + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * Parses {@code host[:port]} (STARTTLS; the port defaults to 5269) or {@code tls://host[:port]} (XEP-0368 direct
     * TLS; 5270); an IPv6 literal in brackets.
     *
     * @throws IllegalArgumentException when it is not of that form
     */
    public static Endpoint endpoint(String address) {
        String a = address == null ? "" : address;
        boolean directTls = a.startsWith("tls://");
        Matcher m = HOST_PORT.matcher(directTls ? a.substring(6) : a);
        if (!m.matches()) {
            throw new IllegalArgumentException("an address is host[:port] or tls://host[:port] (got " + address + ")");
        }
        int port = m.group(2) == null ? (directTls ? S2S_DIRECT_TLS_PORT : S2S_PORT) : Integer.parseInt(m.group(2));
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("a port is 1 to 65535 (got " + port + ")");
        }
        String host = m.group(1).startsWith("[") ? m.group(1).substring(1, m.group(1).length() - 1) : m.group(1);
        return new Endpoint(host, port, directTls);
    }
}
