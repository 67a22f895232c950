package io.xmppgrid.ra.api;

/** A session's traffic since it was bound: stanzas it sent (handed to the application) and stanzas sent to it. */
public record SessionTraffic(long stanzasIn, long stanzasOut) {

    public static final SessionTraffic NONE = new SessionTraffic(0, 0);
}
