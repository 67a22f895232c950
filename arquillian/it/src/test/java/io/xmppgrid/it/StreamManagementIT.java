package io.xmppgrid.it;

import static io.xmppgrid.it.Topics.PASSWORD;
import static io.xmppgrid.it.Topics.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** XEP-0198 stream management on client streams, byte by byte over raw TLS sockets. */
@ExtendWith(ArquillianExtension.class)
class StreamManagementIT {

    private static final String SM = "urn:xmpp:sm:3";
    private static final Pattern ATTR_ID = Pattern.compile(" id=\"([^\"]+)\"");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    /** Enables resumable stream management; returns the resumption id. */
    private static String enable(RawXmpp x) throws Exception {
        x.send("<enable xmlns='" + SM + "' resume='true'/>");
        String enabled = x.await("/>");
        assertTrue(enabled.contains("<enabled xmlns=\"" + SM + "\"") && enabled.contains("resume=\"true\""), enabled);
        Matcher m = ATTR_ID.matcher(enabled);
        assertTrue(m.find(), enabled);
        return m.group(1);
    }

    @Test // XEP-0198 §2, §3: the feature is offered after authentication; enable before binding gets <failed/> with
          // <unexpected-request/> ("the client MUST NOT attempt to enable stream management until after it has completed
          // Resource Binding")
    void featureOfferedAndEnableNeedsBinding() throws Exception {
        String p = Topics.account("sm-f");
        try (RawXmpp x = RawXmpp.authenticated(p, PASSWORD)) {
            assertTrue(x.lastFeatures().contains("<sm xmlns=\"" + SM + "\"/>"), x.lastFeatures());
            x.send("<enable xmlns='" + SM + "'/>");
            String failed = x.await("</failed>");
            assertTrue(failed.contains("<failed xmlns=\"" + SM + "\"><unexpected-request xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"
                    + "</failed>"), failed);
        }
    }

    @Test // XEP-0198 §3: "The <enable/> element MUST NOT be sent before authentication has completed successfully";
          // the server "SHALL enforce this order and return a <failed/> element" (unexpected-request). The error is
          // recoverable: the same stream then authenticates, binds and enables
    void enableBeforeAuthenticationFails() throws Exception {
        beforeAuthenticationFails("<enable xmlns='" + SM + "' resume='true'/>");
    }

    @Test // XEP-0198 §5: resumption is of an authenticated entity's session; <resume/> before authentication gets the
          // same recoverable <failed/> (unexpected-request), not a stream error
    void resumeBeforeAuthenticationFails() throws Exception {
        beforeAuthenticationFails("<resume xmlns='" + SM + "' previd='c29tZS1zZXNzaW9u' h='0'/>");
    }

