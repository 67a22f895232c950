package io.xmppgrid.console.tls;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Client certificates the console's TLS listener refused, waiting to be put in the audit log (issue 19 §8: a refused
 * handshake never reaches the application, so without this a brute force against the console would be invisible).
 *
 * <p>Everything here is bounded, since a peer makes it grow: at most {@value #MAX_WAITING} refusals wait (beyond,
 * they are counted, not kept); each address is recorded at most once per {@value #WINDOW_MS} ms, and the next
 * refusal recorded from it carries how many were not; at most {@value #MAX_ADDRESSES} addresses are remembered
 * (the least recently seen is forgotten); names and reasons are cut to {@value #MAX_TEXT} characters with control
 * characters replaced. Each recorded refusal is also logged (GRID0931), under the same bounds.
 *
 * <p>One instance ({@link #SHARED}) lives in the server module and is shared by the listener's trust managers
 * and the application that drains it ({@link #take}); it is thread-safe.
 */
public final class RefusedHandshakes {

    /** A refused client certificate. {@code notRecordedBefore}: refusals from the same address since the last one recorded. */
    public record Refusal(Instant at, String address, String subject, String issuer, String reason, int notRecordedBefore,
                          long droppedBefore) {
    }

    static final int MAX_WAITING = 1_000;
    static final int MAX_ADDRESSES = 4_096;
    static final long WINDOW_MS = 10_000;
    static final int MAX_TEXT = 256;

    private static final Logger LOG = Logger.getLogger("io.xmppgrid.console.tls");

    /** The refusals of this server's console listener. */
    public static final RefusedHandshakes SHARED = new RefusedHandshakes(System::currentTimeMillis);

    private final LongSupplier clock;
    private final ArrayDeque<Refusal> waiting = new ArrayDeque<>();
    private final Map<String, long[]> addresses = new LinkedHashMap<>(256, 0.75f, true) { // {window start, not recorded}
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };
    private long dropped;

    RefusedHandshakes(LongSupplier clock) {
        this.clock = clock;
    }

    /** Notes that the listener refused {@code subject}'s certificate from {@code address}. */
    public void refused(String address, String subject, String issuer, String reason) {
        String addr = text(address == null ? "(unknown)" : address);
        Refusal recorded;
        synchronized (this) {
            long now = clock.getAsLong();
            long[] seen = addresses.get(addr);
            if (seen != null && now - seen[0] < WINDOW_MS) {
                seen[1]++;
                return;
            }
            int notRecorded = seen == null ? 0 : (int) Math.min(Integer.MAX_VALUE, seen[1]);
            addresses.put(addr, new long[] {now, 0});
            if (waiting.size() >= MAX_WAITING) {
                dropped++;
                return;
            }
            recorded = new Refusal(Instant.ofEpochMilli(now), addr, text(subject), text(issuer), text(reason), notRecorded,
                    dropped);
            dropped = 0;
            waiting.add(recorded);
        }
        LOG.log(Level.WARNING, "GRID0931: the console refused a client certificate from {0}: subject \"{1}\", issuer \"{2}\": {3}{4}",
                new Object[] {recorded.address(), recorded.subject(), recorded.issuer(), recorded.reason(),
                        (recorded.notRecordedBefore() > 0 ? " (" + recorded.notRecordedBefore() + " more from this address before, not recorded)" : "")
                                + (recorded.droppedBefore() > 0 ? " (" + recorded.droppedBefore() + " refusals dropped: too many waiting)" : "")});
    }

    /** Takes up to {@code max} waiting refusals, oldest first. */
    public synchronized List<Refusal> take(int max) {
        List<Refusal> out = new ArrayList<>(Math.min(max, waiting.size()));
        while (out.size() < max && !waiting.isEmpty()) {
            out.add(waiting.poll());
        }
        return out;
    }

    synchronized int addressesRemembered() {
        return addresses.size();
    }

    static String text(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_TEXT));
        for (int i = 0; i < s.length() && b.length() < MAX_TEXT; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        if (s.length() > MAX_TEXT) {
            b.setCharAt(MAX_TEXT - 1, '…');
        }
        return b.toString();
    }
}
