package io.xmppgrid.it;

import static io.xmppgrid.it.Topics.PASSWORD;
import static io.xmppgrid.it.Topics.PS;
import static io.xmppgrid.it.Topics.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xmppgrid.it.closer.CloseDatabaseServlet;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.logging.Logger;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Acknowledged means stored (RFC 8600 §6, XEP-0060 §7.1.2 "the service MUST inform the publisher of success",
 * RFC 6121 §8.5.2.2.1 offline storage, RFC 8600 §8.3.2 audit): a node is killed with SIGKILL while a
 * platform publishes with 16 requests in flight, another sends messages to an offline platform and an
 * administrator onboards platforms; after the restart every publish, stored message and administrative change
 * that was acknowledged before the kill is there, nothing is there twice or half-written, the Topic's item
 * order and the offline queue's order continue, and the audit chain verifies. Once on the embedded H2 (the
 * single-node default), once on PostgreSQL where one answers on 127.0.0.1:5432.
 */
@ExtendWith(ArquillianExtension.class)
class CrashDurabilityIT {

    private static final Logger LOG = Logger.getLogger(CrashDurabilityIT.class.getName());
    private static final Pattern ID = Pattern.compile(" id=\"([^\"]+)\"");
    private static final Pattern WHOLE_ITEM = Pattern.compile(
            "<item id=\"([^\"]+)\"><IODEF-Document [^>]*><Incident [^>]*><IncidentID [^>]*>([^<]+)</IncidentID>"
                    + "<GenerationTime>[^<]+</GenerationTime><Contact [^>]*><Email><EmailTo>[^<]+</EmailTo></Email>"
                    + "</Contact></Incident></IODEF-Document></item>");
    private static final Pattern RSM_LAST = Pattern.compile("<last>([^<]+)</last>");
    private static final Duration LOAD_BEFORE_KILL = Duration.ofSeconds(6);
    private static final int WINDOW = 16;
    private static final String CLOSER = "grid-database-closer";

    @ArquillianResource
    private ContainerController controller;

    @ArquillianResource
    private Deployer deployer;

    /** A test-only web app that closes the embedded database under the running node. */
    @Deployment(name = CLOSER, managed = false, testable = false)
    @TargetsContainer("h2")
    static WebArchive databaseCloser() {
        return ShrinkWrap.create(WebArchive.class, CLOSER + ".war").addClass(CloseDatabaseServlet.class);
    }

    @Test // RFC 8600 §6 / XEP-0060 §7.1.2 / RFC 6121 §8.5.2.2.1 on the embedded H2 (WRITE_DELAY=0)
    void h2KeepsEverythingAcknowledgedAcrossKill9() throws Exception {
        underLoad("h2", h2(), true);
    }

    @Test // the same for a graceful stop under load: WildFly interrupts threads that may be in H2's file I/O (retry:)
    void h2KeepsEverythingAcknowledgedAcrossAGracefulStop() throws Exception {
        underLoad("h2", h2(), false);
    }

    @Test // the same on PostgreSQL
    void postgresqlKeepsEverythingAcknowledgedAcrossKill9() throws Exception {
        Path base = Path.of(System.getProperty("grid.test.pg.dir"));
        assumeTrue(Files.size(base.resolve("database.properties")) > 0,
                "no PostgreSQL answers on 127.0.0.1:5432 as user postgres: the PostgreSQL crash test is skipped");
        underLoad("postgresql", base, true);
    }

    /**
     * The embedded database closes under the node (as H2 does after an OutOfMemoryError): the node does not keep
     * failing with "database has been closed" but reopens it (pooled connections validated when taken), with
     * everything stored before still there.
     */
    @Test
    void h2ClosedUnderTheNodeIsReopened() throws Exception {
        System.setProperty("grid.test.base.dir", h2().toString());
        controller.start("h2");
        try {
            awaitReady();
            deployer.deploy(CLOSER);
            String publisher = Topics.account("reopen-pub");
            String node = Topics.node("reopen");
            try (RawXmpp p = RawXmpp.bound(publisher, PASSWORD)) {
                Topics.create(p, node, List.of(), "");
                Topics.publish(p, node, "before-", 5);
            }
            HttpResponse<String> closed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://" + Grid.HOST + ":" + Integer.getInteger("grid.test.http.port") + "/" + CLOSER + "/close-database"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(closed.body().startsWith("closed"), "the database was closed: " + closed.statusCode() + " " + closed.body());
            // the node serves again: a login (platform lookup, audit), a publish, a retrieval of what was stored before
            try (RawXmpp p = RawXmpp.bound(publisher, PASSWORD)) {
                Topics.publish(p, node, "after-", 5);
                assertEquals(List.of("before-0", "before-1", "before-2", "before-3", "before-4", "after-0", "after-1",
                        "after-2", "after-3", "after-4"), allItems(p, node));
            }
            assertTrue(Grid.api("GET", "/audit/verify", null).out().contains("\"intact\":true"), "audit chain verifies");
            deployer.undeploy(CLOSER);
        } finally {
            controller.stop("h2");
        }
    }

