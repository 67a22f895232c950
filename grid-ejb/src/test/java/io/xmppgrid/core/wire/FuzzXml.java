package io.xmppgrid.core.wire;

import io.xmppgrid.xmpp.XmlWriter;

/** Fuzzed text made safe to put into XML built by hand (the fuzz targets build requests from templates). */
public final class FuzzXml {

    private FuzzXml() {
    }

    /** For an attribute value in single quotes. */
    public static String attr(String s) {
        StringBuilder sb = new StringBuilder();
        XmlWriter.escapeAttribute(sb, s);
        return sb.toString().replace("'", "&apos;");
    }

    public static String text(String s) {
        StringBuilder sb = new StringBuilder();
        XmlWriter.escapeText(sb, s);
        return sb.toString();
    }
}
