package io.xmppgrid.ra;

import jakarta.resource.NotSupportedException;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.LocalTransaction;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionMetaData;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.security.auth.Subject;
import javax.transaction.xa.XAResource;

/** Owner of connection handles; it fires CONNECTION_CLOSED when a handle is closed. */
final class GridManagedConnection implements ManagedConnection {

    private final GridManagedConnectionFactory mcf;
    private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();
    private final List<XmppConnectionHandle> handles = new CopyOnWriteArrayList<>();
    private PrintWriter logWriter;

    GridManagedConnection(GridManagedConnectionFactory mcf) {
        this.mcf = mcf;
    }

    @Override
    public Object getConnection(Subject subject, ConnectionRequestInfo info) {
        XmppConnectionHandle h = new XmppConnectionHandle(this);
        handles.add(h);
        return h;
    }

    GridResourceAdapter adapter() {
        return mcf.adapter();
    }

    void handleClosed(XmppConnectionHandle h) {
        handles.remove(h);
        ConnectionEvent ev = new ConnectionEvent(this, ConnectionEvent.CONNECTION_CLOSED);
        ev.setConnectionHandle(h);
        for (ConnectionEventListener l : listeners) {
            l.connectionClosed(ev);
        }
    }

    @Override
    public void destroy() {
        handles.clear();
    }

    @Override
    public void cleanup() {
        for (XmppConnectionHandle h : handles) {
            h.invalidate();
        }
        handles.clear();
    }

    @Override
    public void associateConnection(Object connection) throws ResourceException {
        if (!(connection instanceof XmppConnectionHandle)) {
            throw new ResourceException("not a grid connection handle");
        }
        XmppConnectionHandle h = (XmppConnectionHandle) connection;
        h.reassociate(this);
        handles.add(h);
    }

    @Override
    public void addConnectionEventListener(ConnectionEventListener l) {
        listeners.add(l);
    }

    @Override
    public void removeConnectionEventListener(ConnectionEventListener l) {
        listeners.remove(l);
    }

    @Override
    public XAResource getXAResource() throws ResourceException {
        throw new NotSupportedException("sends join transactions through synchronizations, not XA");
    }

    @Override
    public LocalTransaction getLocalTransaction() throws ResourceException {
        throw new NotSupportedException("no local transactions");
    }

    @Override
    public ManagedConnectionMetaData getMetaData() {
        return new ManagedConnectionMetaData() {
            @Override
            public String getEISProductName() {
                return "XMPP-Grid";
            }

            @Override
            public String getEISProductVersion() {
                return "0.1";
            }

            @Override
            public int getMaxConnections() {
                return 0;
            }

            @Override
            public String getUserName() {
                return null;
            }
        };
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }
}