    private static Path h2() {
        return Path.of(System.getProperty("grid.test.h2.dir"));
    }

    private void underLoad(String container, Path base, boolean kill) throws Exception {
        System.setProperty("grid.test.base.dir", base.toString()); // Grid reads token and CA from here
        controller.start(container);
        try {
            awaitReady();
            String publisher = Topics.account("crash-pub");
            String subscriber = Topics.account("crash-sub");
            String sender = Topics.account("crash-send");
            String recipient = Topics.account("crash-recv");
            String node = Topics.node("crash");
            try (RawXmpp o = RawXmpp.bound(publisher, PASSWORD)) {
                Topics.create(o, node, List.of(subscriber),
                        "<field var='pubsub#max_items'><value>100000</value></field>");
            }
            Topics.subscribe(subscriber, node); // its bare JID, no session from now on: every notification is stored

            AtomicBoolean killed = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(3);
            Future<Load> publishes = pool.submit(() -> publishUntilKilled(publisher, node, killed));
            Future<Load> messages = pool.submit(() -> messageUntilKilled(sender, recipient, killed));
            Future<Load> admins = pool.submit(() -> onboardUntilKilled(killed));
            Thread.sleep(LOAD_BEFORE_KILL.toMillis());
            String how;
            if (kill) {
                how = "killed pid " + kill9(base);
                killed.set(true);
                controller.kill(container); // Arquillian's view: the process is gone
            } else {
                how = "stopped";
                controller.stop(container); // WildFly's graceful shutdown while the load goes on
                killed.set(true);
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(2, TimeUnit.MINUTES), "load threads ended after the kill");
            Load pub = publishes.get();
            Load msg = messages.get();
            Load adm = admins.get();
            LOG.info(container + ": " + how + " with " + pub + " publishes, " + msg + " messages, " + adm
                    + " platforms onboarded");
            // the kill came under load: each kind of write was still being acknowledged in its last second
            for (Load l : List.of(pub, msg, adm)) {
                assertTrue(l.acked.size() > 0 && l.sinceLastAckMillis() < 2_000, "load was flowing at the kill: " + l);
            }

            controller.start(container);
            awaitReady();

            // every acknowledged publish is there, once, whole, in publish order; the order goes on after restart
            List<String> items;
            try (RawXmpp p = RawXmpp.bound(publisher, PASSWORD)) {
                Topics.publish(p, node, "after-", 1);
                items = allItems(p, node);
            }
            assertEquals(new HashSet<>(items).size(), items.size(), "no item twice: " + items);
            assertEquals("after-0", items.get(items.size() - 1), "the item published after the restart is the newest");
            List<String> beforeKill = items.subList(0, items.size() - 1);
            assertTrue(beforeKill.containsAll(pub.acked), container + ": acknowledged publishes lost: "
                    + missing(pub.acked, beforeKill));
            assertEquals(pub.sent.subList(0, beforeKill.size()), beforeKill,
                    "the stored items are a prefix of what was sent, in publish order");

            // the subscriber had no session: each stored item's notification is in its queue, once, in item order
            try (RawXmpp s = RawXmpp.bound(subscriber, PASSWORD)) {
                List<String> notified = new ArrayList<>();
                while (notified.size() < items.size()) {
                    notified.addAll(Topics.itemIds(s.nextStanza(WAIT)));
                }
                assertEquals(items, notified, "stored notifications: every item once, in the Topic's order");
                assertEquals(List.of(), Topics.itemIds(s.sync()), "nothing delivered twice");
                s.closeStream();
            }

            // every acknowledged message to the offline platform is stored once, in order; the queue goes on
            try (RawXmpp x = RawXmpp.bound(sender, PASSWORD)) {
                x.send(message(recipient, "after"));
                x.sync();
            }
            long depth = Grid.offline(recipient, "messages");
            List<String> received = new ArrayList<>();
            try (RawXmpp r = RawXmpp.bound(recipient, PASSWORD)) {
                while (received.size() < depth) {
                    received.add(messageId(r.nextStanza(WAIT)));
                }
                assertEquals("", r.sync(), "no message twice");
                r.closeStream();
            }
            assertEquals(new HashSet<>(received).size(), received.size(), "no message twice: " + received);
            assertEquals("after", received.get(received.size() - 1), "the message stored after the restart comes last");
            List<String> storedBefore = received.subList(0, received.size() - 1);
            assertTrue(storedBefore.containsAll(msg.acked), container + ": acknowledged messages lost: "
                    + missing(msg.acked, storedBefore));
            assertEquals(msg.sent.subList(0, storedBefore.size()), storedBefore,
                    "the stored messages are a prefix of what was sent, in order");
            assertEquals(0, Grid.offline(recipient, "messages"), "the queue is empty once delivered");

            // every acknowledged administrative change is there, and so is its audit entry
            String audited = Grid.api("GET", "/audit?action=admin.platform.create&limit=1000", null).out();
            for (String name : adm.acked) {
                assertTrue(Grid.api("GET", "/platforms?q=" + name, null).out().contains("\"" + name + "\""),
                        container + ": onboarded platform lost: " + name);
                assertTrue(audited.contains(name), container + ": audit entry of an onboarding lost: " + name);
            }
            // the audit chain (publishes, logins, onboardings, chained before or after the kill) verifies
            assertTrue(awaitAuditIntact(), "audit chain verifies after the crash");
        } finally {
            controller.stop(container);
        }
    }

