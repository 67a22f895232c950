package io.xmppgrid.ra;

import io.xmppgrid.ra.api.XmppConnection;
import io.xmppgrid.ra.api.XmppConnectionFactory;
import jakarta.resource.Referenceable;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionManager;
import java.io.Serializable;
import javax.naming.Reference;

/** The connection factory bound in JNDI ({@link XmppConnectionFactory#JNDI_NAME}). */
public class XmppConnectionFactoryImpl implements XmppConnectionFactory, Serializable, Referenceable {

    private static final long serialVersionUID = 1L;

    private final transient GridManagedConnectionFactory mcf;
    private final transient ConnectionManager cm;
    private Reference reference;

    public XmppConnectionFactoryImpl(GridManagedConnectionFactory mcf, ConnectionManager cm) {
        this.mcf = mcf;
        this.cm = cm;
    }

    @Override
    public XmppConnection getConnection() throws ResourceException {
        return (XmppConnection) cm.allocateConnection(mcf, null);
    }

    @Override
    public void setReference(Reference reference) {
        this.reference = reference;
    }

    @Override
    public Reference getReference() {
        return reference;
    }
}
