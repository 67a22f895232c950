package io.xmppgrid.ejb.pubsub;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.xmppgrid.xmpp.XmlElement;
import io.xmppgrid.xmpp.XmlReader;
import io.xmppgrid.core.wire.FuzzXml;

/**
 * Issue 18, fuzzing: IODEF validation (RFC 7970, RFC 8600 §6: every IODEF publish is validated) of payloads that are
 * the RFC's example with fuzzed text, attributes and inserted elements (of the IODEF, xmldsig, SCI and unknown
 * namespaces, with schema-location hints), or fuzzed XML. The validator answers null or why the payload is invalid;
 * any exception (an import it would try to fetch, say) is a finding.
 */
class IodefValidatorFuzzTest {

    private static final String IODEF = IodefValidator.IODEF_NS;
    private static final String[] NAMESPACES = {IODEF, "http://www.w3.org/2000/09/xmldsig#",
        "urn:ietf:params:xml:ns:iodef-sci-1.0", "urn:ietf:params:xml:ns:iodef-enum-1.0", "urn:example:unknown",
        "http://www.w3.org/2001/XMLSchema-instance", ""};
    private static final String[] ELEMENTS = {"Incident", "IncidentID", "GenerationTime", "Contact", "Email", "EmailTo",
        "Description", "AdditionalData", "EventData", "Flow", "System", "Node", "Address", "Signature", "Assessment",
        "Impact", "Record", "RecordData", "Method", "Reference"};

    @FuzzTest(maxDuration = "10s")
    void everyPayloadIsValidOrRefusedWithAReason(FuzzedDataProvider data) {
        String xml;
        if (data.consumeBoolean()) {
            xml = data.consumeString(2000);
        } else {
            StringBuilder inserted = new StringBuilder();
            int n = data.consumeInt(0, 4);
            for (int i = 0; i < n; i++) {
                String ns = NAMESPACES[data.consumeInt(0, NAMESPACES.length - 1)];
                String name = data.consumeBoolean() ? ELEMENTS[data.consumeInt(0, ELEMENTS.length - 1)] : "e" + i;
                inserted.append('<').append(name).append(ns.isEmpty() ? "" : " xmlns='" + ns + "'");
                if (data.consumeBoolean()) {
                    inserted.append(" xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance' xsi:schemaLocation='")
                            .append(FuzzXml.attr(data.consumeString(40))).append("' xsi:type='").append(FuzzXml.attr(data.consumeString(12)))
                            .append('\'');
                }
                inserted.append(" dtype='").append(FuzzXml.attr(data.consumeString(10))).append("'>")
                        .append(FuzzXml.text(data.consumeString(40))).append("</").append(name).append('>');
            }
            xml = "<IODEF-Document version='" + FuzzXml.attr(data.consumeString(6)) + "' xml:lang='en' xmlns='" + IODEF + "'>"
                    + "<Incident purpose='" + FuzzXml.attr(data.consumeString(12)) + "'><IncidentID name='" + FuzzXml.attr(data.consumeString(20))
                    + "'>" + FuzzXml.text(data.consumeString(20)) + "</IncidentID><GenerationTime>" + FuzzXml.text(data.consumeString(30))
                    + "</GenerationTime>" + inserted + "<Contact type='organization' role='creator'><Email><EmailTo>"
                    + FuzzXml.text(data.consumeRemainingAsString()) + "</EmailTo></Email></Contact></Incident></IODEF-Document>";
        }
        XmlElement payload;
        try {
            payload = XmlReader.parse(xml);
        } catch (IllegalArgumentException notXml) {
            return; // the stream parser refuses that before the broker sees it
        }
        IodefValidator.INSTANCE.problem(IODEF, payload); // null or the reason; nothing thrown
    }
}
