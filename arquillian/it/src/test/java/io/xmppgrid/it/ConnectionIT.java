package io.xmppgrid.it;

import io.xmppgrid.client.sasl.Scram256Mechanism;
import io.xmppgrid.client.sasl.Scram256PlusMechanism;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.SimpleIQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.sasl.SASLErrorException;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.ping.packet.Ping;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.jxmpp.jid.impl.JidCreate;

/**
 * A real client (Smack) over real TLS against the deployed EAR: every mechanism we offer,
 * resource binding, and the first stanzas the server answers itself.
 */
@ExtendWith(ArquillianExtension.class)
class ConnectionIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    private static String newPlatform(String prefix) {
        return Grid.platform(Grid.uniqueName(prefix), prefix + "-password-1");
    }

    @Test // RFC 6120 §5 STARTTLS + RFC 7677 SCRAM-SHA-256 + §7 binding of a client-requested resource
    void scramSha256OverStartTls() throws Exception {
        String name = newPlatform("alice");
        XMPPTCPConnection c = Smack.connect(Smack.starttls(name, "alice-password-1", Scram256Mechanism.NAME).setResource("sensor"));
        try {
            assertTrue(c.isSecureConnection());
            assertEquals(Scram256Mechanism.NAME, c.getUsedSaslMechansism());
            assertEquals(name + "@grid.local/sensor", c.getUser().toString());
        } finally {
            c.disconnect();
        }
    }

    @Test // RFC 7677 + RFC 5929: SCRAM-SHA-256-PLUS with tls-server-end-point, as RFC 8600 §8.3.1 prefers
    void scramSha256PlusWithServerEndPoint() throws Exception {
        String name = newPlatform("plus");
        XMPPTCPConnection c = Smack.connect(Smack.starttls(name, "plus-password-1", Scram256PlusMechanism.NAME));
        try {
            assertEquals(Scram256PlusMechanism.NAME, c.getUsedSaslMechansism());
        } finally {
            c.disconnect();
        }
    }

    @Test // RFC 6120 §6.5.10: a wrong password is <not-authorized/>
    void wrongPasswordIsRefused() throws Exception {
        String name = newPlatform("wrong");
        SASLErrorException e = assertThrows(SASLErrorException.class,
                () -> Smack.connect(Smack.starttls(name, "not-the-password", Scram256Mechanism.NAME)));
        assertTrue(e.getMessage().contains("not-authorized"), e.getMessage());
    }

    @Test // RFC 6120 §6.3.8: an authzid naming another platform is <invalid-authzid/>
    void foreignAuthzidIsRefused() throws Exception {
        String name = newPlatform("authz");
        String victim = newPlatform("victim");
        SASLErrorException e = assertThrows(SASLErrorException.class, () -> Smack.connect(
                Smack.starttls(name, "authz-password-1", Scram256Mechanism.NAME)
                        .setAuthzid(JidCreate.entityBareFrom(victim + "@grid.local"))));
        assertTrue(e.getMessage().contains("invalid-authzid"), e.getMessage());
    }

    @Test // RFC 6120 §6.4 / XEP-0178: SASL EXTERNAL with a certificate issued by the onboarding command
    void externalWithIssuedCertificate() throws Exception {
        String name = Grid.uniqueName("cert");
        Path p12 = Files.createTempFile("platform", ".p12");
        Grid.Result r = Grid.admin("cert", "issue", name, "--out", p12.toString(), "--p12-password", "p12-secret-123");
        assertEquals(0, r.status(), r.err());
        XMPPTCPConnection c = Smack.connect(Smack.external(p12, "p12-secret-123".toCharArray()));
        try {
            assertEquals("EXTERNAL", c.getUsedSaslMechansism());
            assertEquals(name + "@grid.local", c.getUser().asBareJid().toString());
        } finally {
            c.disconnect();
        }
    }

    @Test // XEP-0368: direct TLS on its own port, then SCRAM-SHA-256
    void directTls() throws Exception {
        String name = newPlatform("direct");
        SSLSocketFactory tls = Grid.tls().getSocketFactory();
        XMPPTCPConnectionConfiguration.Builder b = Smack.starttls(name, "direct-password-1", Scram256Mechanism.NAME)
                .setPort(Grid.DIRECT_TLS_PORT).setSecurityMode(SecurityMode.disabled).setSocketFactory(tls);
        XMPPTCPConnection c = Smack.connect(b);
        try {
            IQ pong = c.sendIqRequestAndWaitForResponse(new Ping(JidCreate.domainBareFrom(Grid.DOMAIN)));
            assertEquals(IQ.Type.result, pong.getType());
        } finally {
            c.disconnect();
        }
    }

    @Test // XEP-0199 §4.2 ping the server; XEP-0030 §3.1 disco#info of the domain
    void pingAndDiscoInfo() throws Exception {
        String name = newPlatform("disco");
        XMPPTCPConnection c = Smack.connect(Smack.starttls(name, "disco-password-1", Scram256Mechanism.NAME));
        try {
            IQ pong = c.sendIqRequestAndWaitForResponse(new Ping(JidCreate.domainBareFrom(Grid.DOMAIN)));
            assertEquals(IQ.Type.result, pong.getType());
            DiscoverInfo info = ServiceDiscoveryManager.getInstanceFor(c).discoverInfo(JidCreate.domainBareFrom(Grid.DOMAIN));
            assertTrue(info.hasIdentity("server", "im"), info.toXML().toString());
            assertTrue(info.containsFeature("urn:xmpp:ping"));
            assertTrue(info.containsFeature("http://jabber.org/protocol/disco#info"));
            assertTrue(info.containsFeature("http://jabber.org/protocol/disco#items"));
            assertTrue(info.containsFeature("msgoffline"), "XEP-0160 §5: offline storage advertised");
        } finally {
            c.disconnect();
        }
    }

    @Test // XEP-0199 §4.1: a silent stream is pinged; one that answers stays, one that does not gets <connection-timeout/>
    void keepalivePingsSilentStreamsAndClosesDeadOnes() throws Exception {
        // the test server pings after 30 s of silence and waits 30 s for the answer (arquillian.xml)
        String a = newPlatform("alive");
        String d = newPlatform("dead");
        try (RawXmpp answering = RawXmpp.bound(a, "alive-password-1"); RawXmpp silent = RawXmpp.bound(d, "dead-password-1")) {
            String ping = answering.await("</iq>", java.time.Duration.ofSeconds(60));
            assertTrue(ping.contains("type=\"get\"") && ping.contains("<ping xmlns=\"urn:xmpp:ping\"/>"), ping);
            java.util.regex.Matcher id = java.util.regex.Pattern.compile("id=\"([^\"]+)\"").matcher(ping);
            assertTrue(id.find(), ping);
            answering.send("<iq type='result' id='" + id.group(1) + "' to='grid.local'/>");

            String closed = silent.awaitClose(java.time.Duration.ofSeconds(120));
            assertTrue(closed.contains("<ping xmlns=\"urn:xmpp:ping\"/>"), "pinged first: " + closed);
            assertTrue(closed.contains("<connection-timeout xmlns=\"urn:ietf:params:xml:ns:xmpp-streams\"/>"), closed);

            // the answering stream is still served
            answering.send("<iq type='get' id='still'><ping xmlns='urn:xmpp:ping'/></iq>");
            assertTrue(answering.await("id=\"still\"").contains("still"));
        }
    }

    @Test // RFC 6120 §8.4: an IQ in a namespace nobody serves gets <service-unavailable/>
    void unknownNamespaceIsServiceUnavailable() throws Exception {
        String name = newPlatform("unknown");
        XMPPTCPConnection c = Smack.connect(Smack.starttls(name, "unknown-password-1", Scram256Mechanism.NAME));
        try {
            IQ iq = new SimpleIQ("query", "urn:example:nothing") {
            };
            iq.setType(IQ.Type.get);
            iq.setTo(JidCreate.domainBareFrom(Grid.DOMAIN));
            XMPPException.XMPPErrorException e = assertThrows(XMPPException.XMPPErrorException.class,
                    () -> c.sendIqRequestAndWaitForResponse(iq));
            assertEquals(StanzaError.Condition.service_unavailable, e.getStanzaError().getCondition());
        } finally {
            c.disconnect();
        }
    }

    /**
     * XEP-0030 §8: to a bare JID whose presence the requester may not see (here: every other platform, the grid
     * keeps no rosters), and to a bare JID that does not exist, disco#items gets an empty result (with or
     * without a node) and disco#info gets &lt;service-unavailable/&gt;; the answers for an existing platform
     * (online or not) and a missing one are the same, so nothing can be enumerated.
     */
    @Test
    void discoToABareJidRevealsNothing() throws Exception {
        String asker = newPlatform("disco-ask");
        String online = newPlatform("disco-on");
        String offline = newPlatform("disco-off");
        String missing = Grid.uniqueName("disco-none");
        try (RawXmpp a = RawXmpp.bound(asker, "disco-ask-password-1");
             RawXmpp o = RawXmpp.bound(online, "disco-on-password-1")) {
            o.send("<presence/>");
            String[] queries = {
                "<query xmlns='http://jabber.org/protocol/disco#items'/>",
                "<query xmlns='http://jabber.org/protocol/disco#items' node='http://jabber.org/protocol/commands'/>",
                "<query xmlns='http://jabber.org/protocol/disco#info'/>",
            };
            for (String q : queries) {
                java.util.List<String> answers = new java.util.ArrayList<>();
                for (String target : new String[] {online, offline, missing}) {
                    a.send("<iq type='get' id='d1' to='" + target + "@grid.local'>" + q + "</iq>");
                    answers.add(a.nextStanza(Duration.ofSeconds(15)).replace(target + "@", "TARGET@"));
                }
                assertEquals(answers.get(0), answers.get(1), q + ": online and offline platform answered differently");
                assertEquals(answers.get(0), answers.get(2), q + ": existing and missing platform answered differently");
                String r = answers.get(0);
                if (q.contains("disco#items")) {
                    assertTrue(r.contains("type=\"result\"") && r.contains("from=\"TARGET@grid.local\""), r);
                    assertTrue(r.matches("(?s).*<query xmlns=\"http://jabber.org/protocol/disco#items\"( node=\"[^\"]+\")?/></iq>"), r);
                    assertEquals(q.contains("node="), r.contains("node=\"http://jabber.org/protocol/commands\""), r);
                } else {
                    assertTrue(r.contains("type=\"error\"") && r.contains("<error type=\"cancel\"><service-unavailable "
                            + "xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"), r);
                }
            }
        }
    }

    @Test // RFC 6120 §10.5 / RFC 6121 §8.5.3.1 (full JID) and §8.5.2.1.1 (bare JID, available resource)
    void messageBetweenTwoPlatforms() throws Exception {
        String a = newPlatform("prov");
        String b = newPlatform("cons");
        XMPPTCPConnection alice = Smack.connect(Smack.starttls(a, "prov-password-1", Scram256Mechanism.NAME));
        XMPPTCPConnection bob = Smack.connect(Smack.starttls(b, "cons-password-1", Scram256Mechanism.NAME));
        try {
            BlockingQueue<Message> received = new LinkedBlockingQueue<>();
            bob.addSyncStanzaListener(s -> received.add((Message) s), StanzaTypeFilter.MESSAGE);
            alice.sendStanza(alice.getStanzaFactory().buildMessageStanza().to(bob.getUser())
                    .ofType(Message.Type.chat).setBody("to the full JID").build());
            Message m1 = received.poll(15, TimeUnit.SECONDS);
            assertNotNull(m1, "nothing delivered to the full JID");
            assertEquals("to the full JID", m1.getBody());
            assertEquals(alice.getUser(), m1.getFrom(), "the server stamps the sender's full JID");

            alice.sendStanza(alice.getStanzaFactory().buildMessageStanza().to(bob.getUser().asBareJid())
                    .ofType(Message.Type.normal).setBody("to the bare JID").build());
            Message m2 = received.poll(15, TimeUnit.SECONDS);
            assertNotNull(m2, "nothing delivered to the bare JID");
            assertEquals("to the bare JID", m2.getBody());
        } finally {
            alice.disconnect();
            bob.disconnect();
        }
    }

    @Test // RFC 6120 §10.1: stanzas of one stream are processed in order
    void stanzasOfOneStreamArriveInOrder() throws Exception {
        String a = newPlatform("order-a");
        String b = newPlatform("order-b");
        XMPPTCPConnection alice = Smack.connect(Smack.starttls(a, "order-a-password-1", Scram256Mechanism.NAME));
        XMPPTCPConnection bob = Smack.connect(Smack.starttls(b, "order-b-password-1", Scram256Mechanism.NAME));
        try {
            BlockingQueue<Message> received = new LinkedBlockingQueue<>();
            bob.addSyncStanzaListener(s -> received.add((Message) s), StanzaTypeFilter.MESSAGE);
            int n = 300;
            for (int i = 0; i < n; i++) {
                alice.sendStanza(alice.getStanzaFactory().buildMessageStanza().to(bob.getUser())
                        .ofType(Message.Type.chat).setBody(Integer.toString(i)).build());
            }
            for (int i = 0; i < n; i++) {
                Message m = received.poll(15, TimeUnit.SECONDS);
                assertNotNull(m, "message " + i + " missing");
                assertEquals(Integer.toString(i), m.getBody(), "out of order");
            }
        } finally {
            alice.disconnect();
            bob.disconnect();
        }
    }

    @Test // XEP-0178 / RFC 6120 §6.3.8: EXTERNAL's authzid must be an identity the certificate asserts
    void externalWithForeignAuthzidIsRefused() throws Exception {
        String name = Grid.uniqueName("certz");
        String other = newPlatform("other");
        Path p12 = Files.createTempFile("platform", ".p12");
        assertEquals(0, Grid.admin("cert", "issue", name, "--out", p12.toString(), "--p12-password", "p12-secret-123").status());
        SASLErrorException e = assertThrows(SASLErrorException.class, () -> Smack.connect(
                Smack.external(p12, "p12-secret-123".toCharArray()).setAuthzid(JidCreate.entityBareFrom(other + "@grid.local"))));
        assertTrue(e.getMessage().contains("invalid-authzid"), e.getMessage());
    }

    @Test // RFC 8600 §8.3.1: certificates must chain to the configured trust anchors
    void certificateFromAnotherCaIsRejected() throws Exception {
        String name = newPlatform("forged");
        io.xmppgrid.security.GridPki.Issued rogueCa = io.xmppgrid.security.GridPki.createCa("rogue", java.time.Duration.ofDays(1));
        io.xmppgrid.security.GridPki.Issued forged = io.xmppgrid.security.GridPki.issuePlatform(rogueCa,
                io.xmppgrid.xmpp.Jid.parse(name + "@grid.local"), java.time.Duration.ofDays(1));
        Path p12 = Files.createTempFile("forged", ".p12");
        Files.write(p12, io.xmppgrid.security.GridPki.toPkcs12(forged, "x", "forged-pass".toCharArray()));
        Exception e = assertThrows(Exception.class, () -> Smack.connect(Smack.external(p12, "forged-pass".toCharArray())));
        assertTrue(!(e instanceof SASLErrorException), "the TLS handshake itself must fail, not SASL: " + e);
    }
}
