package io.xmppgrid.ra;

import io.xmppgrid.ra.api.XmppConnection;
import io.xmppgrid.ra.api.XmppConnectionFactory;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionDefinition;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterAssociation;
import java.io.PrintWriter;
import java.util.Set;
import javax.security.auth.Subject;

/**
 * Outbound side: hands the application {@link XmppConnection} handles that write to the
 * sessions this adapter holds. There is no physical connection to pool; a managed connection
 * is just the owner of handles.
 */
@ConnectionDefinition(connectionFactory = XmppConnectionFactory.class,
        connectionFactoryImpl = XmppConnectionFactoryImpl.class,
        connection = XmppConnection.class,
        connectionImpl = XmppConnectionHandle.class)
public class GridManagedConnectionFactory implements ManagedConnectionFactory, ResourceAdapterAssociation {

    private static final long serialVersionUID = 1L;

    private transient GridResourceAdapter ra;
    private transient PrintWriter logWriter;

    @Override
    public Object createConnectionFactory(ConnectionManager cm) {
        return new XmppConnectionFactoryImpl(this, cm);
    }

    @Override
    public Object createConnectionFactory() throws ResourceException {
        throw new ResourceException("the XMPP connection factory is available only inside the application server");
    }

    @Override
    public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo info) {
        return new GridManagedConnection(this);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public ManagedConnection matchManagedConnections(Set set, Subject subject, ConnectionRequestInfo info) {
        for (Object o : set) {
            if (o instanceof GridManagedConnection) {
                return (GridManagedConnection) o;
            }
        }
        return null;
    }

    GridResourceAdapter adapter() {
        return ra;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public ResourceAdapter getResourceAdapter() {
        return ra;
    }

    @Override
    public void setResourceAdapter(ResourceAdapter ra) {
        this.ra = (GridResourceAdapter) ra;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GridManagedConnectionFactory;
    }

    @Override
    public int hashCode() {
        return GridManagedConnectionFactory.class.hashCode();
    }
}
