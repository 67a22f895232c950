package io.xmppgrid.client;

/** A Topic of the broker (a XEP-0060 leaf node) as disco#info describes it: its name, title and {@code pubsub#type}. */
public record Topic(String name, String title, String type) {
}
