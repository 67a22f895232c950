package io.xmppgrid.ejb;

import jakarta.ejb.ApplicationException;

/** A refused administrative request; {@link #reason()} says which kind, the message says why. */
@ApplicationException(rollback = true)
public class AdminException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Kinds of refusal, mapped to HTTP statuses by the admin API. */
    /** UNAVAILABLE: another node, or a part of this one, could not do it now (try again). */
    public enum Reason { INVALID, CONFLICT, NOT_FOUND, UNAVAILABLE }

    private final Reason reason;

    public AdminException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