    /** What one load thread sent and which of it the server acknowledged, in order. */
    private static final class Load {
        final List<String> sent = new ArrayList<>();
        final List<String> acked = new ArrayList<>();
        long lastAck = System.nanoTime();
        long end;

        synchronized void ack(String id) {
            acked.add(id);
            lastAck = System.nanoTime();
        }

        long sinceLastAckMillis() {
            return TimeUnit.NANOSECONDS.toMillis(end - lastAck);
        }

        @Override
        public String toString() {
            return sent.size() + " sent / " + acked.size() + " acknowledged (last " + sinceLastAckMillis()
                    + " ms before the connection died)";
        }
    }

    /** Publishes with {@value #WINDOW} requests in flight until the connection dies. */
    private static Load publishUntilKilled(String publisher, String node, AtomicBoolean killed) {
        Load load = new Load();
        try (RawXmpp p = RawXmpp.bound(publisher, PASSWORD)) {
            int inFlight = 0;
            while (true) {
                while (inFlight < WINDOW && !killed.get()) {
                    String id = "d" + load.sent.size();
                    p.send("<iq type='set' to='broker.grid.local' id='" + id + "'><pubsub xmlns='" + PS
                            + "'><publish node='" + node + "'><item id='" + id + "'>" + Iodef.example(id)
                            + "</item></publish></pubsub></iq>");
                    load.sent.add(id);
                    inFlight++;
                }
                String r = p.nextStanza(Duration.ofSeconds(30));
                assertTrue(r.contains("type=\"result\""), "publish refused before the kill: " + r);
                load.ack(stanzaId(r));
                inFlight--;
            }
        } catch (Throwable dead) {
            // the node was killed (or the test failed: the assertions on the acknowledgements tell which)
            load.end = System.nanoTime();
            LOG.info("publisher stopped: " + dead);
        }
        return load;
    }

    /**
     * Sends messages to a platform without sessions (stored, RFC 6121 §8.5.2.2.1), 8 at a time followed by a
     * ping: stanzas of one stream are handled in order, each after the previous one's transaction committed,
     * so the ping's answer acknowledges the 8 messages before it.
     */
    private static Load messageUntilKilled(String sender, String recipient, AtomicBoolean killed) {
        Load load = new Load();
        try (RawXmpp x = RawXmpp.bound(sender, PASSWORD)) {
            List<List<String>> batches = new ArrayList<>();
            int answered = 0;
            while (true) {
                while (batches.size() - answered < 2 && !killed.get()) {
                    List<String> batch = new ArrayList<>();
                    StringBuilder out = new StringBuilder();
                    for (int i = 0; i < 8; i++) {
                        String id = "m" + load.sent.size();
                        out.append(message(recipient, id));
                        load.sent.add(id);
                        batch.add(id);
                    }
                    out.append("<iq type='get' id='p").append(batches.size()).append("'><ping xmlns='urn:xmpp:ping'/></iq>");
                    x.send(out.toString());
                    batches.add(batch);
                }
                String r = x.nextStanza(Duration.ofSeconds(30));
                // a message the server could not store is bounced (<internal-server-error/>), and a ping it could not
                // handle is answered with an error: either ends the load, and only a ping's result acknowledges
                assertTrue(r.startsWith("<iq") && r.contains("type=\"result\"") && stanzaId(r).equals("p" + answered),
                        "only ping results come back: " + r);
                for (String id : batches.get(answered)) {
                    load.ack(id);
                }
                answered++;
            }
        } catch (Throwable dead) {
            load.end = System.nanoTime();
            LOG.info("sender stopped: " + dead);
        }
        return load;
    }

