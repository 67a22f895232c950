package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.security.GridPki;
import io.xmppgrid.security.PeerTrust;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Inbound links of peer grids (issue 24): RFC 6120 §4.7–§4.8 ({@code jabber:server} streams), §5
 * (STARTTLS required), §6.4 and XEP-0178 §3 (SASL EXTERNAL with the peer server's certificate),
 * XEP-0368 (direct TLS), §4.9.3 stream errors. A peer is a raw TLS socket presenting a server
 * certificate of its own CA; the grid accepts it only when an administrator configured that domain
 * with that CA and has not revoked it.
 */
@ExtendWith(ArquillianExtension.class)
class FederationIT {

    static final int S2S_PORT = Integer.getInteger("grid.test.xmpp.s2s-port", 15269);
    static final int S2S_TLS_PORT = Integer.getInteger("grid.test.xmpp.s2s-tls-port", 15270);

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    /** Configures {@code peer} on the test server, trusting {@code trustedCa} for it. */
    private static void configure(PeerGrid peer, GridPki.Issued trustedCa, String pin) throws Exception {
        Grid.Result r = Grid.api("PUT", "/peers/" + peer.domain(), peer.form(trustedCa, pin));
        assertEquals(200, r.status(), r.out());
    }

    @Test
    void aConfiguredPeerLinksWithItsOwnCaOverStartTlsOrDirectTlsAndSaslExternal() throws Exception {
        PeerGrid peer = PeerGrid.create("fedok");
        configure(peer, peer.ca(), PeerTrust.spkiPin(peer.server().certificate()));
        try (RawXmpp x = RawXmpp.s2s(S2S_PORT, peer.header(), peer.tls())) {
            String features = x.lastFeatures();
            assertTrue(features.contains("<mechanism>EXTERNAL</mechanism>"), features);
            assertFalse(features.contains("SCRAM"), "a peer grid has no password: " + features);
            assertFalse(features.contains("dialback"), "XEP-0220 is off: " + features);
            x.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
            assertTrue(x.awaitAny("<success", "</failure>").contains("<success"), x.transcript());
            x.send(peer.header());
            String after = x.await("</stream:features>");
            assertFalse(after.contains("<bind") || after.contains("<mechanism"), "nothing left to negotiate: " + after);
            String links = Grid.api("GET", "/peers/links", null).out();
            assertTrue(links.contains("\"domain\":\"" + peer.domain() + "\",\"direction\":\"in\"")
                    && links.contains("\"authenticated\":true"), "the node lists the link: " + links);
            // RFC 6120 §4.9.3.9: a stanza over this link must come from the peer's domain
            x.send("<message from='someone@elsewhere.example.org' to='x@" + Grid.DOMAIN + "'><body>hi</body></message>");
            assertTrue(x.await("</stream:stream>").contains("<invalid-from"), x.transcript());
        }
        String audit = Grid.api("GET", "/audit?actor=" + peer.domain() + "&limit=20", null).out();
        assertTrue(audit.contains("s2s.link") && audit.contains("\"outcome\":\"up\"") && audit.contains("\"outcome\":\"down\""),
                audit);

        // XEP-0368: the same with TLS from the first byte, the authzid naming the peer's domain
        try (RawXmpp x = RawXmpp.s2sDirect(S2S_TLS_PORT, peer.header(), peer.tls())) {
            assertTrue(x.lastFeatures().contains("<mechanism>EXTERNAL</mechanism>"), x.lastFeatures());
            x.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>"
                    + java.util.Base64.getEncoder().encodeToString(peer.domain().getBytes(StandardCharsets.UTF_8)) + "</auth>");
            assertTrue(x.awaitAny("<success", "</failure>").contains("<success"), x.transcript());
            x.send(peer.header());
            x.await("</stream:features>");
            // issue 24: revoking a peer closes its links at once (the issue asks for 1 s; 3 s allowed for a loaded CI)
            assertEquals(200, Grid.api("POST", "/peers/" + peer.domain() + "/revoke", null).status());
            String end = x.await("</stream:stream>", Duration.ofSeconds(3));
            assertTrue(end.contains("<not-authorized") && end.contains("revoked"), end);
        }
        assertEquals(200, Grid.api("POST", "/peers/" + peer.domain() + "/enable", null).status());
        try (RawXmpp x = RawXmpp.s2s(S2S_PORT, peer.header(), peer.tls())) {
            x.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
            assertTrue(x.awaitAny("<success", "</failure>").contains("<success"), x.transcript());
            assertEquals(204, Grid.api("DELETE", "/peers/" + peer.domain(), null).status());
            String end = x.await("</stream:stream>", Duration.ofSeconds(3));
            assertTrue(end.contains("<not-authorized") && end.contains("removed"), end);
        }
    }

    @Test
    void unknownRevokedWronglyIssuedOrRepinnedPeersAreRefusedAndAudited() throws Exception {
        // not on the allow-list: refused at its first header, before TLS
        PeerGrid stranger = PeerGrid.create("fedstranger");
        try (RawXmpp x = RawXmpp.plain(S2S_PORT)) {
            x.send(stranger.header());
            String got = x.await("</stream:stream>");
            assertTrue(got.contains("<policy-violation"), got);
            assertFalse(got.contains("<starttls"), "no features for a stranger: " + got);
        }
        // configured with another CA than the one that issued its certificate
        PeerGrid impostor = PeerGrid.create("fedimpostor");
        GridPki.Issued otherCa = GridPki.createCa("someone else's CA", Duration.ofDays(30));
        configure(impostor, otherCa, null);
        try (RawXmpp x = RawXmpp.s2s(S2S_PORT, impostor.header(), impostor.tls())) {
            x.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
            String got = x.await("</stream:stream>");
            assertTrue(got.contains("<not-authorized/></failure>") && got.contains("<not-authorized xmlns"), got);
        }
        // the right CA but another key than the pinned one
        PeerGrid repinned = PeerGrid.create("fedpin");
        configure(repinned, repinned.ca(), PeerTrust.spkiPin(otherCa.certificate()));
        try (RawXmpp x = RawXmpp.s2s(S2S_PORT, repinned.header(), repinned.tls())) {
            x.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>=</auth>");
            assertTrue(x.await("</stream:stream>").contains("<not-authorized/></failure>"), x.transcript());
        }
        // a peer may not ask to act as another domain
        PeerGrid claims = PeerGrid.create("fedclaims");
        configure(claims, claims.ca(), null);
        try (RawXmpp x = RawXmpp.s2s(S2S_PORT, claims.header(), claims.tls())) {
            x.send("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>"
                    + java.util.Base64.getEncoder().encodeToString("grid.cert.example".getBytes(StandardCharsets.UTF_8))
                    + "</auth>");
            assertTrue(x.await("</stream:stream>").contains("<invalid-authzid/></failure>"), x.transcript());
        }
        // revoked: refused again at the header
        assertEquals(200, Grid.api("POST", "/peers/" + claims.domain() + "/revoke", null).status());
        try (RawXmpp x = RawXmpp.plain(S2S_PORT)) {
            x.send(claims.header());
            assertTrue(x.await("</stream:stream>").contains("<policy-violation"), x.transcript());
        }
        for (PeerGrid p : new PeerGrid[] {stranger, impostor, repinned, claims}) {
            String audit = Grid.api("GET", "/audit?actor=" + p.domain() + "&limit=20", null).out();
            assertTrue(audit.contains("s2s.link") && audit.contains("\"outcome\":\"refused\""), p.domain() + ": " + audit);
        }
    }

    /**
     * The grid's outbound link (the administrator's probe): STARTTLS, this grid's certificate accepted by the peer as
     * a client certificate of the grid CA naming the grid's domain, the peer server's certificate checked against the
     * peer's own CA before SASL EXTERNAL is sent; a peer whose certificate another CA issued gets nothing.
     */
    @Test
    void theGridLinksOutToAPeerAndChecksItsCertificateBeforeAuthenticating() throws Exception {
        PeerGrid peer = PeerGrid.create("fedout");
        try (ReceivingPeer receiving = new ReceivingPeer(peer)) {
            Grid.Result r = Grid.api("PUT", "/peers/" + peer.domain(), peer.form(peer.ca(), null) + "&address=127.0.0.1:"
                    + receiving.port());
            assertEquals(200, r.status(), r.out());
            r = Grid.api("POST", "/peers/" + peer.domain() + "/probe", null);
            assertEquals(200, r.status(), r.out());
            assertTrue(r.out().contains("\"ok\":true") && r.out().contains("\"stage\":\"linked\""), r.out());
            assertTrue(r.out().contains(PeerTrust.fingerprint(peer.server().certificate())), r.out());
            java.security.cert.X509Certificate[] chain = receiving.clientChain().get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(io.xmppgrid.security.CertificateIdentity.dnsNames(chain[0]).contains(Grid.DOMAIN),
                    "the grid presents its own server certificate");
            String sent = receiving.done().get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(sent.contains("xmlns=\"jabber:server\"") && sent.contains("from=\"" + Grid.DOMAIN + "\"")
                    && sent.contains("to=\"" + peer.domain() + "\""), sent);
            assertTrue(sent.contains("mechanism=\"EXTERNAL\">=</auth>"), sent);
        }
        PeerGrid impostor = PeerGrid.create("fedoutbad");
        try (ReceivingPeer receiving = new ReceivingPeer(impostor)) {
            GridPki.Issued otherCa = GridPki.createCa("not the impostor's CA", Duration.ofDays(30));
            assertEquals(200, Grid.api("PUT", "/peers/" + impostor.domain(), impostor.form(otherCa, null)
                    + "&address=127.0.0.1:" + receiving.port()).status());
            Grid.Result r = Grid.api("POST", "/peers/" + impostor.domain() + "/probe", null);
            assertTrue(r.out().contains("\"ok\":false") && r.out().contains("\"stage\":\"certificate\""), r.out());
            String sent = receiving.done().get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertFalse(sent.contains("<auth"), "nothing after TLS to a server that is not the peer: " + sent);
        }
        String audit = Grid.api("GET", "/audit?actor=" + impostor.domain() + "&limit=20", null).out();
        assertTrue(audit.contains("\"outcome\":\"failed\""), audit);
        assertEquals(400, Grid.api("PUT", "/peers/" + impostor.domain(), impostor.form(impostor.ca(), null)
                + "&address=" + java.net.URLEncoder.encode("no such host!", java.nio.charset.StandardCharsets.UTF_8)).status());
    }

    /**
     * Remote subscription (issue 24; RFC 6120 §10.4, XEP-0060 §6.1, §8.6, §7.1.2.1, XEP-0198 §4 on the grid's outbound
     * link): a platform of a peer grid asks, over the peer's inbound link, to subscribe to an {@code authorize} Topic;
     * the answer, the owner's approval and the notifications reach the peer over the grid's own link to it, in publish
     * order; while the peer is down what is published waits on the node and arrives, once and in order, on the next link;
     * the peer's role decides what its platforms may do (consumer: no messages to platforms); revoking the peer closes
     * the grid's link at once and nothing more is sent.
     */
    @Test
    void aPeerPlatformSubscribesTheOwnerApprovesAndNotificationsCrossTheLinkInOrderAcrossAnOutage() throws Exception {
        PeerGrid peer = PeerGrid.create("fedsub");
        String owner = Topics.account("fedowner");
        String node = Topics.node("fed");
        String analyst = "analyst@" + peer.domain();
        String broker = "broker." + Grid.DOMAIN;
        java.util.concurrent.TimeUnit s = java.util.concurrent.TimeUnit.SECONDS;
        try (ReceivingPeer receiving = new ReceivingPeer(peer);
             RawXmpp o = RawXmpp.bound(owner, Topics.PASSWORD)) {
            assertEquals(200, Grid.api("PUT", "/peers/" + peer.domain(), peer.form(peer.ca(), null) + "&address=127.0.0.1:"
                    + receiving.port()).status());
            o.send("<iq type='set' to='" + broker + "' id='c'><pubsub xmlns='" + Topics.PS + "'><create node='" + node
                    + "'/><configure><x xmlns='jabber:x:data' type='submit'><field var='pubsub#access_model'><value>authorize"
                    + "</value></field></x></configure></pubsub></iq>");
            assertTrue(o.nextStanza(Topics.WAIT).contains("type=\"result\""));
            try (RawXmpp in = peer.link(S2S_PORT)) {
                in.send("<iq type='set' id='sub1' from='" + analyst + "/desk' to='" + broker + "'><pubsub xmlns='"
                        + Topics.PS + "'><subscribe node='" + node + "' jid='" + analyst + "'/></pubsub></iq>");
                String result = receiving.stanzas().poll(30, s);
                assertTrue(result != null && result.contains("type=\"result\"") && result.contains("id=\"sub1\"")
                        && result.contains("to=\"" + analyst + "/desk\"") && result.contains("subscription=\"pending\""),
                        "the answer crosses the grid's link: " + result);
                String form = o.nextStanza(Topics.WAIT);
                assertTrue(form.contains("pubsub#subscribe_authorization") && form.contains("<value>" + analyst + "</value>"),
                        form);
                String subid = form.replaceAll("(?s).*var=\"pubsub#subid\" type=\"hidden\"><value>([^<]+)</value>.*", "$1");
                o.send("<message to='" + broker + "' id='ok'><x xmlns='jabber:x:data' type='submit'>"
                        + "<field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#subscribe_authorization"
                        + "</value></field><field var='pubsub#subid'><value>" + subid + "</value></field>"
                        + "<field var='pubsub#node'><value>" + node + "</value></field>"
                        + "<field var='pubsub#subscriber_jid'><value>" + analyst + "</value></field>"
                        + "<field var='pubsub#allow'><value>true</value></field></x></message>");
                String approved = receiving.stanzas().poll(30, s);
                assertTrue(approved != null && approved.contains("subscription=\"subscribed\"")
                        && approved.contains("to=\"" + analyst + "\""), "the approval reaches the subscriber: " + approved);

                List<String> ids = Topics.publish(o, node, "fa", 3);
                for (String id : ids) {
                    String n = receiving.stanzas().poll(30, s);
                    assertTrue(n != null && n.contains("<item id=\"" + id + "\"") && n.contains("from=\"" + broker + "\"")
                            && n.contains("to=\"" + analyst + "\""), id + ": " + n);
                }
                int linksBefore = receiving.links();

                // the peer takes a notification and its link breaks before it acknowledges it: the next link resumes the
                // peer's count (XEP-0198 §5), and it is not sent twice
                receiving.withholdAcks(true);
                String unacknowledged = Topics.publish(o, node, "fw", 1).get(0);
                String taken = receiving.stanzas().poll(30, s);
                assertTrue(taken != null && taken.contains("<item id=\"" + unacknowledged + "\""), taken);

                // the peer grid is down: what is published meanwhile waits on the node and arrives on the next link
                receiving.down(true);
                receiving.withholdAcks(false);
                List<String> meanwhile = Topics.publish(o, node, "fb", 4);
                Thread.sleep(1500);
                receiving.down(false);
                for (String id : meanwhile) {
                    String n = receiving.stanzas().poll(60, s);
                    assertTrue(n != null && n.contains("<item id=\"" + id + "\""), "in order after the outage, once, " + id + ": "
                            + n);
                }
                assertTrue(receiving.links() > linksBefore, "a new link carried them");

                // the peer's role (consumer) grants no messages to platforms: refused, the error back over the link
                in.send("<message id='m1' from='" + analyst + "/desk' to='" + owner + "@" + Grid.DOMAIN + "'><body>hi</body>"
                        + "</message>");
                String err = receiving.stanzas().poll(30, s);
                assertTrue(err != null && err.contains("type=\"error\"") && err.contains("<forbidden")
                        && err.contains("id=\"m1\""), err);
            }
            assertTrue(receiving.stanzas().isEmpty(), "nothing twice: " + receiving.stanzas());

            // revoked: the grid's link closes at once (the issue asks for 1 s; 3 s allowed for a loaded CI), nothing more
            receiving.ends().clear();
            assertEquals(200, Grid.api("POST", "/peers/" + peer.domain() + "/revoke", null).status());
            assertTrue(receiving.ends().poll(3, s) != null, "the outbound link closed");
            Topics.publish(o, node, "fc", 1);
            assertEquals(null, receiving.stanzas().poll(3, s), "nothing is sent to a revoked peer");
        }
        String audit = Grid.api("GET", "/audit?actor=" + peer.domain() + "&limit=50", null).out();
        assertTrue(audit.contains("outbound to 127.0.0.1:") && audit.contains("\"outcome\":\"up\""), audit);
    }

    /**
     * Rate limits per peer grid (issue 24, RFC 8600 §8.3.2): a peer's links are throttled at its role template's rate,
     * as a platform's sessions are: every stanza is answered (none dropped), and the throttling is audited.
     */
    @Test
    void aPeerGridIsThrottledAtItsRoleTemplatesRateAndLosesNothing() throws Exception {
        String role = Grid.uniqueName("peer-slow");
        assertEquals(200, Grid.api("PUT", "/roles/" + role, "description=slow&grants=SUBSCRIBE;RETRIEVE&stanzaRate=2")
                .status());
        PeerGrid peer = PeerGrid.create("fedrate");
        try (ReceivingPeer receiving = new ReceivingPeer(peer)) {
            assertEquals(200, Grid.api("PUT", "/peers/" + peer.domain(), "caPem=" + java.net.URLEncoder.encode(
                    GridPki.toPem(peer.ca().certificate()), StandardCharsets.UTF_8) + "&role=" + role + "&address=127.0.0.1:"
                    + receiving.port()).status());
            int n = 12;
            try (RawXmpp in = peer.link(S2S_PORT)) {
                StringBuilder burst = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    burst.append("<iq type='get' id='q").append(i).append("' from='").append(peer.domain()).append("' to='")
                            .append(Grid.DOMAIN).append("'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
                }
                in.send(burst.toString());
                for (int i = 0; i < n; i++) {
                    String answer = receiving.stanzas().poll(30, java.util.concurrent.TimeUnit.SECONDS);
                    assertTrue(answer != null && answer.contains("id=\"q" + i + "\"") && answer.contains("type=\"result\""),
                            "answer " + i + ": " + answer);
                }
            }
        }
        String audit = Grid.api("GET", "/audit?actor=" + peer.domain() + "&limit=50", null).out();
        assertTrue(audit.contains("limit.exceeded") && audit.contains("\"outcome\":\"throttled\""), audit);
    }

    /**
     * XEP-0198 on the peer's inbound link (§3, §4, §5): the grid counts what it handled, once the application is done
     * with it, and keeps the count after the link breaks, for that peer's next link only.
     */
    @Test
    void aPeerResumesTheCountOfItsBrokenLinkAndNoOtherPeerCan() throws Exception {
        PeerGrid peer = PeerGrid.create("fedsm");
        configure(peer, peer.ca(), null);
        String id;
        try (RawXmpp x = peer.link(S2S_PORT)) {
            assertTrue(x.lastFeatures().contains("urn:xmpp:sm:3"), x.lastFeatures());
            x.send("<enable xmlns='urn:xmpp:sm:3' resume='true'/>");
            String enabled = x.await("/>");
            assertTrue(enabled.contains("<enabled") && enabled.contains("resume=\"true\""), enabled);
            id = enabled.replaceAll("(?s).*id=\"([^\"]+)\".*", "$1");
            x.send("<message from='someone@" + peer.domain() + "' to='nobody-here@" + Grid.DOMAIN + "'><body>1</body></message>"
                    + "<message from='someone@" + peer.domain() + "' to='nobody-here@" + Grid.DOMAIN + "'><body>2</body></message>"
                    + "<r xmlns='urn:xmpp:sm:3'/>");
            assertTrue(x.await("/>").contains("h=\"2\""), x.transcript());
        } // broken without a close
        PeerGrid other = PeerGrid.create("fedsm2");
        configure(other, other.ca(), null);
        try (RawXmpp x = other.link(S2S_PORT)) {
            x.send("<resume xmlns='urn:xmpp:sm:3' previd='" + id + "' h='0'/>");
            assertTrue(x.awaitAny("</failed>", "<failed").contains("failed"), "another peer's count: " + x.transcript());
        }
        try (RawXmpp x = peer.link(S2S_PORT)) {
            x.send("<resume xmlns='urn:xmpp:sm:3' previd='" + id + "' h='0'/>");
            String resumed = x.await("/>");
            assertTrue(resumed.contains("<resumed") && resumed.contains("h=\"2\""), resumed);
            x.send("<message from='someone@" + peer.domain() + "' to='nobody-here@" + Grid.DOMAIN + "'><body>3</body></message>"
                    + "<r xmlns='urn:xmpp:sm:3'/>");
            assertTrue(x.await("/>").contains("h=\"3\""), "the count goes on: " + x.transcript());
        }
    }

    /**
     * RFC 6120 §3.2.1, RFC 2782: a peer configured without an address is found where its DNS SRV record
     * {@code _xmpp-server._tcp.<domain>} says (the test server asks {@link FakeDns} on 127.0.0.1:15353); its certificate
     * must still name the peer's domain, not the record's target.
     */
    @Test
    void withoutAnAddressTheGridFindsThePeersServerByDnsSrvAndLinksWithDirectTlsWhereOffered() throws Exception {
        PeerGrid peer = PeerGrid.create("fedsrv");
        try (ReceivingPeer receiving = new ReceivingPeer(peer);
             FakeDns dns = new FakeDns(Integer.getInteger("grid.test.dns.port", 15353))) {
            dns.srv("_xmpp-server._tcp." + peer.domain(), 0, 5, receiving.port(), "localhost");
            configure(peer, peer.ca(), null);
            Grid.Result r = Grid.api("POST", "/peers/" + peer.domain() + "/probe", null);
            assertTrue(r.out().contains("\"ok\":true") && r.out().contains("\"stage\":\"linked\"")
                    && r.out().contains("localhost:" + receiving.port()), r.out());
        }
        // XEP-0368 §3: a server that takes TLS from the first byte, found by its _xmpps-server record
        PeerGrid direct = PeerGrid.create("fedsrvtls");
        try (ReceivingPeer receiving = new ReceivingPeer(direct, true);
             FakeDns dns = new FakeDns(Integer.getInteger("grid.test.dns.port", 15353))) {
            dns.srv("_xmpps-server._tcp." + direct.domain(), 0, 5, receiving.port(), "localhost");
            configure(direct, direct.ca(), null);
            Grid.Result r = Grid.api("POST", "/peers/" + direct.domain() + "/probe", null);
            assertTrue(r.out().contains("\"ok\":true") && r.out().contains("tls://localhost:" + receiving.port()), r.out());
        }
        // and one configured as tls://host:port
        PeerGrid configured = PeerGrid.create("fedtls");
        try (ReceivingPeer receiving = new ReceivingPeer(configured, true)) {
            assertEquals(200, Grid.api("PUT", "/peers/" + configured.domain(), configured.form(configured.ca(), null)
                    + "&address=" + java.net.URLEncoder.encode("tls://127.0.0.1:" + receiving.port(), StandardCharsets.UTF_8))
                    .status());
            Grid.Result r = Grid.api("POST", "/peers/" + configured.domain() + "/probe", null);
            assertTrue(r.out().contains("\"ok\":true") && r.out().contains("\"stage\":\"linked\""), r.out());
            String sent = receiving.done().get(15, java.util.concurrent.TimeUnit.SECONDS);
            assertFalse(sent.contains("<starttls"), "TLS from the first byte: " + sent);
        }
    }

    @Test
    void hostileInputOnTheServerPortGetsTheSameStreamErrorsAsOnClientStreams() throws Exception {
        try (RawXmpp x = RawXmpp.plain(S2S_PORT)) {
            x.send(RawXmpp.HEADER); // a client's header
            assertTrue(x.await("</stream:stream>").contains("<invalid-namespace"), x.transcript());
        }
        try (RawXmpp x = RawXmpp.plain(S2S_PORT)) {
            x.send("<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'"
                    + " to='" + Grid.DOMAIN + "' version='1.0'>");
            assertTrue(x.await("</stream:stream>").contains("<invalid-from"), "a peer names itself: " + x.transcript());
        }
        try (RawXmpp x = RawXmpp.plain(S2S_PORT)) {
            x.send("<<<not xml at all>>>");
            assertTrue(x.await("</stream:stream>").contains("<not-well-formed"), x.transcript());
        }
        PeerGrid peer = PeerGrid.create("fedbig");
        configure(peer, peer.ca(), null);
        try (RawXmpp x = RawXmpp.plain(S2S_PORT)) {
            x.send(peer.header());
            x.await("</stream:features>");
            // before authentication an element may hold 16 KiB, as on client streams
            x.send("<message from='" + peer.domain() + "'><body>" + "a".repeat(20_000) + "</body></message>");
            String got = x.await("</stream:stream>");
            assertTrue(got.contains("<policy-violation") && got.contains("exceeds 16384 bytes"), got);
        }
    }
}
