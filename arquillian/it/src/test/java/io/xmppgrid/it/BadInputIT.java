package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile input over raw sockets: each case gets the exact RFC 6120 §4.9.3 stream error and
 * the connection is closed, while a session opened beforehand keeps being served (checked
 * with a ping after every case).
 */
@ExtendWith(ArquillianExtension.class)
class BadInputIT {

    private static final Duration CLOSE = Duration.ofSeconds(10);
    private static RawXmpp witness;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    private static String streamError(String condition) {
        return "<stream:error><" + condition + " xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>";
    }

    /** Asserts the connection got exactly this stream error and was then closed by the server. */
    private static void assertStreamError(RawXmpp x, String condition) throws Exception {
        String rest = x.awaitClose(CLOSE);
        assertTrue(rest.contains(streamError(condition)), "expected <" + condition + "/>, got: " + rest);
        assertTrue(rest.contains("</stream:stream>"), "stream not closed: " + rest);
    }

    @AfterEach
    void othersStillServed() throws Exception {
        if (witness == null) {
            String name = Grid.platform(Grid.uniqueName("witness"), "witness-password-1");
            witness = RawXmpp.bound(name, "witness-password-1");
        }
        String id = "w" + System.nanoTime();
        witness.send("<iq type='get' id='" + id + "'><ping xmlns='urn:xmpp:ping'/></iq>");
        String reply = witness.await("id=\"" + id + "\"");
        assertTrue(reply.contains("type=\"result\""), "the witness session was not served: " + reply);
    }

    @AfterAll
    static void closeWitness() throws Exception {
        if (witness != null) {
            witness.close();
        }
    }

    /**
     * Issue 18 §3, RFC 6120 §6.4.3 and §6.4.5: {@code <abort/>} with no exchange in progress is answered with
     * {@code <aborted/>} and counts as an attempt; the third (grid.maxAuthAttempts) ends the stream with
     * {@code <policy-violation/>}, so a client cannot keep the node busy with an endless supply of them.
     */
    @Test
    void endlessAbortsEndTheStream() throws Exception {
        try (RawXmpp x = RawXmpp.secured()) {
            StringBuilder aborts = new StringBuilder();
            // 50 in one TLS record (2.5 KB): all in the socket's buffers before the node reads them, so the node's end of
            // the stream cannot break this write (1,000 of them, 50 KB, once did: a broken pipe on the client's side)
            for (int i = 0; i < 50; i++) {
                aborts.append("<abort xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
            }
            x.send(aborts.toString());
            String rest = x.awaitClose(CLOSE);
            int answered = rest.split("<aborted/>", -1).length - 1;
            assertTrue(answered >= 1 && answered <= 5, "a few aborts answered (" + answered + "), not fifty: " + rest);
            assertTrue(rest.contains(streamError("policy-violation")), "ended with <policy-violation/>: " + rest);
        }
    }

    /**
     * Issue 18 §8, RFC 6120 §4.9.3.17: the node takes a bounded number of unauthenticated connections
     * (grid.maxUnauthenticatedConnections, 300 on this test server): with 300 open and silent, the next connection
     * gets {@code <resource-constraint/>} at once; when they are gone, new connections are served again. The
     * authenticated witness is served throughout.
     */
    @Test
    void unauthenticatedConnectionsBeyondTheNodesCapGetResourceConstraint() throws Exception {
        java.util.List<java.net.Socket> silent = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                silent.add(new java.net.Socket(Grid.HOST, Grid.STARTTLS_PORT)); // they close after 6 s (auth timeout)
            }
            Thread.sleep(300); // accepted by now
            try (java.net.Socket extra = new java.net.Socket(Grid.HOST, Grid.STARTTLS_PORT)) {
                extra.setSoTimeout(5000);
                String got = new String(extra.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(got.contains("<resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>")
                        && got.endsWith("</stream:stream>"), "the 301st unauthenticated connection: " + got);
            }
        } finally {
            for (java.net.Socket s : silent) {
                s.close();
            }
        }
        long end = System.currentTimeMillis() + 10_000;
        while (true) { // the closes are seen by the node asynchronously
            try (RawXmpp x = RawXmpp.plain()) {
                x.send(RawXmpp.HEADER);
                String features = x.await("</stream:features>");
                assertTrue(features.contains("<starttls"), features);
                break;
            } catch (IOException | AssertionError e) {
                if (System.currentTimeMillis() > end) {
                    throw e;
                }
                Thread.sleep(200);
            }
        }
    }