    /** Onboards platforms through the administration API one after the other until it stops answering. */
    private static Load onboardUntilKilled(AtomicBoolean killed) {
        Load load = new Load();
        try {
            while (!killed.get()) {
                String name = Grid.uniqueName("crash-adm");
                load.sent.add(name);
                Grid.platform(name, PASSWORD);
                load.ack(name);
            }
        } catch (Throwable dead) {
            LOG.info("onboarding stopped: " + dead);
        }
        load.end = System.nanoTime();
        return load;
    }

    private static String message(String to, String id) {
        return "<message to='" + to + "@grid.local' type='normal' id='" + id + "'><body>" + id + "</body></message>";
    }

    /** SIGKILL of the server JVM that runs on this base directory; returns its pid once it is gone. */
    private static long kill9(Path base) throws Exception {
        String marker = "-Djboss.server.base.dir=" + base;
        Optional<ProcessHandle> server = ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                .findFirst();
        assertTrue(server.isPresent(), "the server process of " + base);
        ProcessHandle h = server.get();
        assertTrue(h.destroyForcibly(), "SIGKILL sent"); // destroyForcibly is SIGKILL on Unix
        h.onExit().get(30, TimeUnit.SECONDS);
        assertFalse(h.isAlive(), "the server is dead");
        return h.pid();
    }

    /** The administration API answers and the XMPP port accepts connections (the EAR is deployed at boot). */
    private static void awaitReady() throws Exception {
        long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            try {
                if (Files.exists(Grid.tokenFile()) && Grid.api("GET", "/audit/verify", null).status() == 200) {
                    try (Socket s = new Socket(Grid.HOST, Grid.STARTTLS_PORT)) {
                        return;
                    }
                }
            } catch (Exception notYet) {
                // starting
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("the server did not become ready");
            }
            Thread.sleep(250);
        }
    }

    /** Every item id of the Topic in retrieval order, through XEP-0059 pages of 200. */
    private static List<String> allItems(RawXmpp p, String node) throws Exception {
        List<String> all = new ArrayList<>();
        String after = null;
        for (int page = 0; ; page++) {
            p.send("<iq type='get' to='broker.grid.local' id='page" + page + "'><pubsub xmlns='" + PS + "'><items node='"
                    + node + "'/><set xmlns='http://jabber.org/protocol/rsm'><max>200</max>"
                    + (after == null ? "" : "<after>" + after + "</after>") + "</set></pubsub></iq>");
            String r = p.nextStanza(WAIT);
            assertTrue(r.contains("type=\"result\""), r);
            List<String> ids = Topics.itemIds(r);
            Matcher whole = WHOLE_ITEM.matcher(r);
            for (String id : ids) {
                // each item whole: its payload is the complete IODEF document made for this id
                assertTrue(whole.find() && whole.group(1).equals(id) && whole.group(2).equals(id), "payload of " + id + ": " + r);
            }
            all.addAll(ids);
            Matcher last = RSM_LAST.matcher(r);
            if (ids.isEmpty() || !last.find()) {
                return all;
            }
            after = last.group(1);
        }
    }

    private static boolean awaitAuditIntact() throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String v;
        do {
            v = Grid.api("GET", "/audit/verify", null).out();
            if (v.contains("\"intact\":true")) {
                return true;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < end);
        LOG.warning("audit verify: " + v);
        return false;
    }

    private static String stanzaId(String stanza) {
        Matcher m = ID.matcher(stanza);
        if (!m.find()) {
            throw new AssertionError("no id in " + stanza);
        }
        return m.group(1);
    }

    private static String messageId(String stanza) {
        assertTrue(stanza.startsWith("<message"), "a stored message: " + stanza);
        return stanzaId(stanza);
    }

    private static List<String> missing(List<String> expected, List<String> actual) {
        Set<String> have = new HashSet<>(actual);
        List<String> out = new ArrayList<>();
        for (String e : expected) {
            if (!have.contains(e)) {
                out.add(e);
            }
        }
        return out;
    }
}
