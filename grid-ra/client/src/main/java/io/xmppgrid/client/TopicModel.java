package io.xmppgrid.client;

/** Who may subscribe to a Topic (RFC 8600 §8.3.3 allows only these two XEP-0060 access models). */
public enum TopicModel {
    /** Anyone may ask; an owner approves or denies each request (XEP-0060 §6.1.3.3, §8.6). */
    AUTHORIZE,
    /** Only platforms an owner affiliated may subscribe (XEP-0060 §4.5). */
    WHITELIST;

    String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
