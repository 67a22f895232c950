package io.xmppgrid.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The audit log's CSV export (issue 19 §7): fields a platform controls cannot become spreadsheet formulas. */
class AuditResourceTest {

    @Test
    void formulaLeadsAreNeutralisedAndFieldsQuoted() {
        for (String lead : new String[] {"=", "+", "-", "@", "\t", "\r"}) {
            String f = AuditResource.csvField(lead + "HYPERLINK(\"http://x\")");
            assertEquals('"', f.charAt(0), "quoted: " + f);
            assertEquals('\'', f.charAt(1), "prefixed: " + f);
        }
        assertEquals("'=1+2", AuditResource.csvField("=1+2"));
        assertEquals("'\tcmd", AuditResource.csvField("\tcmd"));
        assertEquals("plain", AuditResource.csvField("plain"));
        assertEquals("\"a,b\"", AuditResource.csvField("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", AuditResource.csvField("say \"hi\""));
        assertEquals("", AuditResource.csvField(null));
    }
}
