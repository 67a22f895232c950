package io.xmppgrid.core.pubsub;

/** An enum constant with its XEP-0060 wire name ({@code authorize}, {@code pending}, {@code publisher} ...). */
public interface WireName {

    String wireName();

    /** The constant of {@code values} whose wire name is {@code s}, or null. */
    static <E extends WireName> E find(E[] values, String s) {
        for (E v : values) {
            if (v.wireName().equals(s)) {
                return v;
            }
        }
        return null;
    }
}
