package io.xmppgrid.core.admin;

import io.xmppgrid.xmpp.Jid;
import io.xmppgrid.xmpp.StanzaError;
import java.util.List;

/**
 * What XEP-0133 service administration may do to platforms, and who may do it (the platform's
 * role template must grant {@code ADMINISTER}). Implemented by the container glue over the
 * same administration beans as the console and the API, with the same audit.
 */
public interface ServiceAdministration {

    /** Whether this platform may administer the service. */
    boolean mayAdminister(Jid actor);

    /** Creates a platform with SCRAM credentials (and the operator's default role). */
    void addUser(Jid actor, String localpart, String password);

    /** Deletes (revokes and clears) a platform. */
    void deleteUser(Jid actor, String localpart);

    /** Disables a platform: its sessions end, it cannot log in. */
    void disableUser(Jid actor, String localpart);

    /** Lets a disabled platform log in again. */
    void reenableUser(Jid actor, String localpart);

    /** Ends the sessions of a bare JID, or the one session of a full JID; returns how many. */
    int endSessions(Jid actor, Jid jid);

    /** Bare JIDs with at least one live session. */
    List<Jid> onlineUsers(Jid actor);

    /** A refusal, in the stanza error vocabulary. */
    final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final StanzaError condition;

        public Refused(StanzaError condition, String message) {
            super(message);
            this.condition = condition;
        }

        public StanzaError condition() {
            return condition;
        }
    }
}
