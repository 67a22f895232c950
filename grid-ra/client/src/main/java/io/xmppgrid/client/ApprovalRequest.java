package io.xmppgrid.client;

/**
 * A platform asks to subscribe to a Topic this platform owns (XEP-0060 §8.6 authorization form). Answer with
 * {@link GridClient#approve} or {@link GridClient#deny}.
 */
public record ApprovalRequest(String topic, String subscriber) {
}