    /**
     * Issue 18 §6, RFC 8600 §9 (no enumeration) and RFC 5802 §9: an unknown name gets a simulated salt that depends
     * on the name as accounts are looked up, so two spellings of one unknown name get one salt, as two spellings of
     * an account's name do; and the salt is the same on a new stream. Its iteration count is one that accounts have.
     */
    @Test
    void unknownNamesGetOneSaltPerAccountNameLikeKnownOnes() throws Exception {
        String known = Grid.platform(Grid.uniqueName("salted"), "salted-password-1");
        String unknown = Grid.uniqueName("ghost");
        java.util.Set<String> counts = new java.util.HashSet<>();
        for (String name : new String[] {known, unknown}) {
            String lower;
            String upper;
            String again;
            try (RawXmpp x = RawXmpp.secured()) {
                lower = x.scramSaltOf(name);
            }
            try (RawXmpp x = RawXmpp.secured()) {
                upper = x.scramSaltOf(name.toUpperCase(java.util.Locale.ROOT));
            }
            try (RawXmpp x = RawXmpp.secured()) {
                again = x.scramSaltOf(name);
            }
            assertTrue(lower.startsWith("s="), name + ": " + lower);
            org.junit.jupiter.api.Assertions.assertEquals(lower, upper, name + ": one salt for both spellings");
            org.junit.jupiter.api.Assertions.assertEquals(lower, again, name + ": the same salt on a new stream");
            counts.add(lower.substring(lower.indexOf(",i=")));
        }
        // every account of this server has the same count (it never changed its setting): the unknown name gets it too
        org.junit.jupiter.api.Assertions.assertEquals(1, counts.size(), "one iteration count: " + counts);
    }

