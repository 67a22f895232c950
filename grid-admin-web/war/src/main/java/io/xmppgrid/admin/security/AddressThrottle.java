package io.xmppgrid.admin.security;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed sign-ins per IP address in a fixed window (an address over the limit is refused
 * until its window ends), and a bound on how often refusals from one address are recorded
 * (one audit entry per address per {@value #RECORD_EVERY_MS} ms). Bounded in size: at most
 * {@value #MAX_ADDRESSES} addresses are tracked; beyond, the least recently seen is forgotten (never the whole table,
 * which would lift the throttle of the address under attack).
 */
final class AddressThrottle {

    static final long RECORD_EVERY_MS = 2_000;
    private static final int MAX_ADDRESSES = 100_000;

    private final int maxFailures;
    private final long windowMs;
    private final Map<String, long[]> failures = bounded();
    private final Map<String, Long> recorded = bounded();

    private static <V> Map<String, V> bounded() {
        return java.util.Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > MAX_ADDRESSES;
            }
        });
    }

    AddressThrottle(int maxFailures, int windowSeconds) {
        this.maxFailures = maxFailures;
        this.windowMs = windowSeconds * 1000L;
    }

    boolean blocked(String address) {
        long[] f = failures.get(address);
        return f != null && System.currentTimeMillis() - f[1] < windowMs && f[0] >= maxFailures;
    }

    void failed(String address) {
        long now = System.currentTimeMillis();
        failures.compute(address, (k, f) -> f == null || now - f[1] >= windowMs ? new long[] {1, now} : new long[] {f[0] + 1, f[1]});
    }

    void succeeded(String address) {
        failures.remove(address);
    }

    boolean shouldRecord(String address) {
        long now = System.currentTimeMillis();
        boolean[] record = {false};
        recorded.compute(address, (k, last) -> {
            if (last == null || now - last >= RECORD_EVERY_MS) {
                record[0] = true;
                return now;
            }
            return last;
        });
        return record[0];
    }
}
