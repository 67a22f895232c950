package io.xmppgrid.core;

import io.xmppgrid.ra.api.SessionInfo;
import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.XmlElement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link Delivery} for tests of the core without a container: the domain {@code grid.local}, every account exists,
 * full JIDs have a session or none (as the test says), no bare JID has one; what is sent is recorded in order.
 */
public final class RecordingDelivery implements Delivery {

    public final List<XmlElement> sent = new ArrayList<>();
    private final boolean fullJidsOnline;

    /** No full JID has a session. */
    public RecordingDelivery() {
        this(false);
    }

    public RecordingDelivery(boolean fullJidsOnline) {
        this.fullJidsOnline = fullJidsOnline;
    }

    @Override
    public Jid domain() {
        return Jid.domain("grid.local");
    }

    @Override
    public Optional<SessionInfo> session(Jid fullJid) {
        return fullJidsOnline ? Optional.of(new SessionInfo(fullJid, "n", "c-1", Instant.EPOCH, "127.0.0.1", true, 0))
                : Optional.empty();
    }

    @Override
    public List<SessionInfo> sessions(Jid bareJid) {
        return List.of();
    }

    @Override
    public boolean send(Jid fullJid, XmlElement stanza) {
        sent.add(stanza);
        return true;
    }

    @Override
    public void presence(Jid fullJid, boolean available, int priority) {
    }

    @Override
    public boolean accountExists(String localpart) {
        return true;
    }
}
