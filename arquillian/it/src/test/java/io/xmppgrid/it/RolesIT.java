package io.xmppgrid.it;

import static io.xmppgrid.it.Topics.PS;
import static io.xmppgrid.it.Topics.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Role templates (RFC 8600 §8.3.2 "full authorization model", "functional templates"): each
 * template's allowed and forbidden operations over the wire, on top of XEP-0060 affiliations;
 * refusals are XEP-0060 {@code <forbidden/>} errors (§6.1.3.x, §7.1.3.1, §8.1.3).
 */
@ExtendWith(ArquillianExtension.class)
class RolesIT {

    private static final String PASSWORD = "roles-password-1";
    private static final String IODEF = "urn:ietf:params:xml:ns:iodef-2.0";
    private static final String FORBIDDEN = "<forbidden xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>";

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    private static String platform(String prefix, String role) {
        return Grid.platform(Grid.uniqueName(prefix), PASSWORD, role);
    }

    /** A whitelist Topic owned by a trusted platform, with a payload type and these affiliations. */
    private static String topic(String type, String... jidAffiliationPairs) throws Exception {
        String owner = platform("role-own", "trusted");
        String node = Topics.node("role");
        try (RawXmpp o = RawXmpp.bound(owner, PASSWORD)) {
            o.send("<iq type='set' to='broker.grid.local' id='c'><pubsub xmlns='" + PS + "'><create node='" + node + "'/>"
                    + "<configure><x xmlns='jabber:x:data' type='submit'><field var='pubsub#access_model'><value>whitelist"
                    + "</value></field>" + (type == null ? "" : "<field var='pubsub#type'><value>" + type + "</value></field>")
                    + "</x></configure></pubsub></iq>");
            assertTrue(o.nextStanza(WAIT).contains("type=\"result\""));
            StringBuilder affs = new StringBuilder();
            for (int i = 0; i < jidAffiliationPairs.length; i += 2) {
                affs.append("<affiliation jid='").append(jidAffiliationPairs[i]).append("@grid.local' affiliation='")
                        .append(jidAffiliationPairs[i + 1]).append("'/>");
            }
            o.send("<iq type='set' to='broker.grid.local' id='a'><pubsub xmlns='" + PS + "#owner'><affiliations node='"
                    + node + "'>" + affs + "</affiliations></pubsub></iq>");
            assertTrue(o.nextStanza(WAIT).contains("type=\"result\""));
            o.send("<iq type='set' to='broker.grid.local' id='p'><pubsub xmlns='" + PS + "'><publish node='" + node
                    + "'><item id='seed'>" + Iodef.example("seed") + "</item></publish></pubsub></iq>");
            assertTrue(o.nextStanza(WAIT).contains("type=\"result\""));
        }
        return node;
    }

    /**
     * Issue 19 §2: templates govern every path and every delivery, as they are now. An {@code iodef-reporter}
     * publisher cannot purge the Topic it publishes to ({@code <forbidden/>}, nothing removed); a subscriber
     * downgraded to {@code read-only} receives nothing more from its subscription, at once, live or stored; back to
     * {@code consumer}, it receives again.
     */
    @Test
    void templatesGovernPurgeAndEveryDelivery() throws Exception {
        String reporter = platform("role-rep", "iodef-reporter");
        String consumer = platform("role-sub", "consumer");
        String node = topic(IODEF, reporter, "publisher", consumer, "member");
        try (RawXmpp r = RawXmpp.bound(reporter, PASSWORD); RawXmpp c = RawXmpp.bound(consumer, PASSWORD)) {
            String purge = request(r, PS + "#owner", "<purge node='" + node + "'/>");
            assertTrue(purge.contains(FORBIDDEN), "purge is managing the Topic: " + purge);
            assertTrue(items(c, node).contains("<item id=\"seed\""), "nothing was removed");
            assertTrue(subscribe(c, node, consumer).contains("subscription=\"subscribed\""));

            assertTrue(publish(r, node).contains("type=\"result\""));
            assertTrue(c.nextStanza(WAIT).contains("<event xmlns=\"http://jabber.org/protocol/pubsub#event\""), "delivered");

            assertEquals(0, Grid.admin("platform", "role", consumer, "read-only").status());
            assertTrue(publish(r, node).contains("type=\"result\""));
            assertEquals("", c.sync(), "downgraded: nothing more is delivered");
            assertEquals(0, Grid.offline(consumer, "messages"), "nor stored");

            assertEquals(0, Grid.admin("platform", "role", consumer, "consumer").status());
            assertTrue(publish(r, node).contains("type=\"result\""));
            assertTrue(c.nextStanza(WAIT).contains("<event xmlns=\"http://jabber.org/protocol/pubsub#event\""), "again");
        }
    }

    private static String request(RawXmpp x, String pubsubNs, String op) throws Exception {
        x.send("<iq type='" + (op.startsWith("<items") ? "get" : "set") + "' to='broker.grid.local' id='r'><pubsub xmlns='"
                + pubsubNs + "'>" + op + "</pubsub></iq>");
        return x.nextStanza(WAIT);
    }

