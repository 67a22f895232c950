package io.xmppgrid.it;

/** The RFC 7970 example document that RFC 8600 §6 publishes. */
final class Iodef {

    static final String NS = "urn:ietf:params:xml:ns:iodef-2.0";

    static String example(String incidentId) {
        return "<IODEF-Document version=\"2.00\" xml:lang=\"en\" xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\" "
                + "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                + "xsi:schemaLocation=\"http://www.iana.org/assignments/xml-registry/ schema/iodef-2.0.xsd\">"
                + "<Incident purpose=\"reporting\" restriction=\"private\"><IncidentID name=\"csirt.example.com\">" + incidentId
                + "</IncidentID><GenerationTime>2015-07-18T09:00:00-05:00</GenerationTime>"
                + "<Contact type=\"organization\" role=\"creator\"><Email><EmailTo>contact@csirt.example.com</EmailTo></Email>"
                + "</Contact></Incident></IODEF-Document>";
    }

    /** The example with a Description of {@code descriptionChars} characters: a large, valid document. */
    static String large(String incidentId, int descriptionChars) {
        return example(incidentId).replace("</GenerationTime>", "</GenerationTime><Description>"
                + "x".repeat(descriptionChars) + "</Description>");
    }

    private Iodef() {
    }
}
