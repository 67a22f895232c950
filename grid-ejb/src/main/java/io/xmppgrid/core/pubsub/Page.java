package io.xmppgrid.core.pubsub;

import java.util.List;

/**
 * One page of a result set (XEP-0059): the entries, the total count, and the index of the first
 * entry. Cursors are opaque strings made by {@link Cursor}; they never reach a query as text.
 */
public record Page<T>(List<T> entries, int count, int firstIndex, String first, String last) {

    public Page {
        entries = List.copyOf(entries);
    }
}
