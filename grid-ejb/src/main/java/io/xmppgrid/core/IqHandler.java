package io.xmppgrid.core;

import io.xmppgrid.xmpp.XmlElement;

/**
 * Handles IQ get/set requests whose single child is in one namespace. The features a
 * handler declares are what service discovery advertises, so the advertised list is always
 * the list of what is actually handled.
 */
public interface IqHandler {

    /** The namespace of the IQ child element this handler serves. */
    String namespace();

    /** XEP-0030 features this handler implements. */
    java.util.List<String> features();

    /** Returns the reply (result or error) for a request addressed to the server. */
    XmlElement handle(XmlElement iq, IqContext context);
}
