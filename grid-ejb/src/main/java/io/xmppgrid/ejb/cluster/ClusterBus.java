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
import java.util.HashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import io.xmppgrid.core.Delivery;
import org.wildfly.clustering.server.Registration;
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
 *
 * <p>It stops before the beans it routes with (an undeploy): stanzas other nodes release to this node while it stops,
 * and what its sessions had not acknowledged, are routed again through {@code ClusterReroute}, which must still run.
 */
@Singleton
@Startup
@jakarta.ejb.DependsOn({"ClusterReroute", "TopicCache", "AuditLog", "CrlPublisher"})
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

    /** The {@code grid} container's replicated cache of available sessions ({@link SessionDirectory}). */
    @Resource(lookup = "java:jboss/infinispan/cache/grid/sessions")
    private ConcurrentMap<String, HashMap<String, String>> sessionCache;

    @EJB
    private io.xmppgrid.ejb.ClusterReroute rerouter;

    @EJB
    private io.xmppgrid.ejb.CrlPublisher crl;

    @EJB
    private io.xmppgrid.ejb.audit.AuditLog audit;

    @Resource
    private jakarta.enterprise.concurrent.ManagedExecutorService executor;

    /** Seconds a sender waits for another node to take a reservation (under the Topic's lock) and a release. */
    private static final int RESERVE_SECONDS = 2;
    private static final int RELEASE_SECONDS = 5;

    private volatile SessionDirectory directory;
    private final Inbox inbox = new Inbox(this::writeHere, System::currentTimeMillis);
    /** Stanzas the inbox could not write (their session ended): routed again outside its lock. */
    private final ConcurrentLinkedQueue<Object[]> undelivered = new ConcurrentLinkedQueue<>();
    private Registration membershipRegistration;

    private volatile CommandDispatcher<GroupMember, Node> dispatcher;
    private volatile Group<GroupMember> group;

    /** False while this node's XMPP listener is stopped: it holds no sessions, and what it routes goes elsewhere. */
    private volatile boolean listening = true;
    /** Other members whose listener stopped (they said so): nothing is routed to them, nothing replayed for them. */
    private final Set<String> notServing = java.util.concurrent.ConcurrentHashMap.newKeySet();

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
                    rows.add(row(c, s));
                }
            } catch (jakarta.resource.ResourceException e) {
                LOG.debugf("no sessions listed: the XMPP listener is not available: %s", e.getMessage());
            }
            return rows;
        }

        /**
         * Up to {@code limit} of this node's sessions whose full JID contains {@code filter} (ignoring case; every
         * session when empty), in the order of their JIDs, as rows of {@link #localSessions}.
         */
        ArrayList<String[]> findSessions(String filter, int limit) {
            ArrayList<String[]> rows = new ArrayList<>();
            String f = filter == null ? "" : filter.toLowerCase(java.util.Locale.ROOT);
            try (XmppConnection c = connections.getConnection()) {
                List<Jid> jids = c.sessions().jids().stream()
                        .filter(j -> j.toString().toLowerCase(java.util.Locale.ROOT).contains(f))
                        .sorted(java.util.Comparator.comparing(Jid::toString)).limit(limit).toList();
                for (Jid j : jids) {
                    c.sessions().find(j).ifPresent(s -> rows.add(row(c, s)));
                }
            } catch (jakarta.resource.ResourceException e) {
                LOG.debugf("no sessions listed: the XMPP listener is not available: %s", e.getMessage());
            }
            return rows;
        }

        /**
         * This node's links of peer grids: node, domain, direction, connection, address, since, authenticated, stanzas,
         * queued.
         */
        ArrayList<String[]> peerLinks() {
            ArrayList<String[]> rows = new ArrayList<>();
            try (XmppConnection c = connections.getConnection()) {
                for (io.xmppgrid.ra.api.PeerLink l : c.peerLinks()) {
                    rows.add(new String[] {group == null ? System.getProperty("jboss.node.name", "node") : self(), l.domain(),
                        l.direction(), l.connectionId(), l.remoteAddress() == null ? "" : l.remoteAddress(),
                        l.since() == null ? "" : l.since().toString(), Boolean.toString(l.authenticated()),
                        Long.toString(l.stanzas()), Long.toString(l.queued())});
                }
            } catch (jakarta.resource.ResourceException e) {
                LOG.debugf("no links listed: the XMPP listener is not available: %s", e.getMessage());
            }
            return rows;
        }

        private static String[] row(XmppConnection c, SessionInfo s) {
            SessionTraffic t = c.traffic(s.jid());
            return new String[] {s.jid().toString(), s.node(), s.connectionId(), s.since().toString(), s.remoteAddress(),
                Boolean.toString(s.available()), Integer.toString(s.priority()), Long.toString(t.stanzasIn()),
                Long.toString(t.stanzasOut())};
        }

        boolean replace(String fullJid) {
            try (XmppConnection c = connections.getConnection()) {
                return c.replaceSession(Jid.parse(fullJid));
            } catch (jakarta.resource.ResourceException e) {
                return false;
            }
        }

        void publishCrl() {
            crl.publish();
        }

        /** XEP-0198 across nodes: this node's session with that resumption id, handed to the asking node. */
        io.xmppgrid.ra.api.MovedSession handOff(String resumeId, String bareJid, long h) {
            try (XmppConnection c = connections.getConnection()) {
                return c.handOff(resumeId, Jid.parse(bareJid), h);
            } catch (jakarta.resource.ResourceException e) {
                return io.xmppgrid.ra.api.MovedSession.notFound(); // no listener, no sessions
            }
        }

        /** This node as the Cluster page and API show it ({@link ClusterBus#nodes()}). */
        ArrayList<String> status() {
            return localState();
        }

        /** Drains this node ({@code true}) or lets it serve again. */
        void drain(boolean drain) {
            drainHere(drain);
        }

        /** This node's XMPP listener as clients reach it, or null while it does not serve. */
        String xmppAddress() {
            // a node still warming up is not where sessions should be sent (issue 22)
            return listening && !io.xmppgrid.ejb.warmup.WarmUp.warming() ? io.xmppgrid.ejb.GridSettings.xmppAddress() : null;
        }

        Inbox inbox() {
            return inbox;
        }

        /**
         * {@code node}'s listener stopped (a graceful stop: it hands its sessions' unacknowledged stanzas over itself)
         * or started again. While stopped nothing is routed to it, and what was released to it is not delivered again
         * when it leaves.
         */
        void serving(String node, boolean up) {
            if (up) {
                notServing.remove(node);
            } else {
                notServing.add(node);
                recent.remove(node);
            }
            LOG.infof("GRID0923: %s %s", node, up ? "serves sessions" : "stopped serving sessions: nothing is routed to it");
        }

        Boolean release(java.util.List<String> ids) {
            boolean all = inbox.release(ids);
            rerouteUndelivered();
            return all;
        }

        /** The stored messages of a platform its live sessions on this node hold (positions first..last, in pairs). */
        long[] leased(String bareJid) {
            Jid bare = Jid.parse(bareJid);
            List<String> live = new ArrayList<>();
            try (XmppConnection c = connections.getConnection()) {
                c.sessions().findByBare(bare).forEach(s -> live.add(s.connectionId()));
            } catch (jakarta.resource.ResourceException | IllegalStateException e) {
                return new long[0]; // no listener (drained, stopping), no sessions
            }
            List<io.xmppgrid.ejb.offline.OfflineLeases.Range> held =
                    io.xmppgrid.ejb.offline.OfflineLeases.NODE.heldByOthers(bare.local(), "", live);
            long[] out = new long[2 * held.size()];
            for (int i = 0; i < held.size(); i++) {
                out[2 * i] = held.get(i).first();
                out[2 * i + 1] = held.get(i).last();
            }
            return out;
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

    /**
     * XEP-0198 §5 across nodes (issue 20): asks every other member for the session with this resumption id (the one
     * that holds it hands it over); completes with the first hand-over, or not found once every member has answered
     * without one (at once when there is no other member: the node that held it is gone). Never blocks the caller.
     */
    java.util.concurrent.CompletionStage<io.xmppgrid.ra.api.MovedSession> takeOver(String issuer, String resumeId, Jid bare,
                                                                                   long h) {
        CommandDispatcher<GroupMember, Node> d = dispatcher;
        java.util.concurrent.CompletableFuture<io.xmppgrid.ra.api.MovedSession> result = new java.util.concurrent.CompletableFuture<>();
        if (d == null || others.isEmpty()) {
            LOG.debugf("GRID0927: resumption %s of %s (issued by %s): no other node", resumeId, bare, issuer);
            result.complete(io.xmppgrid.ra.api.MovedSession.notFound());
            return result;
        }
        executor.execute(() -> {
            Map<GroupMember, CompletionStage<io.xmppgrid.ra.api.MovedSession>> sent;
            try {
                sent = d.dispatchToGroup(new TakeSession(resumeId, bare.bare().toString(), h), Set.of(group.getLocalMember()));
            } catch (java.io.IOException | RuntimeException ex) {
                LOG.warnf("GRID0927: resumption %s of %s: the other nodes were not asked: %s", resumeId, bare, ex.toString());
                result.complete(io.xmppgrid.ra.api.MovedSession.notFound());
                return;
            }
            java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger(sent.size());
            if (sent.isEmpty()) {
                result.complete(io.xmppgrid.ra.api.MovedSession.notFound());
            }
            sent.forEach((member, answer) -> answer.whenComplete((moved, failure) -> {
                if (failure != null) {
                    LOG.debugf("GRID0927: resumption %s of %s: %s did not answer: %s", resumeId, bare, member.getName(), failure);
                } else if (moved != null && moved.outcome() != io.xmppgrid.ra.api.MovedSession.Outcome.NOT_FOUND) {
                    LOG.infof("GRID0927: session %s of %s handed over by %s (%s)", resumeId, bare, member.getName(), moved.outcome());
                    result.complete(moved);
                }
                if (waiting.decrementAndGet() == 0) {
                    result.complete(io.xmppgrid.ra.api.MovedSession.notFound());
                }
            }));
        });
        return result;
    }

    // ---- operating the cluster (issue 20): every node's state, drain and serve -------------------------------------

    /** When this node's grid started (epoch milliseconds). */
    private final long startedAt = System.currentTimeMillis();

    /**
     * Every node's state, this one first: name, XMPP address ({@code host:port}), state ({@code serving},
     * {@code drained}, {@code stopped}), live sessions, started at (epoch ms), the application's version. Nodes that do
     * not answer within 2 s are left out.
     */
    public List<List<String>> nodes() {
        List<List<String>> rows = new ArrayList<>();
        rows.add(localState());
        CommandDispatcher<GroupMember, Node> d = dispatcher;
        if (d != null) {
            askOthers(d, new NodeControl(null), 2, (member, row) -> rows.add(row), "GRID0928: %s did not say how it is: %s");
        }
        return rows;
    }

    /**
     * Drains ({@code drain} true) or lets serve again the node named {@code node} (this one or another member); returns
     * its state afterwards, or empty when there is no such member.
     */
    public java.util.Optional<List<String>> drain(String node, boolean drain) throws java.io.IOException {
        if (group == null || node.equals(self())) {
            drainHere(drain);
            return java.util.Optional.of(localState());
        }
        CommandDispatcher<GroupMember, Node> d = dispatcher;
        GroupMember m = member(node);
        if (d == null || m == null) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(d.dispatchToMember(new NodeControl(drain), m).toCompletableFuture().get(60, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException e) {
            throw new java.io.IOException(node + " did not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.IOException("interrupted", e);
        }
    }

    /** The names of the group's members, this node's included (its own name alone on a node without a group). */
    public Set<String> memberNames() {
        Group<GroupMember> g = group;
        if (g == null) {
            return Set.of(System.getProperty("jboss.node.name", "node"));
        }
        Set<String> names = new java.util.HashSet<>();
        for (GroupMember m : g.getMembership().getMembers()) {
            names.add(m.getName());
        }
        return names;
    }

    /** Whether this node is its group's coordinator (or alone): it exports the grid's cluster-wide figures. */
    public boolean coordinator() {
        Group<GroupMember> g = group;
        return g == null || g.getMembership().getCoordinator().equals(g.getLocalMember());
    }

    /** Whether this node routes across the cluster (grid.cluster: it joined the group and publishes its sessions). */
    public boolean routesAcrossNodes() {
        return directory != null;
    }

    /** The members of this node's group as it sees them now, this one included (1 alone, or without clustering). */
    public int members() {
        Group<GroupMember> g = group;
        return g == null ? 1 : g.getMembership().getMembers().size();
    }

    // ---- balancing (issue 20): a node with more than its share of sessions sends new connections elsewhere --------

    /** The nodes' rows ({@link #nodes()}) as last asked, every 5 s while balancing is on; this node's first. */
    private volatile List<List<String>> loads = List.of();
    private volatile java.util.concurrent.ScheduledFuture<?> loadsTask;

    @Resource
    private jakarta.enterprise.concurrent.ManagedScheduledExecutorService scheduler;

    /** {@code grid.balance.maxShare}, read at every use (0: off). */
    private static double maxShare() {
        try {
            return Double.parseDouble(System.getProperty("grid.balance.maxShare", "0").trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void refreshLoads() {
        if (maxShare() <= 0) {
            loads = List.of();
            return;
        }
        try {
            loads = nodes();
        } catch (RuntimeException e) {
            LOG.debugf("GRID0930: the nodes' loads were not refreshed: %s", e.toString());
        }
    }

    /**
     * Where a new connection should go (RFC 6120 §4.9.3.19), from the loads as last asked: when this node holds more
     * than {@code grid.balance.maxShare} times the average of the serving nodes' sessions, and at least
     * {@code grid.balance.minSessions} (default 10) more than the least loaded one, that one's address; else null.
     */
    String redirect() {
        double share = maxShare();
        List<List<String>> l = loads;
        if (share <= 0 || l.size() < 2 || !listening) {
            return null;
        }
        int mine = Integer.parseInt(l.get(0).get(3));
        long total = 0;
        int serving = 0;
        List<String> least = null;
        for (List<String> row : l) {
            if (!"serving".equals(row.get(2)) || row.get(1).isEmpty()) {
                continue;
            }
            int n = Integer.parseInt(row.get(3));
            total += n;
            serving++;
            if (row != l.get(0) && (least == null || n < Integer.parseInt(least.get(3)))) {
                least = row;
            }
        }
        if (least == null || serving < 2) {
            return null;
        }
        double average = (double) total / serving;
        int margin = Integer.getInteger("grid.balance.minSessions", 10);
        if (mine > share * average && mine - Integer.parseInt(least.get(3)) >= margin) {
            return least.get(1);
        }
        return null;
    }

    /** Drained by an administrator (the adapter's listener stays stopped until served again). */
    private volatile boolean drained;

    private void drainHere(boolean drain) {
        try (XmppConnection c = connections.getConnection()) {
            boolean changed = drain ? c.drain() : c.serve();
            drained = c.drained();
            LOG.infof("GRID0928: %s %s", group == null ? "this node" : self(),
                    drain ? (changed ? "drained: its sessions were sent to other nodes" : "was drained already")
                          : (changed ? "serves again" : "was not drained"));
        } catch (jakarta.resource.ResourceException e) {
            throw new IllegalStateException("the XMPP adapter is not available: " + e.getMessage(), e);
        }
    }

    /** This node's row of {@link #nodes()}. */
    public ArrayList<String> localState() {
        String state = drained ? "drained" : !listening ? "stopped"
                : io.xmppgrid.ejb.warmup.WarmUp.warming() ? "warming" : "serving";
        int sessions = 0;
        if (listening) {
            try (XmppConnection c = connections.getConnection()) {
                sessions = c.sessions().size();
            } catch (jakarta.resource.ResourceException | RuntimeException e) {
                LOG.debugf("GRID0928: this node's sessions not counted: %s", e.toString());
            }
        }
        String version = ClusterBus.class.getPackage().getImplementationVersion();
        String address = io.xmppgrid.ejb.GridSettings.xmppAddress();
        return new ArrayList<>(List.of(group == null ? System.getProperty("jboss.node.name", "node") : self(),
                address == null ? "" : address, state, Integer.toString(sessions), Long.toString(startedAt),
                version == null ? "" : version));
    }

    /**
     * Every node's traffic for the console's charts, this node first: the last hour ({@code day} false) or day, or, with
     * {@code platform} (a bare JID), that platform's stanzas on each node over the last hour. Nodes that do not answer
     * within 2 s are left out.
     */
    public List<io.xmppgrid.ejb.history.TrafficHistory.Snapshot> history(boolean day, String platform) {
        History query = new History(day, platform);
        List<io.xmppgrid.ejb.history.TrafficHistory.Snapshot> all = new ArrayList<>();
        all.add(query.execute(new Node()));
        CommandDispatcher<GroupMember, Node> d = dispatcher;
        if (d != null) {
            askOthers(d, query, 2, (member, theirs) -> all.add(theirs), "GRID0934: %s did not send its traffic history: %s");
        }
        return all;
    }

    /** A platform's sessions on every node (rows as {@link Node#localSessions}); nodes that do not answer in 2 s are left out. */
    public List<String[]> sessions(Jid bareJid) {
        return everywhere(new ListSessions(bareJid.bare().toString()));
    }

    /**
     * Sessions of every node whose full JID contains {@code filter} (every one when empty), at most {@code limitPerNode}
     * from each node (rows as {@link Node#localSessions}); nodes that do not answer in 2 s are left out.
     */
    public List<String[]> findSessions(String filter, int limitPerNode) {
        return everywhere(new FindSessions(filter == null ? "" : filter, limitPerNode));
    }

    /**
     * The links of peer grids on every node (rows as {@link Node#peerLinks}), by domain then node; nodes that do not
     * answer in 2 s are left out.
     */
    public List<String[]> peerLinks() {
        List<String[]> rows = new ArrayList<>(everywhere(new ListPeerLinks()));
        rows.sort(java.util.Comparator.<String[], String>comparing(r -> r[1]).thenComparing(r -> r[0]));
        return rows;
    }

    /** The bare JIDs of every platform with a session on some node, sorted (XEP-0133 get-online-users). */
    public List<String> onlinePlatforms() {
        return everywhere(new ListSessions(null)).stream().map(r -> r[0]).distinct().sorted().toList();
    }

    private List<String[]> everywhere(Command<ArrayList<String[]>, Node, RuntimeException> query) {
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
        try (XmppConnection c = connections.getConnection()) {
            c.onStop(new Handover());
        } catch (jakarta.resource.ResourceException | RuntimeException e) {
            LOG.errorf("GRID0923: a stopping listener cannot hand its sessions' unacknowledged stanzas over: %s", e.toString());
        }
        if (factory == null) {
            LOG.infof("GRID0901: no cluster command dispatcher: platforms' sessions are ended on this node only");
            return;
        }
        group = factory.getGroup();
        dispatcher = factory.createCommandDispatcher(DISPATCHER_ID, new Node(), ClusterBus.class.getClassLoader());
        LOG.infof("GRID0902: cluster commands on group %s as %s (members now: %s)", group.getName(),
                group.getLocalMember().getName(), group.getMembership().getMembers());
        if (Boolean.getBoolean("grid.cluster") && sessionCache != null) {
            // only a cluster node routes across nodes: single nodes that happen to see each other (multicast on one
            // network) each have their own database and must stay islands
            SessionDirectory dir = new SessionDirectory(sessionCache, group.getLocalMember().getName(), executor,
                    () -> otherMembers(Set.of()), this::replaceElsewhere, this::takeOver, this::redirect);
            dir.forgetEarlierRun();
            membershipRegistration = group.register(this::membershipChanged);
            viewChanged(group.getMembership().getMembers());
            directory = dir;
            try (XmppConnection c = connections.getConnection()) {
                c.watchSessions(dir); // the listener starts later, with the stanza bean's endpoint
            } catch (jakarta.resource.ResourceException | RuntimeException e) {
                LOG.errorf("GRID0918: this node's sessions are not published to the cluster: %s", e.toString());
            }
            LOG.infof("GRID0910: sessions are routed across the cluster's nodes");
            // A redeployed grid (a rolling upgrade) stays a member of the server's group, so the others still count it
            // as not serving since its drain; its listener may have started before this bean could tell them.
            if (listening && !drained) {
                serving(true);
            }
            if (scheduler != null) {
                loadsTask = scheduler.scheduleWithFixedDelay(this::refreshLoads, 5, 5, TimeUnit.SECONDS);
            }
        }
    }

    private void membershipChanged(org.wildfly.clustering.server.GroupMembershipEvent<GroupMember> event) {
        Set<String> left = new java.util.HashSet<>();
        event.getPreviousMembership().getMembers().forEach(m -> left.add(m.getName()));
        event.getCurrentMembership().getMembers().forEach(m -> left.remove(m.getName()));
        Set<String> stoppedServing = new java.util.HashSet<>(left);
        stoppedServing.retainAll(notServing); // they stopped gracefully: they handed their sessions' stanzas over
        viewChanged(event.getCurrentMembership().getMembers());
        if (event.getCurrentMembership().getCoordinator().equals(group.getLocalMember())) {
            auditMembership(event, left, stoppedServing);
        }
        if (left.isEmpty()) {
            return;
        }
        left.forEach(inbox::originGone);
        rerouteUndelivered();
        for (String node : left) {
            java.util.ArrayDeque<Released> sent = recent.remove(node);
            if (sent == null || sent.isEmpty()) {
                continue;
            }
            executor.execute(() -> replay(node, sent));
        }
        SessionDirectory dir = directory;
        if (dir != null && event.getCurrentMembership().getCoordinator().equals(group.getLocalMember())) {
            Set<String> crashed = new java.util.HashSet<>(left);
            crashed.removeAll(stoppedServing);
            Map<String, Set<String>> platforms = dir.platformsOn(crashed);
            int n = dir.removeOf(left);
            LOG.infof("GRID0915: %s left the cluster: %d platforms' session entries of it removed", left, n);
            // what a crashed node published for its own sessions: the coordinator alone delivers it again
            platforms.forEach((node, of) -> executor.execute(() -> replayPublished(node, of)));
        }
    }

    /**
     * Issue 20: the audit log records the cluster's changes (the coordinator alone, once): each node that joined, each
     * that left after stopping gracefully ({@code cluster.leave}), each that left without (a failover:
     * {@code cluster.failover}, its platforms reconnect elsewhere).
     */
    private void auditMembership(org.wildfly.clustering.server.GroupMembershipEvent<GroupMember> event, Set<String> left,
                                 Set<String> graceful) {
        Set<String> joined = new java.util.TreeSet<>();
        event.getCurrentMembership().getMembers().forEach(m -> joined.add(m.getName()));
        event.getPreviousMembership().getMembers().forEach(m -> joined.remove(m.getName()));
        String members = event.getCurrentMembership().getMembers().stream().map(GroupMember::getName).sorted().toList().toString();
        executor.execute(() -> {
            try {
                for (String n : joined) {
                    audit.recordSeparately(io.xmppgrid.persistence.AuditEntry.Kind.SYSTEM, self(), "cluster.join", n, "ok",
                            "members now " + members, null);
                }
                for (String n : new java.util.TreeSet<>(left)) {
                    boolean stopped = graceful.contains(n);
                    audit.recordSeparately(io.xmppgrid.persistence.AuditEntry.Kind.SYSTEM, self(),
                            stopped ? "cluster.leave" : "cluster.failover", n, "ok", (stopped
                                    ? "stopped gracefully, its sessions handed over" : "left without stopping (crashed or cut off)")
                                    + "; members now " + members, null);
                }
            } catch (RuntimeException e) {
                LOG.warnf("GRID0929: the cluster's change (joined %s, left %s) was not audited: %s", joined, left, e.toString());
            }
        });
    }

    private void replayPublished(String node, Set<String> platforms) {
        java.time.Instant since = java.time.Instant.now().minusMillis(REPLAY_WINDOW_MILLIS);
        // a transaction per group of platforms, as for what was released to it (replay)
        List<String> all = new ArrayList<>(platforms);
        int n = 0;
        for (int from = 0; from < all.size(); from += REPLAY_PLATFORMS) {
            Set<String> some = new java.util.HashSet<>(all.subList(from, Math.min(all.size(), from + REPLAY_PLATFORMS)));
            try {
                n += rerouter.replayPublishedOn(node, some, since, REPLAY_MAX);
            } catch (RuntimeException e) {
                LOG.errorf(e, "GRID0925: %s left: what it published for %d of its platforms' sessions lately was not delivered "
                        + "again", node, some.size());
            }
        }
        LOG.warnf("GRID0925: %s left without handing its sessions over: %d notifications of items it published in the "
                + "last %d s delivered again or stored for %d platforms that had sessions on it", node, n,
                REPLAY_WINDOW_MILLIS / 1000, platforms.size());
    }

    // ---- a node that leaves: what was released to it lately is delivered again to its recipients -----------------

    /** How long (and how much) of what this node released to another node is kept, in case that node crashes. */
    static final long REPLAY_WINDOW_MILLIS = 30_000;
    private static final int REPLAY_MAX = 20_000;

    private record Released(long at, List<ClusterDelivery.Entry> entries) {
    }

    private final Map<String, java.util.ArrayDeque<Released>> recent = new java.util.concurrent.ConcurrentHashMap<>();

    private void remember(String node, List<Reserved> released) {
        if (released == null) {
            return;
        }
        long now = System.currentTimeMillis();
        java.util.ArrayDeque<Released> q = recent.computeIfAbsent(node, n -> new java.util.ArrayDeque<>());
        synchronized (q) {
            for (Reserved r : released) {
                q.addLast(new Released(now, r.entries()));
            }
            while (!q.isEmpty() && (now - q.peekFirst().at() > REPLAY_WINDOW_MILLIS || q.size() > REPLAY_MAX)) {
                q.pollFirst();
            }
        }
    }

    /**
     * {@code node} left the view (crashed, or stopped: a stopping node's stanza bean is deactivated before its
     * sessions close, so it cannot store what they had not acknowledged): the stanzas released to it within the
     * window may never have reached their sessions (not written yet, or written and not acknowledged). Each is delivered again to its platform unless the platform has
     * an available session that already existed when it was released (that session had its own copy): to its
     * sessions that came since (a reconnect), else to its offline queue.
     */
    private void replay(String node, java.util.ArrayDeque<Released> sent) {
        List<Jid> to = new ArrayList<>();
        List<io.xmppgrid.xmpp.XmlElement> stanzas = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        synchronized (sent) {
            for (Released r : sent) {
                r.entries().forEach(x -> x.forEachCopy((j, st) -> {
                    to.add(j);
                    stanzas.add(st);
                    at.add(r.at());
                }));
            }
        }
        // a transaction per chunk of whole platforms (their copies in order): a platform that logs in again waits for
        // its own chunk only (its queue row is locked while its copies are stored), and a failure loses no other chunk
        Map<Jid, List<Integer>> byPlatform = new java.util.LinkedHashMap<>();
        for (int i = 0; i < to.size(); i++) {
            byPlatform.computeIfAbsent(to.get(i).bare(), k -> new ArrayList<>()).add(i);
        }
        List<Integer> chunk = new ArrayList<>();
        int n = 0;
        int failed = 0;
        java.util.Iterator<List<Integer>> platforms = byPlatform.values().iterator();
        while (platforms.hasNext()) {
            chunk.addAll(platforms.next());
            if (chunk.size() < REPLAY_CHUNK && platforms.hasNext()) {
                continue;
            }
            try {
                n += rerouter.replay(chunk.stream().map(to::get).toList(), chunk.stream().map(stanzas::get).toList(),
                        chunk.stream().map(at::get).toList(), Set.of(node));
            } catch (RuntimeException e) {
                failed += chunk.size();
                LOG.errorf(e, "GRID0922: %s left: %d stanzas released to it lately were not stored again", node, chunk.size());
            }
            chunk.clear();
        }
        LOG.warnf("GRID0922: %s left: %d of the %d stanzas released to it in the last %d s delivered again or stored "
                + "(%d platforms%s)", node, n, to.size(), REPLAY_WINDOW_MILLIS / 1000, byPlatform.size(),
                failed == 0 ? "" : "; " + failed + " NOT");
    }

    /** Platforms whose notifications of what a dead node published are delivered again per transaction. */
    private static final int REPLAY_PLATFORMS = 100;

    /** Copies delivered again per transaction when a node left (whole platforms: a chunk may hold more). */
    private static final int REPLAY_CHUNK = 1_000;

    /**
     * The adapter's handover when this node's listener stops (WildFly deactivates the stanza bean first when it
     * suspends): the other nodes stop routing to this node at once, and the messages this node's sessions had not
     * acknowledged are routed again here, in transactions of their own, without this node's sessions: to the
     * platform's sessions on other nodes, else to its offline queue. Nothing is lost, and since the other nodes are
     * told, nothing they released here is delivered twice.
     */
    private final class Handover implements io.xmppgrid.ra.api.StopHandover {
        @Override
        public void stopping() {
            listening = false;
            serving(false);
        }

        @Override
        public String alternate() {
            CommandDispatcher<GroupMember, Node> d = dispatcher;
            if (d == null || others.isEmpty()) {
                return null;
            }
            List<String> serving = new ArrayList<>();
            askOthers(d, new XmppAddress(), 2, (member, address) -> {
                if (address != null && !notServing.contains(member.getName())) {
                    serving.add(address);
                }
            }, "GRID0926: %s did not say where its XMPP listener is: %s");
            return serving.isEmpty() ? null : serving.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(serving.size()));
        }

        @Override
        public void undelivered(Jid fullJid, List<io.xmppgrid.xmpp.XmlElement> stanzas) {
            rerouter.reroute(java.util.Collections.nCopies(stanzas.size(), fullJid), stanzas, Set.of());
        }

        @Override
        public void stopped() {
            rerouteUndelivered();
            LOG.infof("GRID0923: this node's listener stopped: its sessions' unacknowledged stanzas were handed over");
        }

        @Override
        public void started() {
            listening = true;
            serving(true);
        }
    }

    private void serving(boolean up) {
        CommandDispatcher<GroupMember, Node> d = dispatcher;
        Group<GroupMember> g = group;
        if (d != null && g != null && g.getMembership().getMembers().size() > 1) {
            askOthers(d, new Serving(self(), up), 1, (member, ok) -> { },
                    "GRID0923: %s was not told that this node's listener " + (up ? "started" : "stops") + ": %s");
        }
    }

    /** Whether this node's listener runs (it holds sessions). */
    public boolean listening() {
        return listening;
    }

    /** {@code completion} after the current transaction (where no listener runs to order it with this node's stanzas). */
    void onCompletion(java.util.function.Consumer<Boolean> completion) {
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                // not decided yet
            }

            @Override
            public void afterCompletion(int status) {
                completion.accept(status == Status.STATUS_COMMITTED);
            }
        });
    }

    @PreDestroy
    void stop() {
        // An undeploy (a redeploy, a rolling upgrade) destroys this bean before the adapter stops its listener: drain
        // first, while the other nodes can still be asked where to send the sessions (<see-other-host/>) and take what
        // they had not acknowledged. A server that stops gracefully has stopped the listener already (not listening).
        if (group != null && listening && !drained && !others.isEmpty()) {
            try {
                drainHere(true);
            } catch (RuntimeException e) {
                LOG.warnf("GRID0928: this node's sessions were not sent to the other nodes before the grid stopped: %s",
                        e.toString());
            }
        }
        java.util.concurrent.ScheduledFuture<?> t = loadsTask;
        if (t != null) {
            t.cancel(false);
        }
        CommandDispatcher<GroupMember, Node> d = dispatcher;
        dispatcher = null;
        directory = null;
        if (membershipRegistration != null) {
            membershipRegistration.close();
        }
        if (d != null) {
            d.close();
        }
    }

    // ---- live delivery across nodes -------------------------------------------------------------------------

    /** A reservation a node confirmed: its stanzas, kept until the release is confirmed. */
    record Reserved(String node, String id, List<ClusterDelivery.Entry> entries) {
    }

    /**
     * The delivery a unit of work uses: across the cluster on a cluster node (call {@link #flush(Delivery)} before
     * its transaction ends), else {@code local} itself.
     */
    public Delivery delivery(XmppConnection c, Delivery local, io.xmppgrid.core.OfflineSink offline) {
        return delivery(c, local, offline, Set.of());
    }

    /** As {@link #delivery(XmppConnection, Delivery, io.xmppgrid.core.OfflineSink)}, leaving out some nodes. */
    public Delivery delivery(XmppConnection c, Delivery local, io.xmppgrid.core.OfflineSink offline, Set<String> excluded) {
        return directory == null ? local : new ClusterDelivery(local, this, c, offline, excluded);
    }

    /** Hands what {@code d} collected for other nodes to them (no-op for a node-local delivery). */
    public static void flush(Delivery d) {
        if (d instanceof ClusterDelivery cd) {
            cd.flush();
        }
    }

    /**
     * The stored messages of a platform that its sessions on the other nodes hold (XEP-0160 offline messages handed
     * to a session and not yet confirmed), so that a session here is not handed them too. Called with the
     * platform's queue row locked, under which every node changes its leases. A node that does not answer in
     * {@link #RESERVE_SECONDS} is leaving: what its sessions held is free again, as when a session ends.
     */
    public List<io.xmppgrid.ejb.offline.OfflineLeases.Range> leasedElsewhere(Jid bare) {
        CommandDispatcher<GroupMember, Node> d = dispatcher;
        if (directory == null || d == null || group.getMembership().getMembers().size() < 2) {
            return List.of();
        }
        List<io.xmppgrid.ejb.offline.OfflineLeases.Range> out = new ArrayList<>();
        askOthers(d, new Leased(bare.bare().toString()), RESERVE_SECONDS, (member, pairs) -> {
            for (int i = 0; i + 1 < pairs.length; i += 2) {
                out.add(new io.xmppgrid.ejb.offline.OfflineLeases.Range(pairs[i], pairs[i + 1]));
            }
        }, "GRID0919: %s did not say which stored messages of " + bare + " its sessions hold: %s");
        return out;
    }

    /**
     * A revocation committed: this node publishes the CRL from the database (a transaction of its own), then every
     * other node does the same (asked, not awaited), each with the cluster's next CRL number.
     */
    public void crlChanged() {
        try {
            crl.publish();
        } catch (RuntimeException e) {
            LOG.errorf("GRID0212: the CRL could not be published on this node: %s", e.toString());
        }
        CommandDispatcher<GroupMember, Node> d = dispatcher;
        if (d != null && group.getMembership().getMembers().size() > 1) {
            try {
                d.dispatchToGroup(new CrlChanged(), Set.of(group.getLocalMember())).forEach((member, stage) ->
                        stage.whenComplete((ok, failure) -> {
                            if (failure != null) {
                                LOG.warnf("GRID0921: %s did not confirm publishing the CRL: %s", member.getName(), failure.toString());
                            }
                        }));
            } catch (java.io.IOException | RuntimeException e) {
                LOG.warnf("GRID0921: the other nodes were not asked to publish the CRL: %s", e.toString());
            }
        }
    }

    /** RFC 6120 §7.7.2.2 across nodes: the older session of a full JID bound again here ends on its node. */
    private void replaceElsewhere(Jid full, String node) {
        CommandDispatcher<GroupMember, Node> d = dispatcher;
        GroupMember m = member(node);
        if (d != null && m != null) {
            try {
                d.dispatchToMember(new Replace(full.toString()), m);
                LOG.infof("GRID0920: %s bound here: its older session on %s is replaced", full, node);
            } catch (java.io.IOException | RuntimeException e) {
                LOG.warnf("GRID0920: %s bound here, but %s was not asked to end its older session: %s", full, node, e.toString());
            }
        }
    }

    /** Routes a stanza whose session is gone again through {@code d} (RFC 6121 §8.5.3.2.1). */
    public static void reroute(Delivery d, Jid fullJid, io.xmppgrid.xmpp.XmlElement stanza, io.xmppgrid.core.OfflineSink offline) {
        if (d instanceof ClusterDelivery cd) {
            cd.reroute(fullJid, stanza);
        } else {
            ClusterDelivery.reroute(d, offline, fullJid, stanza);
        }
    }

    /** The other members' names as of the last view (read per recipient on the delivery path: kept, not rebuilt). */
    private volatile List<String> others = List.of();

    private void viewChanged(List<GroupMember> members) {
        List<String> names = new ArrayList<>();
        for (GroupMember m : members) {
            if (!m.equals(group.getLocalMember())) {
                names.add(m.getName());
            }
        }
        others = List.copyOf(names);
        notServing.retainAll(names);
    }

    private List<String> otherMembers(Set<String> excluded) {
        List<String> now = others;
        if (excluded.isEmpty() && notServing.isEmpty()) {
            return now;
        }
        return now.stream().filter(n -> !excluded.contains(n) && !notServing.contains(n)).toList();
    }

    java.util.Optional<SessionInfo> remoteSession(Jid full, Set<String> excluded) {
        SessionDirectory dir = directory;
        return dir == null ? java.util.Optional.empty() : dir.find(full, otherMembers(excluded));
    }

    List<SessionInfo> remoteSessions(Jid bare, Set<String> excluded) {
        SessionDirectory dir = directory;
        return dir == null ? List.of() : dir.elsewhere(bare, otherMembers(excluded));
    }

    /** How many available sessions of the platform other nodes hold (the session directory; 0 on a single node). */
    public int sessionsElsewhere(Jid bare) {
        return remoteSessions(bare, Set.of()).size();
    }

    boolean inTransaction() {
        return transactions != null && transactions.getTransactionKey() != null
                && transactions.getTransactionStatus() == Status.STATUS_ACTIVE;
    }

    String reservationId(int round) {
        return group.getLocalMember().getName() + "/" + java.util.UUID.randomUUID() + "/" + round;
    }

    /** This node's name in the group. */
    String self() {
        return group.getLocalMember().getName();
    }

    private GroupMember member(String name) {
        for (GroupMember m : group.getMembership().getMembers()) {
            if (m.getName().equals(name)) {
                return m;
            }
        }
        return null;
    }

    /** Asks {@code node} to reserve these stanzas; true once it confirmed within {@link #RESERVE_SECONDS}. */
    boolean reserve(String id, String node, List<ClusterDelivery.Entry> entries) {
        CommandDispatcher<GroupMember, Node> d = dispatcher;
        boolean here = node.equals(self());
        GroupMember m = here ? null : member(node);
        if (d == null || (!here && m == null)) {
            return false;
        }
        List<Parcel> parcels = new ArrayList<>(entries.size());
        for (ClusterDelivery.Entry e : entries) {
            parcels.add(e.parcel(here));
        }
        if (here) {
            return inbox.reserve(id, node, parcels); // a Topic's stanzas for this node's sessions: the same queue
        }
        try {
            return Boolean.TRUE.equals(d.dispatchToMember(Forward.reserve(id, self(), parcels), m)
                    .toCompletableFuture().get(RESERVE_SECONDS, TimeUnit.SECONDS));
        } catch (ExecutionException | TimeoutException | java.io.IOException
                 | RuntimeException e) {
            LOG.warnf("GRID0914: %s did not take %d stanzas (%s): they are routed without it: %s", node,
                    entries.stream().mapToInt(x -> x.to.size()).sum(), id, e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Tells {@code node} to drop a reservation (no answer awaited; an unanswered reservation expires anyway). */
    void abort(String node, String id) {
        if (node.equals(self())) {
            inbox.abort(List.of(id));
            rerouteUndelivered();
            return;
        }
        CommandDispatcher<GroupMember, Node> d = dispatcher;
        GroupMember m = member(node);
        if (d != null && m != null) {
            try {
                d.dispatchToMember(Forward.abort(List.of(id)), m);
            } catch (java.io.IOException | RuntimeException e) {
                LOG.debugf("abort of %s not sent to %s: %s", id, node, e.toString());
            }
        }
    }

    /**
     * The sending transaction completed: the reservations are released (committed) or aborted. A node that does
     * not confirm its release in time left, or is about to be suspected: its stanzas are routed again without it,
     * in a transaction of their own (another session of the platform, or its offline queue), before the sender's
     * own replies are written.
     */
    void complete(boolean committed, List<Reserved> reserved) {
        CommandDispatcher<GroupMember, Node> d = dispatcher;
        Map<String, List<Reserved>> byNode = new java.util.LinkedHashMap<>();
        reserved.forEach(r -> byNode.computeIfAbsent(r.node(), n -> new ArrayList<>()).add(r));
        if (!committed) {
            byNode.forEach((node, rs) -> rs.forEach(r -> abort(node, r.id())));
            return;
        }
        Map<String, CompletionStage<Boolean>> sent = new java.util.LinkedHashMap<>();
        Set<String> failed = new java.util.HashSet<>(byNode.keySet());
        List<Reserved> mine = byNode.get(self());
        if (mine != null) {
            failed.remove(self());
            inbox.release(mine.stream().map(Reserved::id).toList()); // written in the Topic's order
            rerouteUndelivered();
        }
        for (Map.Entry<String, List<Reserved>> e : byNode.entrySet()) {
            if (e.getKey().equals(self())) {
                continue;
            }
            GroupMember m = member(e.getKey());
            if (d != null && m != null) {
                try {
                    sent.put(e.getKey(), d.dispatchToMember(Forward.release(e.getValue().stream().map(Reserved::id).toList()), m));
                } catch (java.io.IOException | RuntimeException ex) {
                    LOG.warnf("GRID0916: release not sent to %s: %s", e.getKey(), ex.toString());
                }
            }
        }
        for (Map.Entry<String, CompletionStage<Boolean>> e : sent.entrySet()) {
            try {
                if (Boolean.TRUE.equals(e.getValue().toCompletableFuture().get(RELEASE_SECONDS, TimeUnit.SECONDS))) {
                    failed.remove(e.getKey());
                    remember(e.getKey(), byNode.get(e.getKey()));
                }
            } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException ex) {
                LOG.warnf("GRID0916: %s did not confirm a release: %s", e.getKey(), ex.toString());
                if (d != null && !released(d, e.getKey(), byNode.get(e.getKey()))) {
                    continue;
                }
                failed.remove(e.getKey());
                remember(e.getKey(), byNode.get(e.getKey()));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (failed.isEmpty()) {
            return;
        }
        List<Jid> to = new ArrayList<>();
        List<io.xmppgrid.xmpp.XmlElement> stanzas = new ArrayList<>();
        for (String node : failed) {
            for (Reserved r : byNode.get(node)) {
                r.entries().forEach(x -> x.forEachCopy((j, st) -> {
                    to.add(j);
                    stanzas.add(st);
                }));
            }
        }
        LOG.warnf("GRID0916: %d stanzas for sessions on %s routed again without it", to.size(), failed);
        rerouter.reroute(to, stanzas, failed);
    }

    /**
     * A node that did not confirm a release in time (busy, e.g. draining its sessions, or about to be suspected) is
     * asked whether it took it: routing its stanzas again here while it writes them too would deliver them twice. True
     * when it says it released them (it writes them); false when it withdrew them, or does not answer either (then
     * they are routed again here: a recipient may get one twice, none is lost).
     */
    private boolean released(CommandDispatcher<GroupMember, Node> d, String node, List<Reserved> rs) {
        GroupMember m = member(node);
        if (m == null) {
            return false;
        }
        try {
            Boolean withdrawn = d.dispatchToMember(Forward.withdraw(rs.stream().map(Reserved::id).toList()), m)
                    .toCompletableFuture().get(RELEASE_SECONDS, TimeUnit.SECONDS);
            if (Boolean.FALSE.equals(withdrawn)) {
                LOG.infof("GRID0916: %s had taken the release after all: its stanzas are not routed again", node);
                return true;
            }
            return false;
        } catch (ExecutionException | TimeoutException | java.io.IOException | RuntimeException ex) {
            LOG.warnf("GRID0916: %s did not say whether it took a release either: %s", node, ex.toString());
            return false;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The inbox's writer: stanzas to this node's sessions, outside any transaction (written at once). */
    private void writeHere(List<Parcel> parcels) {
        List<Object[]> copies = new ArrayList<>();
        for (Parcel p : parcels) {
            io.xmppgrid.xmpp.XmlElement st = p.element;
            if (st == null) {
                try {
                    st = io.xmppgrid.xmpp.XmlReader.parse(p.xml, io.xmppgrid.xmpp.Ns.CLIENT); // once for all the copies
                } catch (IllegalArgumentException e) {
                    LOG.errorf("GRID0917: a stanza forwarded for %d sessions cannot be read: %s", p.size(), e.getMessage());
                    continue;
                }
            }
            copies.addAll(p.copies(st));
        }
        int written = 0;
        try (XmppConnection c = connections.getConnection()) {
            for (Object[] copy : copies) {
                if (c.send((Jid) copy[0], (io.xmppgrid.xmpp.XmlElement) copy[1])) {
                    io.xmppgrid.ejb.GridMetrics.delivered();
                } else {
                    undelivered.add(copy); // the session ended: routed again
                }
                written++;
            }
        } catch (jakarta.resource.ResourceException | IllegalStateException e) {
            // the listener stopped meanwhile: what was not written is routed again, without this node's sessions
            LOG.debugf("%d forwarded stanzas not written here (%s): routed again", copies.size() - written, e.toString());
            undelivered.addAll(copies.subList(written, copies.size()));
        }
    }

    private void rerouteUndelivered() {
        List<Jid> to = new ArrayList<>();
        List<io.xmppgrid.xmpp.XmlElement> stanzas = new ArrayList<>();
        for (Object[] u; (u = undelivered.poll()) != null; ) {
            to.add((Jid) u[0]);
            stanzas.add((io.xmppgrid.xmpp.XmlElement) u[1]);
        }
        if (!to.isEmpty()) {
            try {
                rerouter.reroute(to, stanzas, Set.of());
            } catch (RuntimeException e) {
                LOG.errorf(e, "GRID0917: %d forwarded stanzas whose session ended were not routed again", to.size());
            }
        }
    }

    /** Writes what expired reservations held back, every few seconds. */
    @jakarta.ejb.Schedule(second = "*/5", minute = "*", hour = "*", persistent = false)
    @jakarta.ejb.TransactionAttribute(jakarta.ejb.TransactionAttributeType.NOT_SUPPORTED)
    void sweep() {
        SessionDirectory dir = directory;
        if (dir != null) {
            inbox.sweep();
            rerouteUndelivered();
            dir.sweepCounts();
        }
        fetchStoredForLiveSessions();
    }

    /** Platforms with stored messages and a live session here, with their queues' next sequence at the last sweep. */
    private Map<String, Long> storedSeen = new java.util.HashMap<>();
    private static final int STORED_SWEEP_MAX = 200_000;

    /**
     * A message can be stored for a platform just as one of its sessions comes up and has fetched what was stored: a
     * node that routed it before it knew of the new session (the cluster's directory learns of a session a moment
     * after its bind; a session moving off a drained node is the common case), or a transaction that looked for
     * sessions just before the bind and committed just after the fetch. Every 5 s, each platform with stored
     * messages whose queue changed since the last look and that has an available session here has that session fetch
     * them: they arrive late (with their delay stamp), never lost until the next login.
     */
    private void fetchStoredForLiveSessions() {
        if (!listening) {
            storedSeen = new java.util.HashMap<>();
            return;
        }
        Map<String, Long> now;
        try {
            now = rerouter.queuesWithMessages(STORED_SWEEP_MAX);
        } catch (RuntimeException e) {
            LOG.debugf("stored-message sweep skipped: %s", e.toString());
            return;
        }
        Map<String, Long> seen = new java.util.HashMap<>();
        int asked = 0;
        try (XmppConnection c = connections.getConnection()) {
            String domain = c.domain().toString();
            for (Map.Entry<String, Long> e : now.entrySet()) {
                Jid bare = Jid.parse(e.getKey() + "@" + domain);
                if (c.sessions().findByBare(bare).stream().noneMatch(SessionInfo::available)) {
                    continue;
                }
                seen.put(e.getKey(), e.getValue());
                if (!e.getValue().equals(storedSeen.get(e.getKey())) && c.fetchStored(bare) > 0) {
                    asked++;
                }
            }
        } catch (jakarta.resource.ResourceException | RuntimeException e) {
            LOG.debugf("stored-message sweep skipped: %s", e.toString());
            return;
        }
        storedSeen = seen;
        if (asked > 0) {
            LOG.infof("GRID0944: %d platforms with messages stored while a session of theirs was on here: fetched", asked);
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