    /**
     * Issue 18 §9 (handshake churn), RFC 6120 §4.9.3.14: one address may open grid.connectionRatePerAddress new
     * connections a second (200 on this test server, 400 at once); beyond, its connections get {@code <policy-violation/>}
     * as they are accepted, before any TLS work. Other addresses are served meanwhile, and the address is served again
     * once its rate allows. (The connections come from 127.0.0.2: the other tests' address keeps its own budget.)
     */
    @Test
    void newConnectionsBeyondTheAddressRateGetPolicyViolation() throws Exception {
        java.util.List<java.net.Socket> opened = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 600; i++) {
                java.net.Socket s = new java.net.Socket();
                s.bind(new java.net.InetSocketAddress("127.0.0.2", 0));
                s.connect(new java.net.InetSocketAddress(Grid.HOST, Grid.STARTTLS_PORT));
                opened.add(s);
            }
            int refused = 0;
            for (java.net.Socket s : opened.subList(450, 600)) {
                s.setSoTimeout(200);
                try {
                    String got = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (got.contains("<policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>")
                            && got.contains("too many new connections")) {
                        refused++;
                    }
                } catch (java.net.SocketTimeoutException servedOrWaiting) {
                    // accepted: the node waits for its stream header
                }
            }
            assertTrue(refused > 0, "600 connections at once from one address: some refused for the rate");
        } finally {
            for (java.net.Socket s : opened) {
                s.close();
            }
        }
        try (RawXmpp other = RawXmpp.bound(Grid.platform(Grid.uniqueName("rate-w"), "rate-password-1"), "rate-password-1")) {
            assertTrue(other.sync().isEmpty(), "another address is served");
        }
        Thread.sleep(2500); // the bucket refills
        try (java.net.Socket again = new java.net.Socket()) {
            again.bind(new java.net.InetSocketAddress("127.0.0.2", 0));
            again.connect(new java.net.InetSocketAddress(Grid.HOST, Grid.STARTTLS_PORT));
            again.setSoTimeout(10_000);
            again.getOutputStream().write(RawXmpp.HEADER.getBytes(StandardCharsets.UTF_8));
            byte[] buf = new byte[4096];
            StringBuilder got = new StringBuilder();
            while (got.indexOf("</stream:features>") < 0 && got.indexOf("</stream:stream>") < 0) {
                int n = again.getInputStream().read(buf);
                assertTrue(n > 0, "served: " + got);
                got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            assertTrue(got.indexOf("<starttls") >= 0, "served again once its rate allows: " + got);
        }
    }

    /**
     * Issue 18 §9, RFC 5746 and RFC 7590 §3.4: a TLS 1.2 client that asks for a new handshake on an established
     * XEP-0368 direct TLS connection has the connection closed (renegotiation is refused: each would cost a full
     * handshake); the witness keeps being served.
     */
    @Test
    void tlsRenegotiationIsRefused() throws Exception {
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) Grid.tls().getSocketFactory().createSocket(Grid.HOST, Grid.DIRECT_TLS_PORT);
        try (s) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.setSoTimeout(10_000);
            s.startHandshake();
            s.getOutputStream().write(RawXmpp.HEADER.getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            byte[] buf = new byte[8192];
            StringBuilder opened = new StringBuilder();
            while (opened.indexOf("</stream:features>") < 0) {
                int n = s.getInputStream().read(buf);
                assertTrue(n > 0, "the stream opened: " + opened);
                opened.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            String outcome;
            try {
                s.startHandshake(); // a renegotiation: the client sends a new ClientHello and waits for the answer
                outcome = s.getInputStream().read(buf) < 0 ? "closed" : "served";
            } catch (java.net.SocketTimeoutException e) {
                outcome = "served"; // renegotiated, and the stream still waits for the client
            } catch (IOException e) {
                outcome = "closed"; // the handshake was cut off
            }
            org.junit.jupiter.api.Assertions.assertEquals("closed", outcome, "a renegotiation ends the connection");
        }
    }

    /**
     * Issue 18 §11, RFC 6120 §5.4.3.3 (a STARTTLS command injection): plaintext sent after {@code <starttls/>}, before
     * TLS, never reaches the protected stream: the stream opened over TLS gets its features once and nothing else,
     * and authenticates normally.
     */
    @Test
    void plaintextAfterStarttlsIsDropped() throws Exception {
        String injected = "<<< not XML: parsed after TLS it would end the stream with <not-well-formed/>";
        try (RawXmpp x = RawXmpp.secured(Grid.STARTTLS_PORT, injected)) {
            String features = x.lastFeatures();
            assertTrue(!features.contains("stream:error") && features.contains("<mechanisms"), "features over TLS: " + features);
            x.send("<iq type='get' id='after'><ping xmlns='urn:xmpp:ping'/></iq>");
            String next = x.awaitClose(CLOSE);
            assertTrue(next.contains(streamError("not-authorized")), "the stream over TLS, unauthenticated, refuses the ping"
                    + " (and was not ended by the injected bytes): " + next);
        }
    }

    @Test // RFC 6120 §11.1: "MUST NOT contain ... an internal or external DTD subset"
    void doctypeIsRestrictedXml() throws Exception {
        try (RawXmpp x = RawXmpp.plain()) {
            x.send("<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY boom 'x'>]>" + RawXmpp.HEADER.substring(21));
            assertStreamError(x, "restricted-xml");
        }
    }

    @Test // RFC 6120 §11.1: comments
    void commentIsRestrictedXml() throws Exception {
        try (RawXmpp x = RawXmpp.plain()) {
            x.send(RawXmpp.HEADER);
            x.await("</stream:features>");
            x.send("<!-- hello -->");
            assertStreamError(x, "restricted-xml");
        }
    }

    @Test // RFC 6120 §11.1: processing instructions
    void processingInstructionIsRestrictedXml() throws Exception {
        try (RawXmpp x = RawXmpp.secured()) {
            x.send("<?evil data?>");
            assertStreamError(x, "restricted-xml");
        }
    }

    @Test // RFC 6120 §11.1: entity references other than the predefined ones
    void entityReferenceIsRestrictedXml() throws Exception {
        try (RawXmpp x = RawXmpp.secured()) {
            x.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256'>&xxe;</auth>");
            assertStreamError(x, "restricted-xml");
        }
    }

    @Test // RFC 6120 §4.9.3.13: not-well-formed
    void malformedXmlIsNotWellFormed() throws Exception {
        try (RawXmpp x = RawXmpp.secured()) {
            x.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><oops></auth>");
            assertStreamError(x, "not-well-formed");
        }
    }

    @Test // RFC 6120 §11.3: "the XML ... MUST be well-formed"; §4.9.3.13 <not-well-formed/>. A mismatched end tag
          // is answered as soon as it is complete, not when the next bytes (or the 6 s authentication timeout) come
    void mismatchedEndTagIsNotWellFormedAtOnce() throws Exception {
        for (String input : new String[] {"<x xmlns='urn:x'><y></x>", "<x xmlns='urn:x'><y></y></z>"}) {
            try (RawXmpp x = RawXmpp.secured()) {
                long start = System.nanoTime();
                x.send(input);
                String rest = x.awaitClose(CLOSE);
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertTrue(rest.contains(streamError("not-well-formed")), input + ": expected <not-well-formed/>, got: " + rest);
                assertTrue(rest.contains("</stream:stream>"), "stream not closed: " + rest);
                assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, input + ": answered after " + took);
            }
        }
    }

    @Test // RFC 6120 §11.6: UTF-8 only; invalid sequences are not well-formed
    void invalidUtf8IsNotWellFormed() throws Exception {
        try (RawXmpp x = RawXmpp.secured()) {
            byte[] start = "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-256'>".getBytes(StandardCharsets.UTF_8);
            x.send(start);
            x.send(new byte[] {(byte) 0xC3, (byte) 0x28, 'a', '<', '/', 'a', 'u', 't', 'h', '>'});
            assertStreamError(x, "not-well-formed");
        }
    }

    @Test // RFC 6120 §4.9.3.14 policy-violation: a stanza over the configured size (256 KiB)
    void oversizedStanzaIsPolicyViolation() throws Exception {
        String name = Grid.platform(Grid.uniqueName("big"), "big-password-123");
        try (RawXmpp x = RawXmpp.bound(name, "big-password-123")) {
            StringBuilder body = new StringBuilder(300_000);
            while (body.length() < 300_000) {
                body.append("0123456789abcdef");
            }
            x.send("<message to='" + name + "@grid.local'><body>" + body + "</body></message>");
            assertStreamError(x, "policy-violation");
        }
    }

    @Test // RFC 6120 §4.9.3.14 policy-violation: nesting deeper than the configured depth (32)
    void deepNestingIsPolicyViolation() throws Exception {
        String name = Grid.platform(Grid.uniqueName("deep"), "deep-password-123");
        try (RawXmpp x = RawXmpp.bound(name, "deep-password-123")) {
            StringBuilder s = new StringBuilder("<message to='" + name + "@grid.local'>");
            for (int i = 0; i < 40; i++) {
                s.append("<x xmlns='urn:example:deep'>");
            }
            x.send(s.toString());
            assertStreamError(x, "policy-violation");
        }
    }

    @Test // RFC 6120 §6.4.1 / §4.9.3.12: a stanza before authentication
    void stanzaBeforeAuthenticationIsNotAuthorized() throws Exception {
        try (RawXmpp x = RawXmpp.secured()) {
            x.send("<message to='someone@grid.local'><body>hi</body></message>");
            assertStreamError(x, "not-authorized");
        }
    }

    @Test // RFC 6120 §4.9.3.12: and before TLS, too
    void stanzaBeforeTlsIsNotAuthorized() throws Exception {
        try (RawXmpp x = RawXmpp.plain()) {
            x.send(RawXmpp.HEADER);
            x.await("</stream:features>");
            x.send("<iq type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>");
            assertStreamError(x, "not-authorized");
        }
    }

    @Test // RFC 6120 §4.9.3.6 host-unknown
    void wrongDomainIsHostUnknown() throws Exception {
        try (RawXmpp x = RawXmpp.plain()) {
            x.send(RawXmpp.HEADER.replace("to='" + Grid.DOMAIN + "'", "to='evil.example'"));
            assertStreamError(x, "host-unknown");
        }
    }

    @Test // no authentication within the timeout (6 s in the test server): the stream is closed
    void silentClientIsDisconnected() throws Exception {
        try (RawXmpp x = RawXmpp.secured()) {
            String rest = x.awaitClose(Duration.ofSeconds(20));
            assertTrue(rest.contains(streamError("connection-timeout")), "got: " + rest);
        }
    }

    @Test // RFC 6120 §6.4.5: wrong credentials get <not-authorized/>, repeated failures end the stream
    void wrongPasswordIsNotAuthorizedThenPolicyViolation() throws Exception {
        String name = Grid.platform(Grid.uniqueName("guess"), "the-right-password");
        try (RawXmpp x = RawXmpp.secured()) {
            for (int i = 0; i < 3; i++) {
                AssertionError e = null;
                try {
                    x.scramSha256(name, "a-wrong-password-" + i);
                } catch (AssertionError expected) {
                    e = expected;
                }
                assertTrue(e != null && e.getMessage().contains("<not-authorized/>"), "attempt " + i + ": " + e);
            }
            assertStreamError(x, "policy-violation");
        }
    }

    @Test // a client that stops inside the TLS handshake is cut off at the authentication timeout
    void stalledTlsHandshakeIsDisconnected() throws Exception {
        try (RawXmpp x = RawXmpp.plain()) {
            x.send(RawXmpp.HEADER);
            x.await("</stream:features>");
            x.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
            x.await("<proceed");
            x.awaitClose(Duration.ofSeconds(20)); // no ClientHello ever: the server must close, not hang
        }
    }
}
