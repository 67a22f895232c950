package io.xmppgrid.core.pubsub;

/**
 * A XEP-0059 request, already parsed and validated: at most {@code max} entries, after or
 * before a position (a sequence number decoded from a cursor), or from an index. {@code before}
 * with no position (the empty {@code <before/>}) asks for the last page.
 */
public record PageRequest(int max, Long after, Long before, boolean lastPage, Integer index) {

    public static PageRequest first(int max) {
        return new PageRequest(max, null, null, false, null);
    }
}
