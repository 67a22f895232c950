package io.xmppgrid.console.tls;

import java.security.Provider;
import java.util.List;
import java.util.Map;

/**
 * The provider Elytron loads from the module io.xmppgrid.console-tls (provider-loader gridConsoleTls): it offers
 * one TrustManagerFactory, {@value #ALGORITHM}, the JDK's PKIX trust managers recording what they refuse to a
 * client in {@link RefusedHandshakes#SHARED}.
 */
public final class ConsoleTlsProvider extends Provider {

    /** The TrustManagerFactory algorithm's name (Elytron: trust-manager's {@code algorithm}). */
    public static final String ALGORITHM = "GridConsole";

    private static final long serialVersionUID = 1L;

    public ConsoleTlsProvider() {
        super("XmppGridConsoleTls", "1.0", "XMPP-Grid console: PKIX trust that records refused client certificates");
        putService(new Service(this, "TrustManagerFactory", ALGORITHM, RecordingTrustManagerFactory.class.getName(),
                List.of(), Map.of()) {
            @Override
            public Object newInstance(Object constructorParameter) {
                return new RecordingTrustManagerFactory(RefusedHandshakes.SHARED);
            }
        });
    }
}
