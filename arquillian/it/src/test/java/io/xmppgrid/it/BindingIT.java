package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** RFC 6120 §7 resource binding, and §8.2.3 IQ semantics, over raw sockets. */
@ExtendWith(ArquillianExtension.class)
class BindingIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    private static RawXmpp authenticated(String name) throws Exception {
        RawXmpp x = RawXmpp.secured();
        x.scramSha256(name, "bind-password-123");
        x.send(RawXmpp.HEADER);
        String features = x.await("</stream:features>");
        assertTrue(features.contains("<bind xmlns=\"urn:ietf:params:xml:ns:xmpp-bind\"/>"), features);
        return x;
    }

    @Test // §7.6: the server generates a resourcepart when the client asks for none
    void serverGeneratedResource() throws Exception {
        String name = Grid.platform(Grid.uniqueName("bind"), "bind-password-123");
        try (RawXmpp x = authenticated(name)) {
            x.send("<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
            String reply = x.await("</iq>");
            Matcher m = Pattern.compile("<jid>" + Pattern.quote(name + "@grid.local/") + "([^<]+)</jid>").matcher(reply);
            assertTrue(m.find(), reply);
            assertTrue(reply.contains("type=\"result\"") && reply.contains("id=\"b1\""), reply);
        }
    }

    @Test // §7.7.2.1: an invalid resourcepart is <bad-request/>
    void invalidResourceIsBadRequest() throws Exception {
        String name = Grid.platform(Grid.uniqueName("bind"), "bind-password-123");
        try (RawXmpp x = authenticated(name)) {
            x.send("<iq type='set' id='b2'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource> </resource></bind></iq>");
            String reply = x.await("</iq>");
            assertTrue(reply.contains("type=\"result\""), "blank resource means server-generated: " + reply);
        }
        try (RawXmpp x = authenticated(name)) {
            x.send("<iq type='set' id='b3'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>tab\there</resource></bind></iq>");
            String reply = x.await("</iq>");
            assertTrue(reply.contains("<bad-request xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"), reply);
        }
    }

    @Test // §7.7.2.2: the same full JID bound again replaces the older session with <conflict/>
    void conflictingResourceReplacesOlderSession() throws Exception {
        String name = Grid.platform(Grid.uniqueName("bind"), "bind-password-123");
        try (RawXmpp first = authenticated(name); RawXmpp second = authenticated(name)) {
            first.send("<iq type='set' id='c1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>dup</resource></bind></iq>");
            assertTrue(first.await("</iq>").contains("/dup</jid>"));
            second.send("<iq type='set' id='c2'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>dup</resource></bind></iq>");
            assertTrue(second.await("</iq>").contains("/dup</jid>"));
            String rest = first.awaitClose(Duration.ofSeconds(10));
            assertTrue(rest.contains("<conflict xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>"), rest);
            second.send("<iq type='get' id='p'><ping xmlns='urn:xmpp:ping'/></iq>");
            assertTrue(second.await("id=\"p\"").contains("type=\"result\""), "the new session works");
        }
    }

    @Test // RFC 6120 §8.2.3: an IQ get/set has exactly one child; otherwise <bad-request/>
    void iqWithTwoChildrenIsBadRequest() throws Exception {
        String name = Grid.platform(Grid.uniqueName("iq"), "bind-password-123");
        try (RawXmpp x = RawXmpp.bound(name, "bind-password-123")) {
            x.send("<iq type='get' id='two'><ping xmlns='urn:xmpp:ping'/><ping xmlns='urn:xmpp:ping'/></iq>");
            String reply = x.await("</iq>");
            assertTrue(reply.contains("id=\"two\"") && reply.contains("type=\"error\"")
                    && reply.contains("<bad-request xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"), reply);
            x.send("<iq type='get' id='none'/>");
            reply = x.await("</iq>");
            assertTrue(reply.contains("id=\"none\"") && reply.contains("<bad-request"), reply);
        }
    }

    @Test // RFC 6120 §8.1.2.1: a 'from' that is not the session's own address ends the stream
    void spoofedFromIsInvalidFrom() throws Exception {
        String name = Grid.platform(Grid.uniqueName("spoof"), "bind-password-123");
        try (RawXmpp x = RawXmpp.bound(name, "bind-password-123")) {
            x.send("<message from='someone-else@grid.local/x' to='" + name + "@grid.local'><body>hi</body></message>");
            String rest = x.awaitClose(Duration.ofSeconds(10));
            assertTrue(rest.contains("<invalid-from xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>"), rest);
        }
    }
}
