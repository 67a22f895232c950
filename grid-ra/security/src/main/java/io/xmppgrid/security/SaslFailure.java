package io.xmppgrid.security;

/**
 * A SASL negotiation failed; {@link #condition()} is the RFC 6120 §6.5 failure condition
 * ({@code not-authorized}, {@code malformed-request}, {@code invalid-authzid}, ...) and the
 * message says why, for the server log (never sent to the peer beyond the condition).
 */
public final class SaslFailure extends Exception {
    private static final long serialVersionUID = 1L;

    private final String condition;

    public SaslFailure(String condition, String message) {
        super(message, null, false, false);
        this.condition = condition;
    }

    public String condition() {
        return condition;
    }

    public static SaslFailure malformed(String why) {
        return new SaslFailure("malformed-request", why);
    }

    public static SaslFailure notAuthorized(String why) {
        return new SaslFailure("not-authorized", why);
    }
}
