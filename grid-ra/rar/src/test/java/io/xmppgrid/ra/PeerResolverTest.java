package io.xmppgrid.ra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.ra.api.PeerCredentials;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerResolverTest {

    @Test // RFC 2782: "priority weight port target", the target's trailing dot dropped; "." means no service
    void recordsAreReadAndMalformedOnesLeftOut() {
        assertEquals(new PeerResolver.Srv(10, 5, 5269, "xmpp.partner.example"),
                PeerResolver.parse("10 5 5269 xmpp.partner.example."));
        assertEquals(new PeerResolver.Srv(0, 0, 0, ""), PeerResolver.parse("0 0 0 ."));
        assertNull(PeerResolver.parse("10 5 70000 xmpp.partner.example."), "a port out of range");
        assertNull(PeerResolver.parse("10 5 5269"), "a missing target");
        assertNull(PeerResolver.parse("10 5 5269 bad_host!."), "not a host name");
        assertNull(PeerResolver.parse("x 5 5269 a.example."), "not a number");
    }

    @Test // RFC 2782: lower priority first; within one priority, higher weight first more often, every record once
    void lowerPriorityComesFirstAndWeightsShareTheRest() {
        List<PeerResolver.Srv> records = List.of(new PeerResolver.Srv(20, 0, 1, "backup"),
                new PeerResolver.Srv(10, 90, 1, "heavy"), new PeerResolver.Srv(10, 10, 1, "light"));
        Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            List<PeerResolver.Srv> o = PeerResolver.order(records);
            assertEquals(3, o.size());
            assertEquals("backup", o.get(2).target(), "priority 20 after priority 10");
            firsts.merge(o.get(0).target(), 1, Integer::sum);
        }
        assertTrue(firsts.get("heavy") > 1500 && firsts.get("light") > 50, "weighted: " + firsts);
    }

    @Test // a configured address wins; nothing is looked up
    void aConfiguredAddressIsUsedAsItIs() {
        PeerCredentials p = new PeerCredentials("partner.example", true, "pem", null, "10.0.0.7:5999");
        assertEquals(List.of(new PeerCredentials.Endpoint("10.0.0.7", 5999)), PeerResolver.endpoints(p, "127.0.0.1:9"));
    }

    @Test // no answer from DNS: the domain on 5269 (RFC 6120 §3.2.2 fallback)
    void withoutAnAnswerTheDomainOn5269() {
        PeerCredentials p = new PeerCredentials("partner.example", true, "pem", null, null);
        List<PeerCredentials.Endpoint> got = new ArrayList<>(PeerResolver.endpoints(p, "127.0.0.1:9")); // nothing listens
        assertEquals(List.of(new PeerCredentials.Endpoint("partner.example", 5269)), got);
    }
}
