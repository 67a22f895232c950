package io.xmppgrid.core;

import io.xmppgrid.xmpp.Jid;

/**
 * Where the broker records what platforms did (RFC 8600 §8.3.2 auditable logs): an action
 * ({@code pubsub.publish}, {@code pubsub.subscribe}, ...), its target (a Topic), the outcome
 * ({@code ok} or the error condition) and details such as item ids and sizes, never payloads
 * (RFC 8600 §9). Recording happens in the caller's transaction.
 */
@FunctionalInterface
public interface Audit {

    void platform(Jid actor, String action, String target, String outcome, String detail);

    /** Records nothing (unit tests of other parts). */
    Audit NONE = (actor, action, target, outcome, detail) -> { };
}
