package io.xmppgrid.core.pubsub;

/** Receives the broker's events, after the change they describe has been saved. */
@FunctionalInterface
public interface Broadcaster {
    void emit(PubSubEvent event);
}
