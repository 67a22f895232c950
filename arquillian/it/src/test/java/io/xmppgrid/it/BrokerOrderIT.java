package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two publishers on two streams publish to one Topic at the same time; every subscriber must
 * receive the notifications in the Topic's item order (the order of retrieval), not in whatever
 * order the two publishing transactions happened to write after committing.
 */
@ExtendWith(ArquillianExtension.class)
class BrokerOrderIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PS = "http://jabber.org/protocol/pubsub";
    private static final int SUBSCRIBERS = 30;
    private static final int PER_PUBLISHER = 50;
    private static final Pattern ITEM = Pattern.compile("<item id=\"([^\"]+)\"");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    private static String account(String prefix) {
        return Grid.platform(Grid.uniqueName(prefix), "order-password-1");
    }

    private static void publishAll(RawXmpp p, String node, String prefix) throws Exception {
        for (int i = 0; i < PER_PUBLISHER; i++) {
            p.send("<iq type='set' to='broker.grid.local' id='" + prefix + i + "'><pubsub xmlns='" + PS + "'><publish node='"
                    + node + "'><item id='" + prefix + i + "'>" + Iodef.example(prefix + i) + "</item></publish></pubsub></iq>");
        }
        for (int i = 0; i < PER_PUBLISHER; i++) {
            String r = p.nextStanza(WAIT);
            assertTrue(r.contains("type=\"result\""), r);
        }
    }

    @Test // XEP-0060 §7.1.2.1 notifications, per Topic in publish order
    void concurrentPublishersSameOrderForEverySubscriber() throws Exception {
        String owner = account("ord-owner");
        String pubA = account("ord-pa");
        String pubB = account("ord-pb");
        String node = "order-" + UUID.randomUUID().toString().substring(0, 8);
        List<RawXmpp> subs = new ArrayList<>();
        try (RawXmpp o = RawXmpp.bound(owner, "order-password-1");
             RawXmpp a = RawXmpp.bound(pubA, "order-password-1");
             RawXmpp b = RawXmpp.bound(pubB, "order-password-1")) {
            o.send("<iq type='set' to='broker.grid.local' id='c'><pubsub xmlns='" + PS + "'><create node='" + node + "'/>"
                    + "<configure><x xmlns='jabber:x:data' type='submit'><field var='pubsub#access_model'><value>whitelist</value>"
                    + "</field></x></configure></pubsub></iq>");
            assertTrue(o.nextStanza(WAIT).contains("type=\"result\""));
            StringBuilder affs = new StringBuilder("<affiliation jid='" + pubA + "@grid.local' affiliation='publisher'/>"
                    + "<affiliation jid='" + pubB + "@grid.local' affiliation='publisher'/>");
            List<String> subNames = new ArrayList<>();
            for (int i = 0; i < SUBSCRIBERS; i++) {
                String s = account("ord-s");
                subNames.add(s);
                affs.append("<affiliation jid='").append(s).append("@grid.local' affiliation='member'/>");
            }
            o.send("<iq type='set' to='broker.grid.local' id='a'><pubsub xmlns='http://jabber.org/protocol/pubsub#owner'>"
                    + "<affiliations node='" + node + "'>" + affs + "</affiliations></pubsub></iq>");
            assertTrue(o.nextStanza(WAIT).contains("type=\"result\""));
            for (String s : subNames) {
                RawXmpp x = RawXmpp.bound(s, "order-password-1");
                subs.add(x);
                x.send("<iq type='set' to='broker.grid.local' id='s'><pubsub xmlns='" + PS + "'><subscribe node='" + node
                        + "' jid='" + s + "@grid.local'/></pubsub></iq>");
                assertTrue(x.nextStanza(WAIT).contains("subscription=\"subscribed\""));
            }

            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<?> fa = pool.submit(() -> {
                    publishAll(a, node, "a");
                    return null;
                });
                Future<?> fb = pool.submit(() -> {
                    publishAll(b, node, "b");
                    return null;
                });
                fa.get();
                fb.get();
            } finally {
                pool.shutdown();
            }

            o.send("<iq type='get' to='broker.grid.local' id='items'><pubsub xmlns='" + PS + "'><items node='" + node + "'/></pubsub></iq>");
            List<String> stored = ids(o.nextStanza(WAIT));
            assertEquals(2 * PER_PUBLISHER, stored.size(), "all items stored");

            for (int i = 0; i < subs.size(); i++) {
                List<String> received = new ArrayList<>();
                while (received.size() < 2 * PER_PUBLISHER) {
                    received.addAll(ids(subs.get(i).nextStanza(WAIT)));
                }
                assertEquals(stored, received, "subscriber " + i + " got the notifications out of item order");
            }
        } finally {
            for (RawXmpp x : subs) {
                x.close();
            }
        }
    }

    private static List<String> ids(String stanza) {
        List<String> out = new ArrayList<>();
        Matcher m = ITEM.matcher(stanza);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
