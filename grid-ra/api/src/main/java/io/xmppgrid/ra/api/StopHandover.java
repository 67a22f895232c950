package io.xmppgrid.ra.api;

import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;
import java.util.List;

/**
 * Where a stopping listener hands what its sessions had not acknowledged ({@link XmppConnection#onStop}). When the
 * application server suspends (a graceful shutdown), it deactivates the stanza bean before the adapter ends the
 * sessions, so {@link StanzaListener#onUndelivered} can no longer take those messages; the adapter hands them here
 * instead, on the stopping thread, and the application stores them or routes them to the platform's sessions on
 * other nodes. Without a handover they are lost (logged).
 */
public interface StopHandover {

    /** The listener stops: it accepts no connection and holds no session any more, from now on. */
    void stopping();

    /**
     * Where this listener's clients may connect instead ({@code host:port} of another node's listener), asked once
     * after {@link #stopping()}: each session then ends with RFC 6120 §4.9.3.19 {@code <see-other-host/>} naming it,
     * rather than {@code <system-shutdown/>}. Null: nowhere known.
     */
    default String alternate() {
        return null;
    }

    /**
     * Messages that may not have reached this session's peer (unacknowledged under XEP-0198, or held back behind stored
     * messages), for the application to route again as RFC 6121 §8.5.3.2.1 says. May block; called once per session.
     */
    void undelivered(Jid fullJid, List<XmlElement> stanzas);

    /** Every session of the listener has ended and what it had was handed over. */
    void stopped();

    /** The listener started (again): it holds sessions from now on. */
    void started();
}
