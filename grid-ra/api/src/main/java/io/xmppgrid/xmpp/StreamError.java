package io.xmppgrid.xmpp;

/** The stream error conditions of RFC 6120 §4.9.3 that this server sends. */
public enum StreamError {
    BAD_FORMAT("bad-format"),
    CONFLICT("conflict"),
    CONNECTION_TIMEOUT("connection-timeout"),
    HOST_UNKNOWN("host-unknown"),
    INTERNAL_SERVER_ERROR("internal-server-error"),
    INVALID_FROM("invalid-from"),
    INVALID_NAMESPACE("invalid-namespace"),
    NOT_AUTHORIZED("not-authorized"),
    NOT_WELL_FORMED("not-well-formed"),
    POLICY_VIOLATION("policy-violation"),
    RESOURCE_CONSTRAINT("resource-constraint"),
    RESTRICTED_XML("restricted-xml"),
    /** RFC 6120 §4.9.3.19: the client should connect to the host (and port) the condition names. */
    SEE_OTHER_HOST("see-other-host"),
    SYSTEM_SHUTDOWN("system-shutdown"),
    UNDEFINED_CONDITION("undefined-condition"),
    UNSUPPORTED_ENCODING("unsupported-encoding"),
    UNSUPPORTED_STANZA_TYPE("unsupported-stanza-type"),
    UNSUPPORTED_VERSION("unsupported-version");

    private final String condition;

    StreamError(String condition) {
        this.condition = condition;
    }

    public String condition() {
        return condition;
    }

    /** {@code <stream:error><condition xmlns='...streams'/><text>..</text></stream:error>} */
    public String toXml(String text) {
        return toXml(text, null);
    }

    /** With an application-specific condition (RFC 6120 §4.9.4), already serialized, after the text. */
    public String toXml(String text, String applicationConditionXml) {
        return toXml(null, text, applicationConditionXml);
    }

    /** With character data in the condition element ({@code <see-other-host>host:port</see-other-host>}). */
    public String toXml(String conditionContent, String text, String applicationConditionXml) {
        StringBuilder sb = new StringBuilder(160);
        sb.append("<stream:error><").append(condition).append(" xmlns=\"").append(Ns.STREAMS_ERRORS).append('"');
        if (conditionContent == null) {
            sb.append("/>");
        } else {
            sb.append('>');
            XmlWriter.escapeText(sb, conditionContent);
            sb.append("</").append(condition).append('>');
        }
        if (text != null) {
            sb.append("<text xmlns=\"").append(Ns.STREAMS_ERRORS).append("\" xml:lang=\"en\">");
            XmlWriter.escapeText(sb, text);
            sb.append("</text>");
        }
        if (applicationConditionXml != null) {
            sb.append(applicationConditionXml);
        }
        sb.append("</stream:error>");
        return sb.toString();
    }
}