    private static void beforeAuthenticationFails(String smElement) throws Exception {
        String p = Topics.account("sm-pre");
        try (RawXmpp x = RawXmpp.secured()) {
            x.send(smElement);
            String failed = x.await("</failed>");
            assertTrue(failed.contains("<failed xmlns=\"" + SM + "\"><unexpected-request xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"
                    + "</failed>"), failed);
            assertTrue(!failed.contains("<stream:error"), failed);
            x.scramSha256(p, PASSWORD);
            x.send(RawXmpp.HEADER);
            x.await("</stream:features>");
            x.send("<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
            assertTrue(x.await("</iq>").contains("type=\"result\""));
            enable(x);
        }
    }

    @Test // XEP-0198 §4: h counts the stanzas handled since enable, in both directions
    void countersAndAcknowledgements() throws Exception {
        String p = Topics.account("sm-c");
        try (RawXmpp x = RawXmpp.bound(p, PASSWORD)) {
            enable(x);
            x.send("<r xmlns='" + SM + "'/>");
            assertTrue(x.await("/>").contains("<a xmlns=\"" + SM + "\" h=\"0\"/>"));
            x.send("<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq><iq type='get' id='p2'><ping xmlns='urn:xmpp:ping'/></iq>");
            x.send("<r xmlns='" + SM + "'/>");
            x.await("h=\"2\"/>"); // both handled; their results may come before or after the <a/>
            for (String id : new String[] {"p1", "p2"}) {
                if (!x.transcript().contains("id=\"" + id + "\"")) {
                    x.await("id=\"" + id + "\"");
                }
            }
            // the server asked for an acknowledgement of its two results; acknowledging both is fine
            x.send("<a xmlns='" + SM + "' h='2'/>");
            x.send("<iq type='get' id='p3'><ping xmlns='urn:xmpp:ping'/></iq>");
            assertTrue(x.await("id=\"p3\"").contains("p3"));
        }
    }

    @Test // XEP-0198 §4: acknowledging more than was sent ends the stream with handled-count-too-high
    void handledCountTooHigh() throws Exception {
        String p = Topics.account("sm-h");
        try (RawXmpp x = RawXmpp.bound(p, PASSWORD)) {
            enable(x);
            x.send("<a xmlns='" + SM + "' h='5'/>");
            String err = x.awaitClose(WAIT);
            assertTrue(err.contains("<undefined-condition xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>"), err);
            assertTrue(err.contains("<handled-count-too-high xmlns=\"" + SM + "\" h=\"5\" send-count=\"0\"/>"), err);
        }
    }

    /**
     * Issue 18 §4, XEP-0198 §5: a session detached after a network drop holds what is sent to it for resumption, but
     * only up to grid.maxOutboundBytes (16 MiB): 90 messages of 200 KB to its full JID make it end at once, before its
     * resumption timeout, and what it held is stored (RFC 6121 §8.5.3.2.1): resuming fails with item-not-found, and a
     * new session of the platform gets all 90 messages, each once.
     */
    @Test
    void aDetachedSessionThatHoldsTooMuchEndsAndWhatItHeldIsStored() throws Exception {
        String sender = Topics.account("sm-big-from");
        String sub = Topics.account("sm-big-to");
        RawXmpp s1 = RawXmpp.bound(sub, PASSWORD);
        String previd = enable(s1);
        String full = boundJid(s1, sub);
        s1.close(); // a network drop: no </stream:stream>
        Thread.sleep(500);
        String body = "x".repeat(200_000);
        int count = 90;
        try (RawXmpp from = RawXmpp.bound(sender, PASSWORD)) {
            for (int i = 0; i < count; i++) {
                from.send("<message to='" + full + "' id='big-" + i + "' type='chat'><body>" + body + "</body></message>");
            }
            from.send("<iq type='get' id='done'><ping xmlns='urn:xmpp:ping'/></iq>");
            from.await("id=\"done\"", java.time.Duration.ofSeconds(60)); // the node has read all of them
        }
        // the messages reach the detached session as the stanza bean routes them, after the ping's answer: wait until
        // what it holds has ended it
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (Grid.api("GET", "/platforms/" + sub + "/sessions", null).out().contains(full)) {
            assertTrue(System.nanoTime() < end, "the detached session holding more than the limit ended");
            Thread.sleep(50);
        }
        try (RawXmpp again = RawXmpp.authenticated(sub, PASSWORD)) {
            again.send("<resume xmlns='" + SM + "' previd='" + previd + "' h='0'/>");
            String failed = again.await("</failed>");
            assertTrue(failed.contains("<item-not-found"), "the session ended before its resumption timeout: " + failed);
            again.send("<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
            again.await("</iq>");
            java.util.Set<String> got = new java.util.HashSet<>();
            int received = 0;
            while (got.size() < count) {
                String st = again.nextStanza(java.time.Duration.ofSeconds(30));
                Matcher m = Pattern.compile("id=\"(big-\\d+)\"").matcher(st);
                if (m.find()) {
                    got.add(m.group(1));
                    received++;
                }
            }
            assertEquals(count, received, "each stored message once");
        }
    }

    /** The full JID the bind result of {@code x} gave. */
    private static String boundJid(RawXmpp x, String user) {
        Matcher m = Pattern.compile("<jid>(" + Pattern.quote(user) + "@grid\\.local/[^<]+)</jid>").matcher(x.bindResult());
        assertTrue(m.find(), x.bindResult());
        return m.group(1);
    }

    @Test // XEP-0198 §5: resuming an unknown session fails with item-not-found; binding still works afterwards
    void unknownResumptionFails() throws Exception {
        String p = Topics.account("sm-u");
        try (RawXmpp x = RawXmpp.authenticated(p, PASSWORD)) {
            x.send("<resume xmlns='" + SM + "' previd='no-such-session' h='0'/>");
            String failed = x.await("</failed>");
            assertTrue(failed.contains("<item-not-found xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"), failed);
            x.send("<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
            assertTrue(x.await("</iq>").contains("<jid>" + p + "@grid.local/"));
        }
    }

    @Test // XEP-0198 §5: after a network drop, the resumed stream gets exactly what it had not handled, then what was stored
    void resumptionAfterNetworkDrop() throws Exception {
        String owner = Topics.account("sm-own");
        String sub = Topics.account("sm-sub");
        String node = Topics.node("sm");
        try (RawXmpp o = RawXmpp.bound(owner, PASSWORD)) {
            Topics.create(o, node, List.of(sub), "");
            Topics.subscribe(sub, node);
            RawXmpp s1 = RawXmpp.bound(sub, PASSWORD);
            String previd = enable(s1);
            List<String> first = Topics.publish(o, node, "live", 10);
            List<String> got1 = new ArrayList<>();
            while (got1.size() < 10) {
                got1.addAll(Topics.itemIds(s1.nextStanza(WAIT)));
            }
            assertEquals(first, got1);
            s1.kill(); // the client handled 6 of the 10 before the network went away (it says so below)
            awaitDetached(sub);
            List<String> second = Topics.publish(o, node, "away", 5); // while detached: stored

            try (RawXmpp s2 = RawXmpp.authenticated(sub, PASSWORD)) {
                s2.send("<resume xmlns='" + SM + "' previd='" + previd + "' h='6'/>");
                String resumed = s2.await("/>");
                assertTrue(resumed.contains("<resumed xmlns=\"" + SM + "\" previd=\"" + previd + "\""), resumed);
                List<String> got2 = new ArrayList<>();
                List<String> stanzas = new ArrayList<>();
                while (got2.size() < 9) {
                    String st = s2.nextStanza(WAIT);
                    List<String> ids = Topics.itemIds(st);
                    if (!ids.isEmpty()) {
                        stanzas.add(st); // not the server's <r/> requests
                        got2.addAll(ids);
                    }
                }
                List<String> expected = new ArrayList<>(first.subList(6, 10));
                expected.addAll(second);
                assertEquals(expected, got2, "the 4 unhandled ones again, then the 5 stored, nothing twice");
                for (String st : stanzas.subList(stanzas.size() - 5, stanzas.size())) {
                    assertTrue(st.contains("urn:xmpp:delay"), "stored while detached: " + st);
                }
                s2.send("<a xmlns='" + SM + "' h='15'/>"); // 6 + 9 handled
                s2.send("<iq type='get' id='after'><ping xmlns='urn:xmpp:ping'/></iq>");
                String after = s2.await("id=\"after\"");
                assertTrue(after.contains("after"), after);
                Grid.awaitOfflineDepth(sub, 0); // acknowledged stored messages leave the queue
            }
        }
    }

    @Test // XEP-0198 §5 with XEP-0160: dropped in the middle of the stored backlog, resumed with the exact h: every
          // stored item the client had not handled comes (retransmitted, then the rest of the queue), in order, once
    void resumptionInTheMiddleOfTheStoredBacklog() throws Exception {
        String sub = Topics.account("sm-bl");
        // more than the server sends unacknowledged (1,000), so that the rest comes from the queue after resumption
        List<String> published = Topics.publishedWhileAway(sub, Topics.node("smbl"), "b", 1500);
        RawXmpp s1 = RawXmpp.bound(sub, PASSWORD);
        String previd = enable(s1);
        List<String> got = new ArrayList<>();
        long handled = 0;
        while (got.size() < 100) { // never acknowledged: the server keeps them for retransmission
            String st = s1.nextStanza(WAIT);
            if (isStanza(st)) {
                handled++;
                got.addAll(Topics.itemIds(st));
            }
        }
        s1.kill(); // the rest, on its way, is never read
        awaitDetached(sub);
        try (RawXmpp s2 = RawXmpp.authenticated(sub, PASSWORD)) {
            s2.send("<resume xmlns='" + SM + "' previd='" + previd + "' h='" + handled + "'/>");
            String resumed = s2.await("/>");
            assertTrue(resumed.contains("<resumed xmlns=\"" + SM + "\" previd=\"" + previd + "\""), resumed);
            while (got.size() < published.size()) {
                String st = s2.nextStanza(WAIT);
                if (isStanza(st)) {
                    handled++;
                    got.addAll(Topics.itemIds(st));
                } else if (st.startsWith("<r ")) {
                    s2.send("<a xmlns='" + SM + "' h='" + handled + "'/>"); // opens the window for the queue's rest
                }
            }
            assertEquals(published, got, "every stored item once, in queue order");
            s2.send("<a xmlns='" + SM + "' h='" + handled + "'/>");
            Grid.awaitOfflineDepth(sub, 0); // acknowledged, so removed
        }
    }

    private static boolean isStanza(String element) {
        return element.startsWith("<message") || element.startsWith("<iq") || element.startsWith("<presence");
    }

    /** Waits until the server noticed the drop: the session is kept for resumption, unavailable (admin API). */
    private static void awaitDetached(String platform) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String last = "";
        while (System.nanoTime() < end) {
            Grid.Result r = Grid.api("GET", "/platforms/" + platform + "/sessions", null);
            last = r.out();
            if (r.status() == 200 && last.contains("\"available\":false")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(platform + " still looks available: " + last);
    }
}
