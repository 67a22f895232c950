package io.xmppgrid.ra;

import io.xmppgrid.ra.api.PlatformDirectory;
import io.xmppgrid.ra.api.StanzaListener;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.Activation;
import jakarta.resource.spi.ActivationSpec;
import jakarta.resource.spi.ConfigProperty;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ResourceAdapter;

/**
 * Activation of a message-driven bean on the grid adapter: a bean implementing
 * {@link StanzaListener} receives stanzas, one implementing {@link PlatformDirectory}
 * answers credential look-ups. {@code maxEndpoints} bounds how many of its instances the
 * adapter uses at once.
 */
@Activation(messageListeners = {StanzaListener.class, PlatformDirectory.class})
public class GridActivationSpec implements ActivationSpec {

    private ResourceAdapter resourceAdapter;

    @ConfigProperty(description = "Maximum number of endpoints (bean instances) used concurrently", defaultValue = "32")
    private Integer maxEndpoints = 32;

    public Integer getMaxEndpoints() {
        return maxEndpoints;
    }

    public void setMaxEndpoints(Integer maxEndpoints) {
        this.maxEndpoints = maxEndpoints;
    }

    @Override
    public void validate() throws InvalidPropertyException {
        if (maxEndpoints == null || maxEndpoints < 1 || maxEndpoints > 1024) {
            throw new InvalidPropertyException("maxEndpoints must be between 1 and 1024, was " + maxEndpoints);
        }
    }

    @Override
    public ResourceAdapter getResourceAdapter() {
        return resourceAdapter;
    }

    @Override
    public void setResourceAdapter(ResourceAdapter ra) throws ResourceException {
        this.resourceAdapter = ra;
    }
}
