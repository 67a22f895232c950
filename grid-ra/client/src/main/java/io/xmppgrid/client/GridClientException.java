package io.xmppgrid.client;

/**
 * Why an operation of the grid failed, in one vocabulary: the XMPP error condition the server gave (RFC 6120 §8.3.3,
 * e.g. {@code not-authorized}, {@code forbidden}, {@code item-not-found}, with XEP-0060's specific condition such as
 * {@code invalid-payload} or {@code pending-subscription} where there is one), or one of the client's own:
 * {@code invalid-payload} (refused locally, before sending: the same schema the server uses),
 * {@code remote-server-timeout} (no answer in time), {@code not-connected}, {@code connection-failed} (TLS, SASL or
 * the network; the server's certificate not from the grid CA is one).
 */
public final class GridClientException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String condition;

    public GridClientException(String condition, String message, Throwable cause) {
        super(message, cause);
        this.condition = condition;
    }

    public GridClientException(String condition, String message) {
        this(condition, message, null);
    }

    /** The condition: the server's (RFC 6120 §8.3.3 / XEP-0060) or the client's own (see above). */
    public String condition() {
        return condition;
    }
}
