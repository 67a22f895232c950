package io.xmppgrid.ejb.offline;

import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * The operator's offline-storage settings, from system properties (config/install-grid.cli):
 * {@code grid.offline.maxMessages} and {@code grid.offline.maxBytes} per platform (a platform's
 * own limits, set through the admin API, take precedence), {@code grid.offline.maxAgeSeconds}
 * (0: stored messages never expire), {@code grid.offline.batch} (messages per delivery
 * transaction), and the share of one platform's queue that the messages of one other platform may
 * fill: {@code grid.offline.maxFromOneSender} messages and {@code grid.offline.maxBytesFromOneSender}
 * bytes (the broker's notifications are not counted against it).
 */
public record OfflineSettings(int maxMessages, long maxBytes, Duration maxAge, int batch, int maxFromOneSender,
                              long maxBytesFromOneSender) {

    private static final Logger LOG = Logger.getLogger(OfflineSettings.class);

    public static OfflineSettings fromSystem() {
        return new OfflineSettings(
                (int) number("grid.offline.maxMessages", 100_000, 0, Integer.MAX_VALUE),
                number("grid.offline.maxBytes", 256L * 1024 * 1024, 0, Long.MAX_VALUE),
                Duration.ofSeconds(number("grid.offline.maxAgeSeconds", 0, 0, 100L * 365 * 86400)),
                (int) number("grid.offline.batch", 200, 1, 5000),
                (int) number("grid.offline.maxFromOneSender", 10_000, 0, Integer.MAX_VALUE),
                number("grid.offline.maxBytesFromOneSender", 32L * 1024 * 1024, 0, Long.MAX_VALUE));
    }

    private static long number(String name, long dflt, long min, long max) {
        String v = System.getProperty(name);
        if (v == null) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < min || n > max) {
                throw new NumberFormatException("out of range");
            }
            return n;
        } catch (NumberFormatException e) {
            LOG.warnf("GRID0410: %s=%s is not a number from %d to %d; using %d", name, v, min, max, dflt);
            return dflt;
        }
    }
}
