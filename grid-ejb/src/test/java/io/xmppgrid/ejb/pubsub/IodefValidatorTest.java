package io.xmppgrid.ejb.pubsub;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.xmppgrid.xmpp.XmlReader;
import org.junit.jupiter.api.Test;

/** RFC 7970 validation with the shipped schema, offline (shared/spec/iodef/README.md). */
class IodefValidatorTest {

    private static final String EXAMPLE = "<IODEF-Document version=\"2.00\" xml:lang=\"en\" "
            + "xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
            + "xsi:schemaLocation=\"http://www.iana.org/assignments/xml-registry/ schema/iodef-2.0.xsd\">"
            + "<Incident purpose=\"reporting\" restriction=\"private\"><IncidentID name=\"csirt.example.com\">492382</IncidentID>"
            + "<GenerationTime>2015-07-18T09:00:00-05:00</GenerationTime><Contact type=\"organization\" role=\"creator\">"
            + "<Email><EmailTo>contact@csirt.example.com</EmailTo></Email></Contact></Incident></IODEF-Document>";

    private static String problem(String xml) {
        return IodefValidator.INSTANCE.problem(IodefValidator.IODEF_NS, XmlReader.parse(xml));
    }

    @Test // RFC 8600 §6 / RFC 7970 example
    void rfcExampleIsValid() {
        assertNull(problem(EXAMPLE));
    }

    /** Issue 22: each thread reuses its validator; one stopped by an invalid payload does not spoil the next. */
    @Test
    void aReusedValidatorJudgesEachPayloadAfresh() {
        for (int i = 0; i < 3; i++) {
            assertNull(problem(EXAMPLE));
            assertNotNull(problem(EXAMPLE.replaceAll("<IncidentID[^>]*>492382</IncidentID>", "")));
            assertNotNull(problem(EXAMPLE.replace("</Incident>", "<Bogus/></Incident>")));
        }
        assertNull(problem(EXAMPLE));
    }

    @Test
    void missingRequiredElementsAreInvalid() {
        assertNotNull(problem(EXAMPLE.replaceAll("<IncidentID[^>]*>492382</IncidentID>", "")));
        assertNotNull(problem(EXAMPLE.replace("<GenerationTime>2015-07-18T09:00:00-05:00</GenerationTime>", "")));
        assertNotNull(problem(EXAMPLE.replaceAll("<Contact .*</Contact>", "")));
    }

    @Test
    void unknownPurposeIsInvalid() {
        assertNotNull(problem(EXAMPLE.replace("purpose=\"reporting\"", "purpose=\"gossip\"")));
    }

    @Test
    void otherPayloadTypesAreNotChecked() {
        assertNull(IodefValidator.INSTANCE.problem("http://www.w3.org/2005/Atom", XmlReader.parse("<entry xmlns='http://www.w3.org/2005/Atom'/>")));
    }
}
