package io.xmppgrid.core.wire;

import io.xmppgrid.core.pubsub.Cursor;
import io.xmppgrid.core.pubsub.Page;
import io.xmppgrid.core.pubsub.PageRequest;
import io.xmppgrid.xmpp.XmlElement;

/** XEP-0059 result set management: requests in, pages out. Cursors are decoded to numbers here. */
public final class Rsm {

    public static final String NS = "http://jabber.org/protocol/rsm";

    private Rsm() {
    }

    /** Thrown for a request a server cannot honour: bad numbers (bad-request) or an unknown cursor (item-not-found). */
    public static final class RsmException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean unknownCursor;

        RsmException(String message, boolean unknownCursor) {
            super(message, null, false, false);
            this.unknownCursor = unknownCursor;
        }

        public boolean unknownCursor() {
            return unknownCursor;
        }
    }

    /** The page requested by a {@code <set/>} child of {@code parent}, or null when there is none. */
    public static PageRequest request(XmlElement parent) throws RsmException {
        XmlElement set = parent.child("set", NS);
        if (set == null) {
            return null;
        }
        int max = 0;
        XmlElement m = set.child("max", NS);
        if (m != null) {
            max = number(m.text(), "max");
        }
        Long after = null;
        Long before = null;
        boolean lastPage = false;
        Integer index = null;
        XmlElement a = set.child("after", NS);
        if (a != null) {
            after = Cursor.decode(a.text().trim());
            if (after == null) {
                throw new RsmException("unknown <after/> cursor", true);
            }
        }
        XmlElement b = set.child("before", NS);
        if (b != null) {
            if (b.text().trim().isEmpty()) {
                lastPage = true;
            } else {
                before = Cursor.decode(b.text().trim());
                if (before == null) {
                    throw new RsmException("unknown <before/> cursor", true);
                }
            }
        }
        XmlElement i = set.child("index", NS);
        if (i != null) {
            index = number(i.text(), "index");
        }
        return new PageRequest(max, after, before, lastPage, index);
    }

    private static int number(String s, String what) throws RsmException {
        try {
            int n = Integer.parseInt(s.trim());
            if (n < 0) {
                throw new RsmException(what + " is negative", false);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new RsmException(what + " is not a number", false);
        }
    }

    /** The {@code <set/>} describing a page (XEP-0059 §2.1). */
    public static XmlElement result(Page<?> page) {
        XmlElement.Builder set = XmlElement.builder("set", NS);
        if (page.first() != null) {
            set.child(XmlElement.builder("first", NS).attribute("index", Integer.toString(page.firstIndex()))
                    .text(page.first()).build());
            set.child(XmlElement.builder("last", NS).text(page.last()).build());
        }
        set.child(XmlElement.builder("count", NS).text(Integer.toString(page.count())).build());
        return set.build();
    }
}
