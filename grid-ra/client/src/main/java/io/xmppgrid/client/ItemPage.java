package io.xmppgrid.client;

import java.util.List;

/**
 * One XEP-0059 page of a Topic's items, oldest first: the items, the cursors to ask for the page before
 * ({@code first}) and after ({@code last}) it (null at either end of an empty page), and how many items the Topic
 * holds when the server says so (-1 otherwise).
 */
public record ItemPage(List<Item> items, String first, String last, int count) {

    /** A stored item: its id, its publisher (when the Topic names publishers, else null) and payload (XML text, or null). */
    public record Item(String id, String publisher, String payload) {
    }
}
