package io.xmppgrid.core;

import io.xmppgrid.xmpp.Jid;
import java.util.List;

/** What an IQ handler may know about the server it runs in. */
public interface IqContext {

    Jid domain();

    /** Who sent the request (the full JID of its session). */
    Jid sender();

    /** The features of every registered handler, sorted, for disco#info. */
    List<String> features();
}
