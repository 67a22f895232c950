package io.xmppgrid.it;

import static io.xmppgrid.it.Topics.PASSWORD;
import static io.xmppgrid.it.Topics.PS;
import static io.xmppgrid.it.Topics.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Offline storage over raw TLS sockets (RFC 8600 §6, RFC 6121 §8.5.2.2.1, XEP-0160, XEP-0203):
 * what is stored, in which order it comes back, what leaves the queue when, the per-Topic cache
 * policy (RFC 8600 §5) and the queue limit.
 */
@ExtendWith(ArquillianExtension.class)
class OfflineIT {

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    private static String message(String to, String type, String id, String body) {
        return "<message to='" + to + "@grid.local'" + (type == null ? "" : " type='" + type + "'") + " id='" + id
                + "'><body>" + body + "</body></message>";
    }

    /** Reads stanzas until {@code count} notifications arrived; returns their item ids in arrival order. */
    private static List<String> receiveItems(RawXmpp x, int count, List<String> stanzas) throws Exception {
        List<String> ids = new ArrayList<>();
        while (ids.size() < count) {
            String s = x.nextStanza(WAIT);
            stanzas.add(s);
            ids.addAll(Topics.itemIds(s));
        }
        return ids;
    }

    @Test // RFC 6121 §8.5.2.2.1, XEP-0160 §3, XEP-0203: stored while offline, delivered with a delay stamp, in order
    void messagesToABareJidWithoutResourcesAreStoredAndDelivered() throws Exception {
        String alice = Topics.account("off-a");
        String bob = Topics.account("off-b");
        try (RawXmpp a = RawXmpp.bound(alice, PASSWORD)) {
            for (int i = 0; i < 5; i++) {
                a.send(message(bob, i % 2 == 0 ? null : "chat", "m" + i, "hello " + i));
            }
            assertEquals("", a.sync(), "nothing bounced: bob's messages are stored");
        }
        assertEquals(5, Grid.offline(bob, "messages"));
        try (RawXmpp b = RawXmpp.bound(bob, PASSWORD)) {
            for (int i = 0; i < 5; i++) {
                String m = b.nextStanza(WAIT);
                assertTrue(m.contains("id=\"m" + i + "\""), "arrival order: " + m);
                assertTrue(m.contains("hello " + i), m);
                assertTrue(m.contains("<delay xmlns=\"urn:xmpp:delay\" from=\"grid.local\" stamp=\"20"), m);
            }
            b.closeStream();
        }
        // without stream management, a clean close confirms what was written (then the queue is empty)
        Grid.awaitOfflineDepth(bob, 0);
    }

    @Test // RFC 6121 §8.5.2.2.1: headline to an offline platform is dropped; type error is neither stored nor bounced
    void headlineDroppedAndErrorNotBounced() throws Exception {
        String alice = Topics.account("off-h");
        String bob = Topics.account("off-i");
        try (RawXmpp a = RawXmpp.bound(alice, PASSWORD)) {
            a.send(message(bob, "headline", "h1", "headline"));
            a.send(message(bob, "error", "e1", "error"));
            a.send(message(bob, "normal", "n1", "marker"));
            assertEquals("", a.sync(), "no error came back for the headline or the error");
        }
        assertEquals(1, Grid.offline(bob, "messages"));
        try (RawXmpp b = RawXmpp.bound(bob, PASSWORD)) {
            String got = b.nextStanza(WAIT) + b.sync();
            assertTrue(got.contains("id=\"n1\""), got);
            assertFalse(got.contains("id=\"h1\""), got);
            assertFalse(got.contains("id=\"e1\""), got);
        }
    }

