package io.xmppgrid.ejb.cluster;

import io.xmppgrid.ra.api.SessionInfo;
import io.xmppgrid.ra.api.SessionTraffic;
import io.xmppgrid.ra.api.XmppConnection;
import io.xmppgrid.ra.api.XmppConnectionFactory;
import io.xmppgrid.xmpp.Jid;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import io.xmppgrid.ejb.pubsub.TopicCache;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.EJB;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;
import org.wildfly.clustering.server.Group;
import org.wildfly.clustering.server.GroupMember;
import org.wildfly.clustering.server.dispatcher.Command;
import org.wildfly.clustering.server.dispatcher.CommandDispatcher;
import org.wildfly.clustering.server.dispatcher.CommandDispatcherFactory;

/**
 * The grid's messages between cluster nodes, over WildFly's command dispatcher (the {@code ee} channel's
 * group): ending a platform's sessions on every node once the change that ends them has committed, and the
 * administrators' views of every node's sessions.
 * On a single node the group has one member and the commands go nowhere.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class ClusterBus {

    private static final Logger LOG = Logger.getLogger(ClusterBus.class);
    private static final String FACTORY = "java:jboss/clustering/server/command-dispatcher-factory/default";
    private static final String DISPATCHER_ID = "io.xmppgrid.cluster";

    @Resource(lookup = XmppConnectionFactory.JNDI_NAME)
    private XmppConnectionFactory connections;

    @Resource
    private TransactionSynchronizationRegistry transactions;

    /** WildFly's dispatcher factory of the ee channel's group (standalone-full-ha and the grid's cluster profile). */
    @Resource(lookup = FACTORY)
    private CommandDispatcherFactory<GroupMember> factory;

    @EJB
    private TopicCache topics;

    private volatile CommandDispatcher<GroupMember, Node> dispatcher;
    private volatile Group<GroupMember> group;

    /** This node as the commands of other nodes see it. */
    public final class Node {
        private Node() {
        }

        int endLocalSessions(String jid, String reason) {
            return endHere(Jid.parse(jid), reason);
        }

        /** This node's sessions of a platform: full JID, node, connection, since, address, available, priority, in, out. */
        ArrayList<String[]> localSessions(String bareJid) {
            ArrayList<String[]> rows = new ArrayList<>();
            try (XmppConnection c = connections.getConnection()) {
                for (SessionInfo s : c.sessions().findByBare(Jid.parse(bareJid))) {
                    SessionTraffic t = c.traffic(s.jid());
                    rows.add(new String[] {s.jid().toString(), s.node(), s.connectionId(), s.since().toString(),
                        s.remoteAddress(), Boolean.toString(s.available()), Integer.toString(s.priority()),
                        Long.toString(t.stanzasIn()), Long.toString(t.stanzasOut())});
                }
            } catch (jakarta.resource.ResourceException e) {
                LOG.debugf("no sessions listed: the XMPP listener is not available: %s", e.getMessage());
            }
            return rows;
        }

        void fenceTopic(String topic, String fence, boolean raise) {
            topics.fence(topic, fence, raise);
        }

        /** The bare JIDs of the platforms with a session on this node, one per row. */
        ArrayList<String[]> localPlatforms() {
            ArrayList<String[]> rows = new ArrayList<>();
            try (XmppConnection c = connections.getConnection()) {
                c.sessions().jids().stream().map(j -> j.bare().toString()).distinct().forEach(j -> rows.add(new String[] {j}));
            } catch (jakarta.resource.ResourceException e) {
                LOG.debugf("no sessions listed: the XMPP listener is not available: %s", e.getMessage());
            }
            return rows;
        }
    }

    /**
     * Called while a transaction changes a Topic: every other node stops caching the Topic before the commit
     * (waiting up to a second for each to confirm) and drops it again after the commit or rollback.
     */
    public void fenceTopic(String topic) {
        CommandDispatcher<GroupMember, Node> d = dispatcher;
        if (d == null || group.getMembership().getMembers().size() < 2) {
            return; // no other node
        }
        if (transactions == null || transactions.getTransactionKey() == null
                || transactions.getTransactionStatus() != Status.STATUS_ACTIVE) {
            topicChanged(d, topic); // no transaction: the change is visible already
            return;
        }
        String key = "grid.topic-fence:" + topic;
        if (transactions.getResource(key) != null) {
            return; // raised for this transaction already
        }
        String fence = group.getLocalMember().getName() + "/" + java.util.UUID.randomUUID();
        transactions.putResource(key, fence);
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                // a member that does not answer is leaving, or has no grid yet: it has nothing cached
                askOthers(d, new TopicFence(topic, fence, true), 1, (member, raised) -> { },
                        "GRID0906: %s did not confirm the fence on Topic " + topic + ": %s");
            }

            @Override
            public void afterCompletion(int status) {
                try {
                    d.dispatchToGroup(new TopicFence(topic, fence, false), Set.of(group.getLocalMember()));
                } catch (java.io.IOException | RuntimeException ex) {
                    LOG.warnf("GRID0906: the fence on Topic %s was not lowered (it expires): %s", topic, ex.toString());
                }
            }
        });
    }

    private void topicChanged(CommandDispatcher<GroupMember, Node> d, String topic) {
        try {
            d.dispatchToGroup(new TopicFence(topic, "none", false), Set.of(group.getLocalMember()));
        } catch (java.io.IOException | RuntimeException ex) {
            LOG.warnf("GRID0906: the other nodes were not told that Topic %s changed: %s", topic, ex.toString());
        }
    }

    /** A platform's sessions on every node (rows as {@link Node#localSessions}); nodes that do not answer in 2 s are left out. */
    public List<String[]> sessions(Jid bareJid) {
        return everywhere(new ListSessions(bareJid.bare().toString()));
    }

    /** The bare JIDs of every platform with a session on some node, sorted (XEP-0133 get-online-users). */
    public List<String> onlinePlatforms() {
        return everywhere(new ListSessions(null)).stream().map(r -> r[0]).distinct().sorted().toList();
    }

    private List<String[]> everywhere(ListSessions query) {
        List<String[]> rows = new ArrayList<>(query.execute(new Node()));
        CommandDispatcher<GroupMember, Node> d = dispatcher;
        if (d != null) {
            askOthers(d, query, 2, (member, theirs) -> rows.addAll(theirs), "GRID0905: %s did not list its sessions: %s");
        }
        return rows;
    }

    /**
     * Sends a command to every other member and waits up to {@code seconds} for each answer, in turn; a member that
     * does not answer (or fails) is logged with {@code failure} (its name and why) and left out.
     */
    private <R> void askOthers(CommandDispatcher<GroupMember, Node> d, Command<R, ? super Node, RuntimeException> command,
                               int seconds, BiConsumer<GroupMember, R> answer, String failure) {
        Map<GroupMember, CompletionStage<R>> sent;
        try {
            sent = d.dispatchToGroup(command, Set.of(group.getLocalMember()));
        } catch (java.io.IOException | RuntimeException ex) {
            LOG.warnf(failure, "the other nodes", ex.toString());
            return;
        }
        for (Map.Entry<GroupMember, CompletionStage<R>> e : sent.entrySet()) {
            try {
                answer.accept(e.getKey(), e.getValue().toCompletableFuture().get(seconds, TimeUnit.SECONDS));
            } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException ex) {
                LOG.warnf(failure, e.getKey().getName(), ex.toString());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @PostConstruct
    void start() {
        if (factory == null) {
            LOG.infof("GRID0901: no cluster command dispatcher: platforms' sessions are ended on this node only");
            return;
        }
        group = factory.getGroup();
        dispatcher = factory.createCommandDispatcher(DISPATCHER_ID, new Node(), ClusterBus.class.getClassLoader());
        LOG.infof("GRID0902: cluster commands on group %s as %s (members now: %s)", group.getName(),
                group.getLocalMember().getName(), group.getMembership().getMembers());
    }

    @PreDestroy
    void stop() {
        CommandDispatcher<GroupMember, Node> d = dispatcher;
        dispatcher = null;
        if (d != null) {
            d.close();
        }
    }

    /**
     * Ends the sessions of {@code jid} (bare: every session of the platform; full: that session) on this node and
     * on every other node of the cluster, once the current transaction commits (at once without one). Returns the
     * number of sessions this node knew of.
     */
    public int endSessions(Jid jid, String reason) {
        int here = endHere(jid, reason); // the adapter itself waits for the commit
        if (transactions != null && transactions.getTransactionKey() != null
                && transactions.getTransactionStatus() == Status.STATUS_ACTIVE) {
            transactions.registerInterposedSynchronization(new Synchronization() {
                @Override
                public void beforeCompletion() {
                    // not decided yet
                }

                @Override
                public void afterCompletion(int status) {
                    if (status == Status.STATUS_COMMITTED) {
                        elsewhere(jid, reason);
                    }
                }
            });
        } else {
            elsewhere(jid, reason);
        }
        return here;
    }

    private int endHere(Jid jid, String reason) {
        try (XmppConnection c = connections.getConnection()) {
            return c.endSessions(jid, reason);
        } catch (jakarta.resource.ResourceException e) {
            // the state change still stops every future login; nothing is connected without the listener
            LOG.warnf("GRID0207: sessions of %s not ended on this node: the XMPP listener is not available: %s", jid,
                    e.getMessage());
            return 0;
        }
    }

    /** Asks every other member to end the sessions; does not wait (each member logs what it ended). */
    private void elsewhere(Jid jid, String reason) {
        CommandDispatcher<GroupMember, Node> d = dispatcher;
        if (d == null) {
            return;
        }
        try {
            Map<GroupMember, CompletionStage<Integer>> sent = d.dispatchToGroup(new EndSessions(jid.toString(), reason),
                    Set.of(group.getLocalMember()));
            sent.forEach((member, stage) -> stage.whenComplete((n, failure) -> {
                if (failure != null) {
                    // a member that left (or has no grid deployed yet) has no sessions of it to end
                    LOG.warnf("GRID0903: %s did not confirm ending the sessions of %s: %s", member.getName(), jid,
                            failure.toString());
                } else {
                    LOG.debugf("GRID0904: %s ended %d sessions of %s", member.getName(), n, jid);
                }
            }));
        } catch (java.io.IOException | RuntimeException e) {
            LOG.errorf(e, "GRID0903: the other nodes were not asked to end the sessions of %s", jid);
        }
    }

}
