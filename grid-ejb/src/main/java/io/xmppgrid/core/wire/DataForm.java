package io.xmppgrid.core.wire;

import io.xmppgrid.xmpp.XmlElement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** XEP-0004 data forms: reading submitted fields, and building forms and results. */
public final class DataForm {

    public static final String NS = "jabber:x:data";

    private DataForm() {
    }

    /** The first {@code <x xmlns='jabber:x:data'/>} child of {@code parent}, or null. */
    public static XmlElement find(XmlElement parent) {
        return parent == null ? null : parent.child("x", NS);
    }

    /** The FORM_TYPE of a form, or null. */
    public static String formType(XmlElement x) {
        List<String> v = fields(x).get("FORM_TYPE");
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /**
     * Fields of a form as var → values, in order. Throws {@link IllegalArgumentException} for a
     * field without var or given twice (XEP-0004 §3.2).
     */
    public static Map<String, List<String>> fields(XmlElement x) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (XmlElement f : x.elements()) {
            if (!f.is("field", NS)) {
                continue;
            }
            String var = f.attribute("var");
            if (var == null || var.isEmpty()) {
                throw new IllegalArgumentException("a submitted field has no var");
            }
            List<String> values = new ArrayList<>();
            for (XmlElement v : f.elements()) {
                if (v.is("value", NS)) {
                    values.add(v.text());
                }
            }
            if (out.put(var, values) != null) {
                throw new IllegalArgumentException("field " + var + " given twice");
            }
        }
        return out;
    }

    /** Builds a form of {@code type} (form, result, submit) with a hidden FORM_TYPE. */
    public static Builder builder(String type, String formType) {
        return new Builder(type, formType);
    }

    /** Accumulates fields; labels and types are optional. */
    public static final class Builder {
        private final XmlElement.Builder x;

        private Builder(String type, String formType) {
            x = XmlElement.builder("x", NS).attribute("type", type);
            if (formType != null) {
                field("FORM_TYPE", "hidden", null, List.of(formType));
            }
        }

        public Builder title(String title) {
            x.child(XmlElement.builder("title", NS).text(title).build());
            return this;
        }

        public Builder instructions(String text) {
            x.child(XmlElement.builder("instructions", NS).text(text).build());
            return this;
        }

        public Builder field(String var, String type, String label, List<String> values) {
            XmlElement.Builder f = XmlElement.builder("field", NS).attribute("var", var).attribute("type", type)
                    .attribute("label", label);
            for (String v : values) {
                f.child(XmlElement.builder("value", NS).text(v).build());
            }
            x.child(f.build());
            return this;
        }

        public XmlElement build() {
            return x.build();
        }
    }
}
