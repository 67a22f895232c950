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
        int maxPayload = integer("grid.pubsub.maxPayloadBytes", d.maxPayloadBytes());
        long maxTopicBytes = integer("grid.pubsub.maxTopicBytes", d.maxTopicBytes());
        if (maxTopicBytes < maxPayload) {
            LOG.warnf("GRID0503: grid.pubsub.maxTopicBytes=%d is below grid.pubsub.maxPayloadBytes; using %d", maxTopicBytes,
                    maxPayload);
            maxTopicBytes = maxPayload;
        }
        return new ServiceSettings(m,
                integer("grid.pubsub.defaultMaxItems", d.defaultMaxItems()),
                integer("grid.pubsub.maxItemsLimit", d.maxItemsLimit()),
                maxPayload,
                integer("grid.pubsub.maxPageSize", d.maxPageSize()),
                integer("grid.pubsub.maxNodesPerOwner", d.maxNodesPerOwner()),
                maxTopicBytes,
                Math.max(1, integer("grid.pubsub.maxPageBytes", d.maxPageBytes())));
    }

    private static int integer(String name, int dflt) {
        return (int) Math.min(Integer.MAX_VALUE, integer(name, (long) dflt));
    }

    private static long integer(String name, long dflt) {
        String v = System.getProperty(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            LOG.warnf("GRID0502: %s=%s is not a number; using %d", name, v, dflt);
            return dflt;
        }
    }
}
