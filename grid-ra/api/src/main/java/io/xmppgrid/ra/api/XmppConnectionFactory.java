package io.xmppgrid.ra.api;

import jakarta.resource.ResourceException;

/** The adapter's outbound connection factory, bound in JNDI at {@link #JNDI_NAME}. */
public interface XmppConnectionFactory {

    String JNDI_NAME = "java:/eis/grid/XmppConnectionFactory";

    XmppConnection getConnection() throws ResourceException;
}
