package io.xmppgrid.core.pubsub;

import java.util.Objects;

/** The outcome of a broker operation: a value, or one {@link PubSubError} with a reason for logs. */
public final class Result<T> {

    private final T value;
    private final PubSubError error;
    private final String reason;

    private Result(T value, PubSubError error, String reason) {
        this.value = value;
        this.error = error;
        this.reason = reason;
    }

    public static <T> Result<T> ok(T value) {
        return new Result<>(value, null, null);
    }

    public static <T> Result<T> fail(PubSubError error, String reason) {
        return new Result<>(null, Objects.requireNonNull(error), reason);
    }

    public boolean isOk() {
        return error == null;
    }

    public T value() {
        if (error != null) {
            throw new IllegalStateException("failed result: " + error + " (" + reason + ")");
        }
        return value;
    }

    public PubSubError error() {
        return error;
    }

    public String reason() {
        return reason;
    }

    /** The same failure with another value type. */
    public <U> Result<U> cast() {
        if (error == null) {
            throw new IllegalStateException("not a failure");
        }
        return new Result<>(null, error, reason);
    }

    @Override
    public String toString() {
        return error == null ? "ok(" + value + ")" : "fail(" + error + ": " + reason + ")";
    }
}
