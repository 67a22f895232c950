package io.xmppgrid.ejb.pubsub;

import io.xmppgrid.core.pubsub.AccessModel;
import io.xmppgrid.core.pubsub.ServiceSettings;
import io.xmppgrid.ejb.GridSettings;
import io.xmppgrid.xmpp.Jid;
import org.jboss.logging.Logger;

/**
 * The pubsub service's operator settings, from system properties (config/install-grid.cli):
 * {@code grid.pubsub.service} (default {@code broker.<domain>}), {@code grid.pubsub.defaultAccessModel}
 * (authorize or whitelist, RFC 8600 §8.3.3), and the limits of RFC 8600 §8.3.4.
 */
public final class BrokerSettings {

    private static final Logger LOG = Logger.getLogger(BrokerSettings.class);

    private BrokerSettings() {
    }

    public static Jid serviceAddress() {
        return Jid.domain(System.getProperty("grid.pubsub.service", "broker." + GridSettings.domain()));
    }

    public static ServiceSettings settings() {
        ServiceSettings d = ServiceSettings.defaults();
        String model = System.getProperty("grid.pubsub.defaultAccessModel", d.defaultAccessModel().wireName());
        AccessModel m = AccessModel.fromWire(model);
        if (m == null) {
            LOG.warnf("GRID0501: grid.pubsub.defaultAccessModel=%s is not authorize or whitelist; using authorize", model);
            m = AccessModel.AUTHORIZE;
        }
        return new ServiceSettings(m,
                integer("grid.pubsub.defaultMaxItems", d.defaultMaxItems()),
                integer("grid.pubsub.maxItemsLimit", d.maxItemsLimit()),
                integer("grid.pubsub.maxPayloadBytes", d.maxPayloadBytes()),
                integer("grid.pubsub.maxPageSize", d.maxPageSize()),
                integer("grid.pubsub.maxNodesPerOwner", d.maxNodesPerOwner()));
    }

    private static int integer(String name, int dflt) {
        String v = System.getProperty(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            LOG.warnf("GRID0502: %s=%s is not a number; using %d", name, v, dflt);
            return dflt;
        }
    }
}
