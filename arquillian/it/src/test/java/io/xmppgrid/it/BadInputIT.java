package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
