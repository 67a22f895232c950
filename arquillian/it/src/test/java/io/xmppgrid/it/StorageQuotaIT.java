package io.xmppgrid.it;

import static io.xmppgrid.it.Topics.PASSWORD;
import static io.xmppgrid.it.Topics.PS;
import static io.xmppgrid.it.Topics.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 18 §7: one platform cannot exhaust storage for everyone. This test server runs with
 * {@code grid.pubsub.maxTopicBytes=4194304} and {@code grid.offline.maxFromOneSender=100} (arquillian.xml).
 */
@ExtendWith(ArquillianExtension.class)
class StorageQuotaIT {

    private static final int TOPIC_BYTES = 4 * 1024 * 1024;
    private static final int FROM_ONE_SENDER = 100;

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    /**
     * RFC 8600 §8.3.4 limits, XEP-0060 §7.1.2 (the oldest items go when a node is full): a Topic keeps at most
     * {@code grid.pubsub.maxTopicBytes} of payload, whatever its max_items; every publish is accepted and the newest
     * items are kept, in order.
     */
    @Test
    void aTopicKeepsItsNewestItemsWithinItsByteLimit() throws Exception {
        String owner = Topics.account("quota-own");
        String node = Topics.node("quota-bytes");
        List<String> published = new ArrayList<>();
        try (RawXmpp o = RawXmpp.bound(owner, PASSWORD)) {
            Topics.create(o, node, List.of(), "<field var='pubsub#max_items'><value>1000</value></field>");
            for (int i = 0; i < 30; i++) { // 30 × ~200 KB: about 6 MB, well over the limit
                String id = "q" + i;
                o.send("<iq type='set' to='broker.grid.local' id='" + id + "'><pubsub xmlns='" + PS + "'><publish node='"
                        + node + "'><item id='" + id + "'>" + Iodef.large(id, 200_000) + "</item></publish></pubsub></iq>");
                String r = o.nextStanza(WAIT);
                assertTrue(r.contains("type=\"result\""), "publish " + i + " accepted: " + r);
                published.add(id);
            }
            List<String> kept = new ArrayList<>();
            String after = null;
            for (int page = 0; page < 40; page++) {
                o.send("<iq type='get' to='broker.grid.local' id='g" + page + "'><pubsub xmlns='" + PS + "'><items node='"
                        + node + "'/><set xmlns='http://jabber.org/protocol/rsm'><max>5</max>"
                        + (after == null ? "" : "<after>" + after + "</after>") + "</set></pubsub></iq>");
                String r = o.nextStanza(WAIT);
                List<String> ids = Topics.itemIds(r);
                if (ids.isEmpty()) {
                    break;
                }
                kept.addAll(ids);
                java.util.regex.Matcher last = java.util.regex.Pattern.compile("<last>([^<]+)</last>").matcher(r);
                assertTrue(last.find(), r.length() > 300 ? r.substring(r.length() - 300) : r);
                after = last.group(1);
            }
            int fit = TOPIC_BYTES / 200_000;
            assertTrue(kept.size() >= fit - 2 && kept.size() <= fit, "about " + fit + " items of 200 KB fit in 4 MiB: " + kept);
            assertEquals(published.subList(published.size() - kept.size(), published.size()), kept,
                    "the newest are kept, oldest first");
        }
    }

    private static String chat(String to, String id) {
        return "<message to='" + to + "@grid.local' type='chat' id='" + id + "'><body>" + id + "</body></message>";
    }

    /**
     * XEP-0160 §5 (storage full: {@code <service-unavailable/>}): one platform's messages may fill only its share of
     * another's offline queue ({@code grid.offline.maxFromOneSender}); past it, its messages come back, while other
     * platforms' messages and the broker's notifications are still stored for the recipient.
     */
    @Test
    void oneSenderFillsOnlyItsShareOfAnotherPlatformsQueue() throws Exception {
        String flooder = Topics.account("quota-flood");
        String other = Topics.account("quota-other");
        String victim = Topics.account("quota-victim");
        String node = Topics.node("quota-share");
        RawXmpp owner = RawXmpp.bound(Topics.account("quota-pub"), PASSWORD);
        Topics.create(owner, node, List.of(victim), "");
        Topics.subscribe(victim, node); // before anything is stored for it: its session would receive that
        try (RawXmpp f = RawXmpp.bound(flooder, PASSWORD)) {
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < FROM_ONE_SENDER; i++) {
                burst.append(chat(victim, "f" + i));
            }
            f.send(burst.toString());
            assertEquals("", f.sync(), "its share is stored, nothing bounced");
            f.send(chat(victim, "f-over"));
            String bounced = f.nextStanza(WAIT);
            assertTrue(bounced.contains("id=\"f-over\"") && bounced.contains("type=\"error\"")
                    && bounced.contains("<service-unavailable"), "beyond its share: " + bounced);
        }
        assertEquals(FROM_ONE_SENDER, Grid.offline(victim, "messages"));
        try (RawXmpp o = RawXmpp.bound(other, PASSWORD)) {
            o.send(chat(victim, "o1"));
            assertEquals("", o.sync(), "another platform's message is stored");
        }
        try (owner) {
            Topics.publish(owner, node, "n", 3);
        }
        assertEquals(FROM_ONE_SENDER + 1 + 3, Grid.offline(victim, "messages"), "and the broker's notifications");
    }

    /**
     * RFC 8600 §8.3.2 (role templates) and §9 (no enumeration): a platform whose template does not grant
     * {@code MESSAGE} cannot send to other platforms; it gets {@code <forbidden/>} whether the recipient exists or not,
     * and nothing is stored for the recipient. Its own broker operations are unaffected.
     */
    @Test
    void withoutTheMessageGrantNothingReachesAnotherPlatform() throws Exception {
        String consumer = Grid.platform(Grid.uniqueName("quota-cons"), PASSWORD, "consumer");
        String target = Topics.account("quota-target");
        try (RawXmpp c = RawXmpp.bound(consumer, PASSWORD)) {
            for (String to : new String[] {target, "no-such-platform-" + System.nanoTime()}) {
                c.send(chat(to, "x-" + to));
                String r = c.nextStanza(WAIT);
                assertTrue(r.contains("type=\"error\"") && r.contains("<forbidden "), to + ": " + r);
            }
            c.send("<iq type='get' to='broker.grid.local' id='disco'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
            assertTrue(c.nextStanza(WAIT).contains("type=\"result\""), "the broker still answers it");
        }
        assertEquals(0, Grid.offline(target, "messages"), "nothing stored for the target");
    }
}
