package io.xmppgrid.ra.api;

/**
 * The second message-listener interface: the adapter asks the application for a platform's
 * credentials while it negotiates SASL, so that accounts live in the application's database
 * and the adapter never sees a password.
 */
public interface PlatformDirectory {

    /**
     * The credentials of the platform with this (normalized) localpart, or null when no such
     * platform exists.
     */
    PlatformCredentials lookup(String localpart);

    /** The outcome of a self-registration. */
    enum Registration { PENDING, CONFLICT, NOT_ACCEPTABLE, TOO_MANY }

    /**
     * XEP-0077 in-band registration (when the operator allows it): creates the platform with
     * these SCRAM credentials in the {@code pending} state, in which it cannot log in until an
     * administrator approves it; {@code address} is the peer's, for the audit log.
     */
    Registration register(String localpart, String password, String address);

    /**
     * How many platforms keep SCRAM keys of this hash ({@code SHA-256}, {@code SHA-1}) at each iteration count, so
     * that a simulated exchange for an unknown name can look like one of theirs (no enumeration).
     */
    java.util.Map<Integer, Long> scramIterations(String hash);

    /**
     * The peer grid configured for this domain (federation, issue 24), revoked ones included, or null when the
     * domain is not a configured peer.
     */
    default PeerCredentials peer(String domain) {
        return null;
    }
}
