package io.xmppgrid.xmpp;

/** Namespace names used on the wire, in one place. */
public final class Ns {
    public static final String CLIENT = "jabber:client";
    /** Server-to-server streams (RFC 6120 §4.8.2). */
    public static final String SERVER = "jabber:server";
    public static final String STREAM = "http://etherx.jabber.org/streams";
    public static final String STREAMS_ERRORS = "urn:ietf:params:xml:ns:xmpp-streams";
    public static final String STANZA_ERRORS = "urn:ietf:params:xml:ns:xmpp-stanzas";
    public static final String TLS = "urn:ietf:params:xml:ns:xmpp-tls";
    public static final String SASL = "urn:ietf:params:xml:ns:xmpp-sasl";
    public static final String BIND = "urn:ietf:params:xml:ns:xmpp-bind";
    public static final String SASL_CB = "urn:xmpp:sasl-cb:0";
    public static final String PING = "urn:xmpp:ping";
    public static final String DISCO_INFO = "http://jabber.org/protocol/disco#info";
    public static final String DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
    /** XEP-0198 stream management. */
    public static final String SM = "urn:xmpp:sm:3";
    /** XEP-0077 in-band registration and its stream feature. */
    public static final String REGISTER = "jabber:iq:register";
    public static final String REGISTER_FEATURE = "http://jabber.org/features/iq-register";
    /** XEP-0203 delayed delivery. */
    public static final String DELAY = "urn:xmpp:delay";
    /** XEP-0334 message processing hints. */
    public static final String HINTS = "urn:xmpp:hints";

    private Ns() {
    }
}
