package io.xmppgrid.ejb.warmup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.iodef.IodefSchema;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The warm-up's own parts that need no server (issue 22); WarmUpIT runs it against one. */
class WarmUpTest {

    @Test
    void theWarmUpDocumentIsAValidIodefReportOfARealisticSize() {
        String doc = WarmUp.document();
        assertNull(IodefSchema.INSTANCE.problem(doc), "RFC 7970: the broker validates every IODEF publish, this one too");
        assertTrue(doc.length() > 900 && doc.length() < 1500, "about the size of the benchmark's report: " + doc.length());
        assertTrue(!doc.startsWith("<?xml"), "an item payload carries no XML declaration");
    }

    @Test
    void scramMessagesAreReadByAttributeName() throws IOException {
        // RFC 5802 §5.1: server-first-message = r=nonce,s=salt,i=iterations
        String serverFirst = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096";
        assertEquals("fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j", LoopbackSession.field(serverFirst, 'r'));
        assertEquals("QSXCR+Q6sek8bf92", LoopbackSession.field(serverFirst, 's'));
        assertEquals("4096", LoopbackSession.field(serverFirst, 'i'));
        assertThrows(IOException.class, () -> LoopbackSession.field(serverFirst, 'v'));
    }
}