    private static String create(RawXmpp x) throws Exception {
        return request(x, PS, "<create node='" + Topics.node("by-role") + "'/>");
    }

    private static String publish(RawXmpp x, String node) throws Exception {
        return request(x, PS, "<publish node='" + node + "'><item>" + Iodef.example("r") + "</item></publish>");
    }

    private static String subscribe(RawXmpp x, String node, String platform) throws Exception {
        return request(x, PS, "<subscribe node='" + node + "' jid='" + platform + "@grid.local'/>");
    }

    private static String items(RawXmpp x, String node) throws Exception {
        return request(x, PS, "<items node='" + node + "'/>");
    }

    private static void ok(String reply) {
        assertTrue(reply.contains("type=\"result\""), reply);
    }

    /**
     * A refusal. Every case below has the XEP-0060 affiliation that would allow the operation, so
     * the {@code <forbidden/>} comes from the role; {@code why} names the grant that is missing.
     */
    private static void forbidden(String reply, String why) {
        assertTrue(reply.contains("type=\"error\"") && reply.contains(FORBIDDEN), why + ": " + reply);
    }

    @Test // every privilege is an explicit grant: a platform without a role may do nothing
    void noRoleMayDoNothing() throws Exception {
        String p = platform("role-none", "");
        String node = topic(null, p, "publisher");
        try (RawXmpp x = RawXmpp.bound(p, PASSWORD)) {
            forbidden(create(x), "has no role");
            forbidden(publish(x, node), "has no role");
            forbidden(items(x, node), "has no role");
        }
    }

    @Test // consumer: subscribes and retrieves; never creates or publishes, even as a publisher
    void consumer() throws Exception {
        String p = platform("role-cons", "consumer");
        String node = topic(null, p, "publisher");
        try (RawXmpp x = RawXmpp.bound(p, PASSWORD)) {
            ok(subscribe(x, node, p));
            ok(items(x, node));
            forbidden(create(x), "role consumer does not allow create");
            forbidden(publish(x, node), "role consumer does not allow publish");
        }
    }

    @Test // sensor: creates Topics and publishes to its own only; does not subscribe
    void sensor() throws Exception {
        String p = platform("role-sens", "sensor");
        String others = topic(null, p, "publisher");
        try (RawXmpp x = RawXmpp.bound(p, PASSWORD)) {
            String own = Topics.node("own");
            ok(request(x, PS, "<create node='" + own + "'/>"));
            ok(publish(x, own));
            forbidden(publish(x, others), "not its own Topic");
            forbidden(subscribe(x, own, p), "role sensor does not allow subscribe");
        }
    }

    @Test // a reporter may publish only to Topics of its payload type (RFC 8600 §8.3.2 example: DHCP server)
    void payloadTypeBoundPublisher() throws Exception {
        String p = platform("role-iodef", "iodef-reporter");
        String iodefTopic = topic(IODEF, p, "publisher");
        String otherTopic = topic(null, p, "publisher");
        try (RawXmpp x = RawXmpp.bound(p, PASSWORD)) {
            ok(publish(x, iodefTopic));
            forbidden(publish(x, otherTopic), "role iodef-reporter does not allow publish");
            forbidden(items(x, iodefTopic), "does not allow retrieve");
        }
    }

    @Test // read-only: retrieves, nothing else
    void readOnly() throws Exception {
        String p = platform("role-ro", "read-only");
        String node = topic(null, p, "member");
        try (RawXmpp x = RawXmpp.bound(p, PASSWORD)) {
            ok(items(x, node));
            forbidden(subscribe(x, node, p), "role read-only does not allow subscribe");
        }
    }

    @Test // templates are data: an administrator defines, assigns, lists and (when unused) deletes them
    void templatesAreData() throws Exception {
        String role = "lab-" + Grid.uniqueName("r").substring(2);
        Grid.Result bad = Grid.api("PUT", "/roles/" + role, "grants=FLY");
        assertEquals(400, bad.status());
        assertTrue(bad.out().contains("unknown action FLY"), bad.out());
        Grid.Result saved = Grid.api("PUT", "/roles/" + role, "description=probe&grants=CREATE%3BPUBLISH+own");
        assertEquals(200, saved.status(), saved.out());
        assertTrue(saved.out().contains("\"grants\":\"CREATE;PUBLISH own\""), saved.out());

        String p = platform("role-lab", "");
        try (RawXmpp x = RawXmpp.bound(p, PASSWORD)) {
            forbidden(create(x), "has no role");
            Grid.Result assigned = Grid.admin("platform", "role", p, role);
            assertEquals(0, assigned.status(), assigned.err());
            ok(create(x)); // takes effect on the next request, no reconnect
        }
        assertTrue(Grid.api("GET", "/roles", null).out().contains("\"name\":\"" + role + "\",\"grants\":\"CREATE;PUBLISH own\","
                + "\"platforms\":1"));
        assertEquals(409, Grid.api("DELETE", "/roles/" + role, null).status());
        assertEquals(0, Grid.admin("platform", "role", p, "").status());
        assertEquals(204, Grid.api("DELETE", "/roles/" + role, null).status());
    }
}
