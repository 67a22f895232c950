package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.pubsub.LeafNode;
import org.jivesoftware.smackx.pubsub.PayloadItem;
import org.jivesoftware.smackx.pubsub.PubSubManager;
import org.jivesoftware.smackx.pubsub.SimplePayload;
import org.jivesoftware.smackx.pubsub.Subscription;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.jxmpp.jid.impl.JidCreate;

/**
 * Two grids federate (issue 24): grid A is this module's cluster (grid.local, two nodes, PostgreSQL, the shared CA),
 * grid B another organisation's single node as the README runs one (grid-b.test, embedded H2, the CA it made
 * itself). Each administrator imports the other grid's CA and allows it as a peer with a role; a platform of B
 * (Smack) subscribes to an {@code authorize} Topic of A's broker, A's owner approves, IODEF published on either node of
 * A crosses that node's own link (mutual TLS, SASL EXTERNAL, XEP-0198 acknowledgements) and reaches B's platform; while
 * it is offline, B stores it and delivers it later with a XEP-0203 delay; removing the peer at A closes the links on
 * both of A's nodes within a second and nothing more is delivered. RFC 6120 §10.4, §13.7; XEP-0060 §6.1, §8.6,
 * §7.1.2.1; XEP-0160; XEP-0178.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class FederationClusterIT {

    private static final String B = "grid-b.test";
    private static final String B_API = "http://127.0.0.1:18280/grid-admin/api";
    private static final int B_STARTTLS = 25722;
    private static final int B_S2S = 25769;
    private static final int NODE1_S2S = 25369;
    private static final String NODE1_API = "http://127.0.0.1:18180/grid-admin/api";
    private static final String NODE2_API = "http://127.0.0.1:18380/grid-admin/api";
    private static final int NODE1_STARTTLS = 25322;
    private static final int NODE2_STARTTLS = 25422;
    private static final String BROKER_A = "broker." + Grid.DOMAIN;

    @ArquillianResource
    private ContainerController controller;

    @BeforeEach
    void grids() throws Exception {
        Path props = Path.of(System.getProperty("grid.cluster.nodes.dir"), "database.properties");
        Assumptions.assumeTrue(Files.size(props) > 0, "no PostgreSQL on 127.0.0.1:5432: grid A is a cluster");
        for (String n : new String[] {"node-1", "node-2", "grid-b"}) {
            if (!controller.isStarted(n)) {
                controller.start(n); // node 1 first: it migrates the schema
            }
        }
    }

    private static Path bData() {
        return Path.of(System.getProperty("grid.cluster.nodes.dir"), "grid-b", "data", "grid");
    }

    private static X509Certificate bCa() throws Exception {
        try (InputStream in = Files.newInputStream(bData().resolve("tls").resolve("ca.pem"))) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static HttpResponse<String> call(String api, Path tokenFile, String method, String path, String form)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + path))
                .header("Authorization", "Bearer " + Files.readString(tokenFile).trim());
        if (form == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/x-www-form-urlencoded").method(method, HttpRequest.BodyPublishers.ofString(form));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> a(String api, String method, String path, String form) throws Exception {
        return call(api, Grid.tokenFile(), method, path, form);
    }

    private static HttpResponse<String> b(String method, String path, String form) throws Exception {
        return call(B_API, bData().resolve("admin-token"), method, path, form);
    }

    private static String pem(X509Certificate c) {
        return URLEncoder.encode(io.xmppgrid.security.GridPki.toPem(c), StandardCharsets.UTF_8);
    }

    /** A's broker, as any platform of either grid addresses it. */
    private static PubSubManager broker(XMPPTCPConnection c) throws Exception {
        return PubSubManager.getInstanceFor(c, JidCreate.bareFrom(BROKER_A));
    }

    private static String await(BlockingQueue<String> q, String what) throws InterruptedException {
        String s = q.poll(60, TimeUnit.SECONDS);
        assertTrue(s != null, "nothing arrived: " + what);
        return s;
    }

    @Test
    void aPlatformOfAnotherGridSubscribesTheOwnerApprovesAndIodefFromEitherNodeArrivesOnlineAndOffline() throws Exception {
        // each administrator imports the other grid's CA: A lets B's platforms subscribe and retrieve (consumer);
        // B lets A's broker message its platforms (a role of its own with MESSAGE only)
        // A reaches B through a proxy the test can cut (a network that fails between the grids)
        CuttableProxy toB = new CuttableProxy("127.0.0.1", B_S2S);
        String bPeer = "caPem=" + pem(bCa()) + "&role=consumer&address=127.0.0.1:";
        assertEquals(200, a(NODE1_API, "PUT", "/peers/" + B, bPeer + toB.port()).statusCode());
        assertEquals(200, b("PUT", "/roles/peer-feed", "description=A+peer+grid%27s+notifications&grants=MESSAGE").statusCode());
        HttpResponse<String> r = b("PUT", "/peers/" + Grid.DOMAIN, "caPem=" + pem(Grid.caCertificate())
                + "&role=peer-feed&address=127.0.0.1:" + NODE1_S2S);
        assertEquals(200, r.statusCode(), r.body());

        String owner = Grid.platform(Grid.uniqueName("fed-owner"), Topics.PASSWORD);
        String analystName = Grid.uniqueName("analyst");
        String password = "analyst-secret-pw-1";
        r = b("POST", "/platforms", "name=" + analystName + "&password=" + password + "&role=trusted");
        assertTrue(r.statusCode() == 200 || r.statusCode() == 201, r.statusCode() + " " + r.body());
        String analyst = analystName + "@" + B;
        String node = Topics.node("fed");

        // Smack on both sides: A's owner on node 1 and node 2, B's platform on B
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        XMPPTCPConnection platformB = Smack.connect(Smack.starttls(B, B_STARTTLS, bCa(), analystName, password));
        platformB.addAsyncStanzaListener(s -> got.add(s.toXML().toString()), StanzaTypeFilter.MESSAGE);
        XMPPTCPConnection owner1 = Smack.connect(Smack.starttls(owner, Topics.PASSWORD, "SCRAM-SHA-256")
                .setPort(NODE1_STARTTLS).setResource("desk-1"));
        XMPPTCPConnection owner2 = Smack.connect(Smack.starttls(owner, Topics.PASSWORD, "SCRAM-SHA-256")
                .setPort(NODE2_STARTTLS).setResource("desk-2"));
        try {
            // XEP-0060 §8.1: an authorize Topic (the broker's default access model)
            LeafNode topic1 = broker(owner1).createNode(node);
            LeafNode topic2 = broker(owner2).getLeafNode(node);

            // XEP-0060 §6.1: B's platform subscribes to A's Topic as it would to its own grid's; B routes the request
            // over its link to A, A answers over its own link to B
            LeafNode remote = broker(platformB).getLeafNode(node);
            Subscription requested = remote.subscribe(JidCreate.entityBareFrom(analyst));
            assertEquals(Subscription.State.pending, requested.getState());

            // XEP-0060 §8.8.2: A's owner approves the remote subscriber; §8.6: it is told by an event, across the link
            List<Subscription> pending = topic1.getSubscriptionsAsOwner();
            assertTrue(pending.stream().anyMatch(p -> p.getJid().toString().equals(analyst)
                    && p.getState() == Subscription.State.pending), pending.toString());
            topic1.modifySubscriptionsAsOwner(List.of(new Subscription(JidCreate.entityBareFrom(analyst),
                    Subscription.State.subscribed)));
            String approved = await(got, "the approval");
            assertTrue(approved.contains("subscription='subscribed'") || approved.contains("subscription=\"subscribed\""),
                    approved);

            // XEP-0060 §7.1: IODEF published on node 1, then on node 2: each node's own link carries its notifications
            for (String id : List.of("n1-0", "n1-1")) {
                topic1.publish(new PayloadItem<>(id, new SimplePayload(Iodef.example(id))));
                String n = await(got, id);
                assertTrue(n.contains(id) && n.contains("urn:ietf:params:xml:ns:iodef-2.0"), n);
            }
            for (String id : List.of("n2-0", "n2-1")) {
                topic2.publish(new PayloadItem<>(id, new SimplePayload(Iodef.example(id))));
                assertTrue(await(got, id).contains(id));
            }
            String links = a(NODE1_API, "GET", "/peers/links", null).body();
            assertTrue(links.contains("\"node\":\"node-1\",\"domain\":\"" + B + "\",\"direction\":\"out\"")
                    && links.contains("\"node\":\"node-2\",\"domain\":\"" + B + "\",\"direction\":\"out\""),
                    "both nodes of A linked out to B: " + links);

            // XEP-0160: B's platform is offline; B stores what arrives for it and delivers it with a delay when it is back
            platformB.disconnect();
            topic2.publish(new PayloadItem<>("away-0", new SimplePayload(Iodef.example("away-0"))));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!b("GET", "/platforms/" + analystName + "/offline", null).body().contains("\"messages\":1")) {
                assertTrue(System.nanoTime() < end, "B stored nothing for its offline platform");
                Thread.sleep(200);
            }
            got.clear();
            platformB = Smack.connect(Smack.starttls(B, B_STARTTLS, bCa(), analystName, password));
            platformB.addAsyncStanzaListener(s -> got.add(s.toXML().toString()), StanzaTypeFilter.MESSAGE);
            String stored = await(got, "the stored notification");
            assertTrue(stored.contains("away-0") && stored.contains("urn:xmpp:delay"), stored);

            // kill -9 of a node that holds notifications for B: the network to B fails (links cut, B unreachable),
            // node 2 takes two publishes it cannot send, and dies; node 1 takes over their stored copies and sends them
            // once B is reachable again: nothing acknowledged is lost, nothing arrives twice
            assertEquals(200, a(NODE1_API, "PUT", "/peers/" + B, bPeer + "1").statusCode()); // nothing listens on 1
            toB.cut();
            List<String> beforeKill = List.of("kill-0", "kill-1");
            for (String id : beforeKill) {
                topic2.publish(new PayloadItem<>(id, new SimplePayload(Iodef.example(id)))); // acknowledged by node 2
            }
            Thread.sleep(1000);
            String marker = "-Djboss.server.base.dir=" + Path.of(System.getProperty("grid.cluster.nodes.dir"), "node-2");
            ProcessHandle node2 = ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                    .findFirst().orElseThrow(() -> new AssertionError("no process with " + marker));
            assertTrue(node2.destroyForcibly());
            node2.onExit().get();
            owner2.instantShutdown();
            try {
                controller.kill("node-2"); // Arquillian's bookkeeping: the process is gone already
            } catch (RuntimeException e) {
                // nothing left to kill
            }
            assertEquals(200, a(NODE1_API, "PUT", "/peers/" + B, bPeer + toB.port()).statusCode());
            for (String id : beforeKill) {
                String n = got.poll(120, TimeUnit.SECONDS);
                assertTrue(n != null && n.contains(id), "after the kill, " + id + ": " + n);
            }
            assertNull(got.poll(2, TimeUnit.SECONDS), "nothing twice");
            controller.start("node-2");

            // removing the peer at A (through node 2) closes both nodes' links with B within a second (3 s on CI)
            assertEquals(204, a(NODE2_API, "DELETE", "/peers/" + B, null).statusCode());
            end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            String bLinks;
            while ((bLinks = b("GET", "/peers/links", null).body()).contains("\"domain\":\"" + Grid.DOMAIN + "\",\"direction\":\"in\"")) {
                assertTrue(System.nanoTime() < end, "B still has links in from A: " + bLinks);
                Thread.sleep(100);
            }
            topic1.publish(new PayloadItem<>("after-0", new SimplePayload(Iodef.example("after-0"))));
            assertNull(got.poll(3, TimeUnit.SECONDS), "nothing reaches B after A removed it");
        } finally {
            platformB.disconnect();
            owner1.disconnect();
            owner2.instantShutdown();
            toB.close();
        }
        // cross-domain subscriptions and approvals are audited at A like local ones
        String subscriber = a(NODE1_API, "GET", "/audit?actor=" + URLEncoder.encode(analyst, StandardCharsets.UTF_8)
                + "&limit=20", null).body();
        assertTrue(subscriber.contains("pubsub.subscribe"), subscriber);
        String audit = a(NODE1_API, "GET", "/audit?actor=" + B + "&limit=50", null).body();
        assertTrue(audit.contains("s2s.link") && audit.contains("\"outcome\":\"up\"")
                && audit.contains("\"outcome\":\"down\""), audit);
    }
}
