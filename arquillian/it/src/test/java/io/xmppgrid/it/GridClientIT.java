package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.client.ApprovalRequest;
import io.xmppgrid.client.GridClient;
import io.xmppgrid.client.GridClientException;
import io.xmppgrid.client.ItemPage;
import io.xmppgrid.client.Notification;
import io.xmppgrid.client.SubscriptionChange;
import io.xmppgrid.client.SubscriptionState;
import io.xmppgrid.client.Topic;
import io.xmppgrid.client.TopicModel;
import io.xmppgrid.iodef.IodefSchema;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.pubsub.PayloadItem;
import org.jivesoftware.smackx.pubsub.PubSubManager;
import org.jivesoftware.smackx.pubsub.SimplePayload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.jxmpp.jid.impl.JidCreate;

/**
 * The platform client (grid-ra/client, issue 21) against the real EAR: SASL EXTERNAL and SCRAM-SHA-256-PLUS, Topic
 * discovery by {@code pubsub#type} (RFC 8600 §6), creation with the authorize model (§8.3.3), the XEP-0060 §8.6
 * approval flow from both sides, notifications in order, XEP-0059 pages, offline catch-up with XEP-0203 delays after a
 * restart of the client, IODEF refused locally and by the server (RFC 7970); and grid-client.jar as a process.
 */
@ExtendWith(ArquillianExtension.class)
class GridClientIT {

    private static final String PASSWORD = "client-password-1";
    private static final char[] P12_PASSWORD = "client-p12-secret".toCharArray();
    private static final Pattern JSON_ID = Pattern.compile("\"id\":\"([^\"]+)\"");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    private static GridClient.Builder grid() throws Exception {
        return GridClient.builder(Grid.DOMAIN).host(Grid.HOST).port(Grid.STARTTLS_PORT).trustCa(Grid.caPem());
    }

    private static String scramPlatform(String prefix) {
        return Grid.platform(Grid.uniqueName(prefix), PASSWORD);
    }

    private static Path certificatePlatform(String name) throws Exception {
        Path p12 = Files.createTempFile(name, ".p12");
        Grid.Result r = Grid.admin("cert", "issue", name, "--out", p12.toString(), "--p12-password", new String(P12_PASSWORD));
        assertEquals(0, r.status(), r.err());
        Grid.Result role = Grid.admin("platform", "role", name, "trusted"); // a subscriber's role template (issue 19 §2)
        assertEquals(0, role.status(), role.err());
        return p12;
    }

