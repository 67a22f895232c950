package io.xmppgrid.core;

import io.xmppgrid.ra.api.SessionInfo;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.Ns;
import io.xmppgrid.xmpp.XmlElement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Delivery of a message to a platform's bare JID (RFC 6121 §8.5.2): to its available sessions,
 * else to its offline queue when the message may be stored, else nowhere. One place for the
 * rules the router, the pubsub notifier and re-routing of unacknowledged messages share.
 */
public final class BareJidDelivery {

    /** What became of the message. */
    public enum Outcome { DELIVERED, STORED, DROPPED, REFUSED }

    private final Delivery delivery;
    private final OfflineSink offline;
    private final boolean addressSessions;

    /** Messages keep the address they were sent to. */
    public BareJidDelivery(Delivery delivery, OfflineSink offline) {
        this(delivery, offline, false);
    }

    /**
     * With {@code addressSessions}, a message delivered live is addressed to each session's full
     * JID (the server's own messages, such as pubsub notifications, RFC 8600 §6); stored ones keep
     * the bare JID.
     */
    public BareJidDelivery(Delivery delivery, OfflineSink offline, boolean addressSessions) {
        this.delivery = delivery;
        this.offline = offline;
        this.addressSessions = addressSessions;
    }

    /**
     * Delivers {@code message} to the available sessions of {@code bare}: all of them when
     * {@code everyAvailable} (headlines, notifications), else those of highest priority (RFC 6121
     * §8.5.2.1.1). With none available it is stored when {@link #storable}, else dropped.
     */
    public Outcome deliver(Jid bare, XmlElement message, String orderingKey, boolean everyAvailable) {
        if (delivery.atPeer(bare)) {
            // a platform of a peer grid (issue 24): its own grid delivers or stores it; never this grid's offline queues
            return delivery.sendToPeer(bare, message, orderingKey) ? Outcome.DELIVERED : Outcome.REFUSED;
        }
        if (live(bare, message, orderingKey, everyAvailable)) {
            return Outcome.DELIVERED;
        }
        if (!storable(message)) {
            return Outcome.DROPPED; // RFC 6121 §8.5.2.2.1 headline; XEP-0334 no-store; RFC 8600 §5 no-cache Topics
        }
        return switch (offline.store(bare, message, () -> live(bare, message, orderingKey, everyAvailable))) {
            case STORED -> Outcome.STORED;
            case DELIVERED -> Outcome.DELIVERED;
            case FULL -> Outcome.REFUSED;
            case NO_ACCOUNT -> Outcome.DROPPED;
        };
    }

    private boolean live(Jid bare, XmlElement message, String orderingKey, boolean everyAvailable) {
        List<SessionInfo> available = new ArrayList<>();
        int best = Integer.MIN_VALUE;
        for (SessionInfo s : delivery.sessions(bare)) {
            if (s.available() && s.priority() >= 0) {
                available.add(s);
                best = Math.max(best, s.priority());
            }
        }
        boolean sent = false;
        for (SessionInfo s : available) {
            if (everyAvailable || s.priority() == best) {
                sent |= delivery.send(s.jid(), addressSessions ? message.withAttribute("to", s.jid().toString()) : message,
                        orderingKey);
            }
        }
        return sent;
    }

    /**
     * Whether offline storage may keep this message: types normal (or none) and chat (RFC 6121
     * §8.5.2.2.1), and no XEP-0334 {@code <no-store/>} hint (which notifications of Topics that
     * must not be cached carry, RFC 8600 §5).
     */
    public static boolean storable(XmlElement message) {
        String type = message.attribute("type");
        if (type != null && !type.equals("normal") && !type.equals("chat")) {
            return false;
        }
        return message.child("no-store", Ns.HINTS) == null;
    }

    /** The XEP-0203 {@code <delay/>} of a message that waited in offline storage (XEP-0160 §3). */
    public static XmlElement delayed(XmlElement message, Jid domain, Instant storedAt) {
        XmlElement delay = XmlElement.builder("delay", Ns.DELAY).attribute("from", domain.toString())
                .attribute("stamp", storedAt.truncatedTo(ChronoUnit.MILLIS).toString()).text("Offline Storage").build();
        return message.toBuilder().child(delay).build();
    }
}
