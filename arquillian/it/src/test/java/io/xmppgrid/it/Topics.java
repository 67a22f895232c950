package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Raw-socket pubsub steps shared by the offline tests: a Topic, its subscribers, publishing. */
final class Topics {

    static final String PS = "http://jabber.org/protocol/pubsub";
    static final String PASSWORD = "offline-password-1";
    static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern ITEM = Pattern.compile("<item id=\"([^\"]+)\"");

    private Topics() {
    }

    static String account(String prefix) {
        return Grid.platform(Grid.uniqueName(prefix), PASSWORD);
    }

    static String node(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A whitelist Topic owned by {@code owner}'s session, with these members, and extra node_config fields. */
    static void create(RawXmpp owner, String node, List<String> members, String extraFields) throws Exception {
        owner.send("<iq type='set' to='broker.grid.local' id='c'><pubsub xmlns='" + PS + "'><create node='" + node + "'/>"
                + "<configure><x xmlns='jabber:x:data' type='submit'><field var='pubsub#access_model'><value>whitelist"
                + "</value></field>" + extraFields + "</x></configure></pubsub></iq>");
        String r = owner.nextStanza(WAIT);
        assertTrue(r.contains("type=\"result\""), r);
        StringBuilder affs = new StringBuilder();
        for (String m : members) {
            affs.append("<affiliation jid='").append(m).append("@grid.local' affiliation='member'/>");
        }
        owner.send("<iq type='set' to='broker.grid.local' id='a'><pubsub xmlns='http://jabber.org/protocol/pubsub#owner'>"
                + "<affiliations node='" + node + "'>" + affs + "</affiliations></pubsub></iq>");
        r = owner.nextStanza(WAIT);
        assertTrue(r.contains("type=\"result\""), r);
    }

    /** Subscribes the platform's bare JID with a short session of its own, closed cleanly. */
    static void subscribe(String platform, String node) throws Exception {
        try (RawXmpp x = RawXmpp.bound(platform, PASSWORD)) {
            x.send("<iq type='set' to='broker.grid.local' id='s'><pubsub xmlns='" + PS + "'><subscribe node='" + node
                    + "' jid='" + platform + "@grid.local'/></pubsub></iq>");
            String r = x.nextStanza(WAIT);
            assertTrue(r.contains("subscription=\"subscribed\""), r);
            x.closeStream();
        }
    }

    /** Publishes items {@code prefix + i}, pipelined, and waits for every result. */
    static List<String> publish(RawXmpp p, String node, String prefix, int count) throws Exception {
        List<String> ids = new ArrayList<>(count);
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < count; i++) {
            String id = prefix + i;
            ids.add(id);
            batch.append("<iq type='set' to='broker.grid.local' id='").append(id).append("'><pubsub xmlns='").append(PS)
                    .append("'><publish node='").append(node).append("'><item id='").append(id).append("'>")
                    .append(Iodef.example(id)).append("</item></publish></pubsub></iq>");
            if (batch.length() > 32 * 1024 || i == count - 1) {
                p.send(batch.toString());
                batch.setLength(0);
            }
        }
        for (int i = 0; i < count; i++) {
            String r = p.nextStanza(WAIT);
            assertTrue(r.contains("type=\"result\""), r);
        }
        return ids;
    }

    /**
     * A Topic of a new owner with {@code sub} subscribed (its bare JID), and {@code n} items
     * published while {@code sub} has no session; returns their ids in publish order.
     */
    static List<String> publishedWhileAway(String sub, String node, String prefix, int n) throws Exception {
        try (RawXmpp o = RawXmpp.bound(account("own"), PASSWORD)) {
            create(o, node, List.of(sub), "");
            subscribe(sub, node);
            return publish(o, node, prefix, n);
        }
    }

    /** Item ids of the notifications in a stanza. */
    static List<String> itemIds(String stanza) {
        List<String> out = new ArrayList<>();
        Matcher m = ITEM.matcher(stanza);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
