package io.xmppgrid.it;

import static io.xmppgrid.it.Topics.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.as.arquillian.container.ManagementClient;
import org.jboss.dmr.ModelNode;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Offline delivery to a real client (Smack 4.4 with XEP-0198): a thousand items published while
 * the subscriber is away arrive in publish order with XEP-0203 stamps; the queue survives a
 * server restart; a connection killed mid-backlog and resumed gets every item exactly once.
 */
@ExtendWith(ArquillianExtension.class)
class OfflineSmackIT {

    private static final Pattern ITEM = Pattern.compile("<item\\s[^>]*?\\bid=['\"]([^'\"]+)['\"]");

    @ArquillianResource
    private ManagementClient management;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    /** Item ids of received notifications, in arrival order, and their delay stamps. */
    private static final class Inbox {
        final List<String> ids = Collections.synchronizedList(new ArrayList<>());
        final List<DelayInformation> delays = Collections.synchronizedList(new ArrayList<>());

        void accept(Stanza s) {
            Matcher m = ITEM.matcher(s.toXML().toString());
            while (m.find()) {
                ids.add(m.group(1));
                delays.add(DelayInformation.from(s));
            }
        }

        void awaitAtLeast(int n) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (ids.size() < n) {
                if (System.nanoTime() > end) {
                    throw new AssertionError("received " + ids.size() + " of " + n);
                }
                Thread.sleep(20);
            }
        }
    }

    /** A Smack subscriber with stream management (resumable), its listener registered before login. */
    private static XMPPTCPConnection subscriber(String name, Inbox inbox) throws Exception {
        XMPPTCPConnection c = new XMPPTCPConnection(Smack.starttls(name, PASSWORD, "SCRAM-SHA-256").build());
        c.setUseStreamManagement(true);
        c.setUseStreamManagementResumption(true);
        c.addSyncStanzaListener(inbox::accept, StanzaTypeFilter.MESSAGE); // sync: in arrival order
        c.connect().login();
        return c;
    }

    @Test // RFC 8600 §6, XEP-0160, XEP-0203: 1,000 items while offline, all in publish order, stamped
    void thousandItemsWhileOffline() throws Exception {
        String sub = Topics.account("smk-sub");
        List<String> published = Topics.publishedWhileAway(sub, Topics.node("k1"), "x", 1000);
        assertEquals(1000, Grid.offline(sub, "messages"));
        Inbox inbox = new Inbox();
        XMPPTCPConnection c = subscriber(sub, inbox);
        try {
            inbox.awaitAtLeast(1000);
            assertEquals(published, inbox.ids);
            for (DelayInformation d : inbox.delays) {
                assertNotNull(d, "every stored notification has a XEP-0203 delay");
                assertEquals("grid.local", d.getFrom());
            }
            // XEP-0198 acknowledgements take them out of the queue
            Grid.awaitOfflineDepth(sub, 0);
        } finally {
            c.disconnect();
        }
    }

    @Test // nothing stored is lost across a server restart (a reload: every service restarts, the database stays)
    void queueSurvivesServerRestart() throws Exception {
        String sub = Topics.account("smk-rst");
        List<String> published = Topics.publishedWhileAway(sub, Topics.node("rst"), "r", 1000);
        reloadServer();
        assertEquals(1000, Grid.offline(sub, "messages"));
        Inbox inbox = new Inbox();
        XMPPTCPConnection c = subscriber(sub, inbox);
        try {
            inbox.awaitAtLeast(1000);
            assertEquals(published, inbox.ids);
            Grid.awaitOfflineDepth(sub, 0);
        } finally {
            c.disconnect();
        }
    }

    @Test // XEP-0198 §5: killed in the middle of the backlog, resumed: every item, none twice
    void killedMidBacklogAndResumed() throws Exception {
        String sub = Topics.account("smk-kill");
        List<String> published = Topics.publishedWhileAway(sub, Topics.node("kr"), "z", 1000);
        Inbox inbox = new Inbox();
        XMPPTCPConnection c = subscriber(sub, inbox);
        try {
            inbox.awaitAtLeast(150);
            c.instantShutdown(); // the socket goes away without a stream close
            c.connect().login();
            assertTrue(c.streamWasResumed(), "the stream was resumed");
            inbox.awaitAtLeast(1000);
            Thread.sleep(500); // anything sent twice would arrive right behind
            assertEquals(published, inbox.ids, "in order, none missing, none twice");
            Grid.awaitOfflineDepth(sub, 0);
        } finally {
            c.disconnect();
        }
    }

    private void reloadServer() throws Exception {
        ModelNode op = new ModelNode();
        op.get("operation").set("reload");
        op.get("address").setEmptyList();
        try {
            management.getControllerClient().execute(op);
        } catch (java.io.IOException e) {
            // the management connection may close while the server goes down
        }
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Thread.sleep(1000);
        while (true) {
            try {
                ModelNode read = new ModelNode();
                read.get("operation").set("read-attribute");
                read.get("address").setEmptyList();
                read.get("name").set("server-state");
                ModelNode r = management.getControllerClient().execute(read);
                if ("running".equals(r.get("result").asString())) {
                    return;
                }
            } catch (java.io.IOException | RuntimeException e) {
                // not back yet
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("the server did not come back from reload");
            }
            Thread.sleep(250);
        }
    }

}
