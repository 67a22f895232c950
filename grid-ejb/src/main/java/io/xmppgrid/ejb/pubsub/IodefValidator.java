package io.xmppgrid.ejb.pubsub;

import io.xmppgrid.core.pubsub.PayloadValidator;
import io.xmppgrid.iodef.IodefSchema;
import io.xmppgrid.xmpp.XmlElement;
import io.xmppgrid.xmpp.XmlWriter;

/**
 * Validates IODEF 2.0 payloads (RFC 7970) against the schema shipped in grid-iodef ({@link IodefSchema}, offline;
 * the platform client validates with the same one before it publishes). Other payload types pass unchecked.
 */
public final class IodefValidator implements PayloadValidator {

    public static final String IODEF_NS = IodefSchema.NAMESPACE;

    public static final IodefValidator INSTANCE = new IodefValidator();

    private IodefValidator() {
    }

    @Override
    public String problem(String payloadType, XmlElement payload) {
        if (!IODEF_NS.equals(payloadType) || payload == null) {
            return null;
        }
        return IodefSchema.INSTANCE.problem(XmlWriter.toXml(payload));
    }
}