    @Test // RFC 8600 §6 discovery, §8.3.3 authorize; XEP-0060 §8.6 approval; §7.1.2.1 notifications; XEP-0059 pages
    void ownerAndCertificateSubscriberPublishApproveAndPage() throws Exception {
        String owner = scramPlatform("cowner");
        String subscriberName = Grid.uniqueName("csub");
        Path subscriberP12 = certificatePlatform(subscriberName);
        String topic = "client-" + UUID.randomUUID().toString().substring(0, 8);
        String otherType = "other-" + UUID.randomUUID().toString().substring(0, 8);

        BlockingQueue<ApprovalRequest> asked = new LinkedBlockingQueue<>();
        BlockingQueue<SubscriptionChange> told = new LinkedBlockingQueue<>();
        BlockingQueue<Notification> received = new LinkedBlockingQueue<>();
        try (GridClient o = grid().password(owner, PASSWORD.toCharArray()).onApprovalRequest(asked::add).connect();
             GridClient s = grid().certificate(subscriberP12, P12_PASSWORD).onSubscriptionChange(told::add)
                     .onNotification(received::add).connect()) {
            assertTrue(s.jid().startsWith(subscriberName + "@" + Grid.DOMAIN + "/"), "EXTERNAL: identity from the certificate");
            o.createTopic(topic, IodefSchema.NAMESPACE, TopicModel.AUTHORIZE);
            o.createTopic(topic + "-x", "urn:example:" + otherType, TopicModel.WHITELIST);

            List<Topic> iodef = s.topics(IodefSchema.NAMESPACE);
            assertTrue(iodef.stream().anyMatch(t -> t.name().equals(topic) && IodefSchema.NAMESPACE.equals(t.type())), iodef.toString());
            assertFalse(iodef.stream().anyMatch(t -> t.name().equals(topic + "-x")), "filtered by pubsub#type");
            assertEquals(List.of(topic + "-x"), s.topics("urn:example:" + otherType).stream().map(Topic::name).toList());

            assertEquals(SubscriptionState.PENDING, s.subscribe(topic));
            ApprovalRequest request = asked.poll(30, TimeUnit.SECONDS);
            assertNotNull(request, "the owner got no XEP-0060 §8.6 authorization form");
            assertEquals(topic, request.topic());
            assertEquals(subscriberName + "@" + Grid.DOMAIN, request.subscriber());
            GridClientException again = assertThrows(GridClientException.class, () -> s.subscribe(topic));
            assertEquals("pending-subscription", again.condition(), "XEP-0060 §6.1.3.7");
            assertEquals(List.of(subscriberName + "@" + Grid.DOMAIN), o.pending(topic));

            o.approve(topic, request.subscriber());
            SubscriptionChange approved = told.poll(30, TimeUnit.SECONDS);
            assertNotNull(approved, "the subscriber was not told of the approval");
            assertEquals(new SubscriptionChange(topic, subscriberName + "@" + Grid.DOMAIN, SubscriptionState.SUBSCRIBED), approved);
            assertEquals(List.of(), o.pending(topic));

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(o.publish(topic, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + Iodef.example("client-" + i)));
            }
            for (int i = 0; i < 5; i++) {
                Notification n = received.poll(30, TimeUnit.SECONDS);
                assertNotNull(n, "notification " + i + " missing");
                assertEquals(topic, n.topic());
                assertEquals(ids.get(i), n.itemId(), "in publication order");
                assertTrue(n.payload().contains("client-" + i), n.payload());
                assertNull(IodefSchema.INSTANCE.problem(n.payload()), "the document as published (xml:lang kept): " + n.payload());
                assertTrue(n.delay().isEmpty(), "a live notification has no delay");
                assertEquals(owner + "@" + Grid.DOMAIN, n.publisher(), "XEP-0060 publisher attribute (pubsub#itemreply)");
            }

            // XEP-0059: pages of two, oldest first, then the last page from the end
            List<String> paged = new ArrayList<>();
            String after = null;
            for (int page = 0; page < 10; page++) {
                ItemPage p = s.items(topic, 2, after);
                if (p.items().isEmpty()) {
                    break;
                }
                assertTrue(p.items().size() <= 2);
                p.items().forEach(i -> paged.add(i.id()));
                after = p.last();
                if (p.count() >= 0 && paged.size() >= p.count()) {
                    break;
                }
            }
            assertEquals(ids, paged);
            ItemPage.Item firstItem = s.items(topic, 1, null).items().get(0);
            assertNull(IodefSchema.INSTANCE.problem(firstItem.payload()), "retrieved as published");
            assertEquals(owner + "@" + Grid.DOMAIN, firstItem.publisher());
            ItemPage last = s.itemsBefore(topic, 2, null);
            assertEquals(ids.subList(3, 5), last.items().stream().map(ItemPage.Item::id).toList());
            assertEquals(ids.subList(1, 3), s.itemsBefore(topic, 2, last.first()).items().stream().map(ItemPage.Item::id).toList());

            // denial: the subscriber is told NONE
            String other = scramPlatform("cdenied");
            try (GridClient d = grid().password(other, PASSWORD.toCharArray()).onSubscriptionChange(told::add).connect()) {
                assertEquals(SubscriptionState.PENDING, d.subscribe(topic));
                assertNotNull(asked.poll(30, TimeUnit.SECONDS));
                o.deny(topic, other + "@" + Grid.DOMAIN);
                SubscriptionChange denied = told.poll(30, TimeUnit.SECONDS);
                assertNotNull(denied);
                assertEquals(SubscriptionState.NONE, denied.state());
                GridClientException refused = assertThrows(GridClientException.class, () -> d.items(topic, 10, null));
                assertEquals("not-subscribed", refused.condition(), "XEP-0060 §6.5.9.3: not-authorized, not-subscribed");
            }
        }
    }

    @Test // RFC 8600 §6 and XEP-0203: what was published while the client was away arrives at its next start, in order
    void aRestartedClientCatchesUpWithDelays() throws Exception {
        String owner = scramPlatform("cpub");
        String consumer = scramPlatform("ccons");
        String topic = "catchup-" + UUID.randomUUID().toString().substring(0, 8);
        try (GridClient o = grid().password(owner, PASSWORD.toCharArray()).connect()) {
            o.createTopic(topic, IodefSchema.NAMESPACE, TopicModel.WHITELIST);
            setMembers(owner, topic, consumer);
            try (GridClient c = grid().password(consumer, PASSWORD.toCharArray()).connect()) {
                assertEquals(SubscriptionState.SUBSCRIBED, c.subscribe(topic));
            }
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add(o.publish(topic, Iodef.example("away-" + i)));
            }
            BlockingQueue<Notification> received = new LinkedBlockingQueue<>();
            try (GridClient c = grid().password(consumer, PASSWORD.toCharArray()).onNotification(received::add).connect()) {
                for (int i = 0; i < 4; i++) {
                    Notification n = received.poll(30, TimeUnit.SECONDS);
                    assertNotNull(n, "stored notification " + i + " missing");
                    assertEquals(ids.get(i), n.itemId(), "in order");
                    assertTrue(n.delay().isPresent(), "stored while away: XEP-0203 delay");
                }
                String live = o.publish(topic, Iodef.example("live"));
                Notification n = received.poll(30, TimeUnit.SECONDS);
                assertNotNull(n);
                assertEquals(live, n.itemId());
                assertTrue(n.delay().isEmpty());
                assertNull(received.poll(1, TimeUnit.SECONDS), "nothing twice");
            }
        }
    }

    @Test // XEP-0198 §5: the network drops the connection; the client reconnects by itself, and nothing is lost or doubled
    void aDroppedConnectionComesBackByItselfWithNothingLost() throws Exception {
        String owner = scramPlatform("cdropown");
        String consumer = scramPlatform("cdropcon");
        String topic = "drop-" + UUID.randomUUID().toString().substring(0, 8);
        BlockingQueue<Notification> received = new LinkedBlockingQueue<>();
        try (GridClient o = grid().password(owner, PASSWORD.toCharArray()).connect();
             CuttableProxy network = new CuttableProxy(Grid.HOST, Grid.STARTTLS_PORT)) {
            o.createTopic(topic, IodefSchema.NAMESPACE, TopicModel.WHITELIST);
            setMembers(owner, topic, consumer);
            try (GridClient c = grid().port(network.port()).password(consumer, PASSWORD.toCharArray())
                    .onNotification(received::add).connect()) {
                assertEquals(SubscriptionState.SUBSCRIBED, c.subscribe(topic));
                String first = o.publish(topic, Iodef.example("before"));
                assertEquals(first, received.poll(30, TimeUnit.SECONDS).itemId());

                network.cut();
                List<String> during = List.of(o.publish(topic, Iodef.example("during-1")), o.publish(topic, Iodef.example("during-2")));
                List<String> got = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    Notification n = received.poll(90, TimeUnit.SECONDS);
                    assertNotNull(n, "notification published while the connection was down, " + got.size() + " of 2 so far");
                    got.add(n.itemId());
                }
                assertEquals(during, got, "both, in order");
                assertTrue(network.accepted() >= 2, "the client connected again by itself");
                String after = o.publish(topic, Iodef.example("after"));
                assertEquals(after, received.poll(30, TimeUnit.SECONDS).itemId());
                assertNull(received.poll(2, TimeUnit.SECONDS), "nothing twice");
                assertTrue(c.isConnected());
            }
        }
    }

    @Test // RFC 7970 schema: the client refuses what the server refuses, with the same message, before sending it
    void invalidIodefIsRefusedLocallyAndByTheServer() throws Exception {
        String owner = scramPlatform("cinvalid");
        String topic = "invalid-" + UUID.randomUUID().toString().substring(0, 8);
        String invalid = Iodef.example("bad").replace("<GenerationTime>", "<Bogus/><GenerationTime>");
        try (GridClient o = grid().password(owner, PASSWORD.toCharArray()).connect()) {
            o.createTopic(topic, IodefSchema.NAMESPACE, TopicModel.AUTHORIZE);
            GridClientException local = assertThrows(GridClientException.class, () -> o.publish(topic, invalid));
            assertEquals("invalid-payload", local.condition());
            assertTrue(local.getMessage().contains("IODEF 2.0 schema"), local.getMessage());
            assertEquals(0, o.items(topic, 10, null).items().size(), "nothing was sent");
        }
        // the same document sent by a client that does not validate: the broker refuses it (XEP-0060 §7.1.3.6)
        XMPPTCPConnection raw = Smack.connect(Smack.starttls(owner, PASSWORD, io.xmppgrid.client.sasl.Scram256Mechanism.NAME));
        try {
            XMPPException.XMPPErrorException server = assertThrows(XMPPException.XMPPErrorException.class, () ->
                    PubSubManager.getInstanceFor(raw, JidCreate.bareFrom("broker." + Grid.DOMAIN)).getLeafNode(topic)
                            .publish(new PayloadItem<>("x", new SimplePayload(invalid))));
            assertNotNull(server.getStanzaError().getExtension("invalid-payload", "http://jabber.org/protocol/pubsub#errors"));
        } finally {
            raw.disconnect();
        }
    }

    @Test // grid-client.jar as a process: exit codes 0/1/2, JSON lines, standard input, subscribe until --count
    void theCommandLineTool() throws Exception {
        String owner = scramPlatform("cliown");
        String consumer = scramPlatform("clicons");
        String topic = "cli-" + UUID.randomUUID().toString().substring(0, 8);
        Path passwordFile = Files.createTempFile("pw", ".txt");
        Files.writeString(passwordFile, PASSWORD + "\n");

        assertEquals(2, cli(null, "topics").status(), "no credentials: bad usage");
        assertEquals(2, cli(null, "--user", owner, "--password", PASSWORD, "topics").status(), "never a password on the command line");
        Proc wrong = cli(null, "--user", owner, "--password-file", Files.writeString(Files.createTempFile("pw", ".txt"), "wrong").toString(), "topics");
        assertEquals(1, wrong.status(), "refused by the server: " + wrong.err());

        Proc created = cli(null, "--user", owner, "--password-file", passwordFile.toString(), "create", topic, "--model", "whitelist");
        assertEquals(0, created.status(), created.err());
        setMembers(owner, topic, consumer);
        Proc topics = cli(null, "--user", owner, "--password-file", passwordFile.toString(), "topics", "--type",
                IodefSchema.NAMESPACE, "--format", "json");
        assertEquals(0, topics.status(), topics.err());
        assertTrue(topics.out().contains("{\"topic\":\"" + topic + "\",\"type\":\"" + IodefSchema.NAMESPACE + "\""), topics.out());

        // a subscriber process, printing JSON lines until it has two
        ProcessBuilder pb = command("--user", consumer, "--password-file", passwordFile.toString(), "subscribe", topic,
                "--count", "2", "--format", "json");
        Process sub = pb.start();
        BufferedReader subErr = new BufferedReader(new InputStreamReader(sub.getErrorStream(), StandardCharsets.UTF_8));
        StringBuilder said = new StringBuilder();
        for (String line = subErr.readLine(); line != null; line = subErr.readLine()) {
            said.append(line).append('\n');
            if (line.contains("subscription to " + topic + ":")) {
                break;
            }
        }
        assertTrue(said.toString().contains("subscription to " + topic + ": subscribed"), said.toString());
        new Thread(() -> {
            try {
                subErr.transferTo(java.io.Writer.nullWriter());
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        }).start();

        // two documents on standard input: two items
        String twoDocuments = "<?xml version=\"1.0\"?>\n" + Iodef.example("stdin-1") + "\n" + Iodef.example("stdin-2") + "\n";
        Proc published = cli(twoDocuments, "--user", owner, "--password-file", passwordFile.toString(), "publish", topic, "-");
        assertEquals(0, published.status(), published.err());
        List<String> ids = published.out().lines().toList();
        assertEquals(2, ids.size(), published.out());

        assertTrue(sub.waitFor(60, TimeUnit.SECONDS), "the subscriber did not stop after two notifications");
        assertEquals(0, sub.exitValue());
        List<String> lines = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        for (int i = 0; i < 2; i++) {
            Matcher m = JSON_ID.matcher(lines.get(i));
            assertTrue(m.find(), lines.get(i));
            assertEquals(ids.get(i), m.group(1));
            assertTrue(lines.get(i).startsWith("{\"topic\":\"" + topic + "\""), lines.get(i));
            assertTrue(lines.get(i).contains("\"delay\":null") && lines.get(i).contains("stdin-" + (i + 1)), lines.get(i));
            assertTrue(lines.get(i).contains("\"publisher\":\"" + owner + "@grid.local\""), lines.get(i));
        }

        Proc items = cli(null, "--user", consumer, "--password-file", passwordFile.toString(), "items", topic, "--max", "1");
        assertEquals(0, items.status(), items.err());
        assertEquals(1, items.out().lines().count());
        assertTrue(items.out().contains(ids.get(1)), "the newest: " + items.out());

        Path invalid = Files.writeString(Files.createTempFile("invalid", ".xml"),
                Iodef.example("bad").replace("<GenerationTime>", "<Bogus/><GenerationTime>"));
        Proc refused = cli(null, "--user", owner, "--password-file", passwordFile.toString(), "publish", topic, invalid.toString());
        assertEquals(1, refused.status());
        assertTrue(refused.err().contains("[invalid-payload]"), refused.err());
    }

    /** Makes {@code members} members of the whitelist Topic (XEP-0060 §8.9.2), through a raw session of the owner. */
    private static void setMembers(String owner, String topic, String... members) throws Exception {
        try (RawXmpp x = RawXmpp.bound(owner, PASSWORD)) {
            StringBuilder affs = new StringBuilder();
            for (String m : members) {
                affs.append("<affiliation jid='").append(m).append("@grid.local' affiliation='member'/>");
            }
            x.send("<iq type='set' to='broker.grid.local' id='a'><pubsub xmlns='http://jabber.org/protocol/pubsub#owner'>"
                    + "<affiliations node='" + topic + "'>" + affs + "</affiliations></pubsub></iq>");
            String r = x.nextStanza(java.time.Duration.ofSeconds(30));
            assertTrue(r.contains("type=\"result\""), r);
            x.closeStream();
        }
    }

    record Proc(int status, String out, String err) {
    }

    private static ProcessBuilder command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("grid.client.jar"), "--port", String.valueOf(Grid.STARTTLS_PORT),
                "--ca", Grid.caPem().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.remove("GRID_PASSWORD");
        env.remove("GRID_P12_PASSWORD");
        return pb;
    }

    private static Proc cli(String stdin, String... args) throws Exception {
        Process p = command(args).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (java.io.IOException e) {
                return new byte[0];
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "grid-client did not end");
        return new Proc(p.exitValue(), out, new String(err.get(), StandardCharsets.UTF_8));
    }
}
