package io.xmppgrid.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StanzaSplitterTest {

    @Test // RFC 6120 §4: the header, then top-level elements, whatever the read boundaries
    void splitsAtAnyBoundary() {
        String stream = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' id='x' version='1.0'>"
                + "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>"
                + "<message to='a@b' type='normal'><event><items node='n'><item id=\"m1-2\"><x a='>'>é</x></item></items></event></message>"
                + "<iq type='result' id='1'/></stream:stream>";
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        for (int chunk = 1; chunk <= bytes.length; chunk += 7) {
            List<String> got = new ArrayList<>();
            StanzaSplitter s = new StanzaSplitter(got::add);
            for (int i = 0; i < bytes.length; i += chunk) {
                s.feed(bytes, i, Math.min(chunk, bytes.length - i));
            }
            assertEquals(4, got.size(), "chunk " + chunk + ": " + got);
            assertTrue(got.get(0).startsWith("<stream:stream"), got.get(0));
            assertEquals("<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>", got.get(1));
            assertTrue(got.get(2).startsWith("<message") && got.get(2).endsWith("</message>") && got.get(2).contains("é"));
            assertEquals("<iq type='result' id='1'/>", got.get(3));
            assertTrue(s.closed());
        }
    }
}
