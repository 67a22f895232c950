package io.xmppgrid.ra.api;

/**
 * What the adapter's listener has seen on this node: open connections, live sessions (bound or
 * awaiting resumption), stanzas handed to the application and stanzas the application sent to
 * sessions, since the listener started.
 */
public record ServerStatistics(int connections, int sessions, long stanzasIn, long stanzasOut) {
}