    @Test // RFC 8600 §6: notifications published while the subscriber is offline, all of them, in publish order
    void notificationsWhileOfflineArriveInOrderAfterReconnect() throws Exception {
        String sub = Topics.account("off-sub");
        List<String> published = Topics.publishedWhileAway(sub, Topics.node("offline"), "i", 300);
        assertEquals(300, Grid.offline(sub, "messages"));
        List<String> stanzas = new ArrayList<>();
        try (RawXmpp s = RawXmpp.bound(sub, PASSWORD)) {
            assertEquals(published, receiveItems(s, 300, stanzas));
            for (String st : stanzas) {
                assertTrue(st.contains("<delay xmlns=\"urn:xmpp:delay\" from=\"grid.local\""), st);
            }
            s.closeStream();
        }
        Grid.awaitOfflineDepth(sub, 0);
    }

    @Test // XEP-0160 §3: stored messages come before newer live traffic; no gap, no swap between the two
    void storedBeforeLiveTraffic() throws Exception {
        String owner = Topics.account("off-own");
        String sub = Topics.account("off-live");
        String node = Topics.node("live");
        try (RawXmpp o = RawXmpp.bound(owner, PASSWORD)) {
            Topics.create(o, node, List.of(sub), "");
            Topics.subscribe(sub, node);
            List<String> published = new ArrayList<>(Topics.publish(o, node, "s", 150));
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                // the publisher keeps going while the subscriber comes back
                java.util.concurrent.Future<List<String>> live = pool.submit(() -> {
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < 15; i++) {
                        ids.addAll(Topics.publish(o, node, "l" + i + "-", 10));
                    }
                    return ids;
                });
                try (RawXmpp s = RawXmpp.bound(sub, PASSWORD)) {
                    List<String> got = receiveItems(s, 300, new ArrayList<>());
                    published.addAll(live.get());
                    assertEquals(published, got, "stored first, then live, in publish order");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test // RFC 6120 §4.4: a session whose stream the server has closed gets nothing more: what is published next
          // is stored by the time the publish is answered, behind what was stored before it (no swap at the boundary)
    void publishedRightAfterAStreamCloseIsStoredAtOnceInOrder() throws Exception {
        String owner = Topics.account("off-own");
        String sub = Topics.account("off-cls");
        String node = Topics.node("cls");
        List<String> published = new ArrayList<>();
        try (RawXmpp o = RawXmpp.bound(owner, PASSWORD)) {
            Topics.create(o, node, List.of(sub), "");
            Topics.subscribe(sub, node);
            for (int i = 0; i < 20; i++) {
                try (RawXmpp s = RawXmpp.bound(sub, PASSWORD)) {
                    s.closeStream(); // the server's closing tag has been read
                }
                long before = Grid.offline(sub, "messages");
                published.addAll(Topics.publish(o, node, "c" + i + "-", 1));
                assertEquals(before + 1, Grid.offline(sub, "messages"), "round " + i + ": stored when answered");
            }
        }
        int stored = (int) Grid.offline(sub, "messages");
        try (RawXmpp s = RawXmpp.bound(sub, PASSWORD)) {
            // a short session may have had stored ones before its close confirmed them: the oldest, so a suffix
            assertEquals(published.subList(published.size() - stored, published.size()),
                    receiveItems(s, stored, new ArrayList<>()), "in publish order");
            s.closeStream();
        }
        Grid.awaitOfflineDepth(sub, 0);
    }

    @Test // a dropped connection mid-backlog loses nothing: the next session gets every item not yet received
    void connectionDroppedMidBacklogLosesNothing() throws Exception {
        String sub = Topics.account("off-kill");
        List<String> published = Topics.publishedWhileAway(sub, Topics.node("kill"), "k", 500);
        List<String> first;
        RawXmpp s1 = RawXmpp.bound(sub, PASSWORD);
        first = receiveItems(s1, 50, new ArrayList<>());
        s1.kill();
        assertEquals(published.subList(0, first.size()), first, "first session: queue order");
        List<String> second;
        try (RawXmpp s2 = RawXmpp.bound(sub, PASSWORD)) {
            // unconfirmed items come again (at least once); the new session misses none
            second = receiveItems(s2, 500, new ArrayList<>());
            assertEquals(published, second, "second session: every item, in order");
            s2.closeStream();
        }
        Grid.awaitOfflineDepth(sub, 0);
    }

    @Test // RFC 8600 §5: a Topic marked not to be cached reaches available sessions only; the form shows the field
    void noCacheTopicIsNotStored() throws Exception {
        String owner = Topics.account("off-own");
        String sub = Topics.account("off-nc");
        String cached = Topics.node("cached");
        String nocache = Topics.node("nocache");
        try (RawXmpp o = RawXmpp.bound(owner, PASSWORD)) {
            Topics.create(o, cached, List.of(sub), "");
            Topics.create(o, nocache, List.of(sub),
                    "<field var='{urn:xmppgrid:pubsub}offline_cache'><value>0</value></field>");
            o.send("<iq type='get' to='broker.grid.local' id='cfg'><pubsub xmlns='" + PS + "#owner'><configure node='"
                    + nocache + "'/></pubsub></iq>");
            String form = o.nextStanza(WAIT);
            assertTrue(form.matches("(?s).*var=\"\\{urn:xmppgrid:pubsub\\}offline_cache\"[^>]*>(<desc>[^<]*</desc>)?"
                    + "<value>0</value>.*"), form);
            o.send("<iq type='get' to='broker.grid.local' id='meta'><query xmlns='http://jabber.org/protocol/disco#info'"
                    + " node='" + nocache + "'/></iq>");
            String meta = o.nextStanza(WAIT);
            assertTrue(meta.contains("{urn:xmppgrid:pubsub}offline_cache"), "disco#info meta-data: " + meta);
            Topics.subscribe(sub, cached);
            Topics.subscribe(sub, nocache);
            Topics.publish(o, nocache, "n", 5);
            Topics.publish(o, cached, "c", 5);
        }
        assertEquals(5, Grid.offline(sub, "messages"));
        try (RawXmpp s = RawXmpp.bound(sub, PASSWORD)) {
            List<String> got = receiveItems(s, 5, new ArrayList<>());
            got.addAll(Topics.itemIds(s.sync()));
            assertEquals(List.of("c0", "c1", "c2", "c3", "c4"), got);
        }
    }

    @Test // queue limit: refused beyond it, visibly (admin API counter); stored ones intact; XEP-0160 §5 error for messages
    void queueLimitRefusesVisiblyAndKeepsWhatIsStored() throws Exception {
        String owner = Topics.account("off-own");
        String sub = Topics.account("off-full");
        String node = Topics.node("full");
        Grid.Result set = Grid.api("PUT", "/platforms/" + sub + "/offline", "maxMessages=5&maxBytes=");
        assertEquals(200, set.status(), set.out());
        assertTrue(set.out().contains("\"maxMessages\":5"), set.out());
        List<String> published;
        try (RawXmpp o = RawXmpp.bound(owner, PASSWORD)) {
            Topics.create(o, node, List.of(sub), "");
            Topics.subscribe(sub, node);
            published = Topics.publish(o, node, "f", 8); // every publish succeeds: the item is the publisher's
            o.send(message(sub, null, "direct", "one more"));
            String bounce = o.nextStanza(WAIT);
            assertTrue(bounce.contains("type=\"error\"") && bounce.contains("<service-unavailable"), bounce);
        }
        assertEquals(5, Grid.offline(sub, "messages"));
        assertEquals(4, Grid.offline(sub, "refused"));
        try (RawXmpp s = RawXmpp.bound(sub, PASSWORD)) {
            assertEquals(published.subList(0, 5), receiveItems(s, 5, new ArrayList<>()));
            assertEquals(List.of(), Topics.itemIds(s.sync()));
        }
    }

    @Test // the admin API names unknown platforms and bad limits
    void offlineAdminApiRefusesBadInput() throws Exception {
        assertEquals(404, Grid.api("GET", "/platforms/no-such-platform-x/offline", null).status());
        String sub = Topics.account("off-api");
        Grid.Result r = Grid.api("PUT", "/platforms/" + sub + "/offline", "maxMessages=-1");
        assertEquals(400, r.status());
        assertTrue(r.out().contains("negative"), r.out());
    }
}
