package io.xmppgrid.ra;

import java.util.Map;

/**
 * New connections per second from one address (grid.connectionRatePerAddress), as a token bucket per address that
 * holds {@code burst} tokens and refills at {@code perSecond}. Each connection costs a TLS handshake before anything
 * else can be refused, so a client that reconnects in a loop (to start SASL afresh after its attempts ran out, say)
 * takes CPU from every platform of the node: past its rate, its connections are closed as they are accepted. At most
 * {@value #ADDRESSES} addresses are remembered, the least recently seen forgotten first (never all at once).
 */
final class ConnectionRate {

    static final int ADDRESSES = 100_000;

    private final double perSecond;
    private final double burst;
    private final Map<String, double[]> buckets = Lru.of(ADDRESSES);

    /** {@code perSecond} 0: unlimited. */
    ConnectionRate(int perSecond, int burst) {
        this.perSecond = perSecond;
        this.burst = Math.max(1, Math.max(burst, perSecond));
    }

    /** Whether a connection from {@code host} at {@code nanos} is within its rate (and counts it when it is). */
    boolean allow(String host, long nanos) {
        if (perSecond <= 0) {
            return true;
        }
        synchronized (buckets) {
            double[] b = buckets.get(host); // {tokens, last refill in ns}
            if (b == null) {
                buckets.put(host, new double[] {burst - 1, nanos});
                return true;
            }
            double tokens = Math.min(burst, b[0] + (nanos - b[1]) / 1e9 * perSecond);
            b[1] = nanos;
            if (tokens < 1) {
                b[0] = tokens;
                return false;
            }
            b[0] = tokens - 1;
            return true;
        }
    }
}
