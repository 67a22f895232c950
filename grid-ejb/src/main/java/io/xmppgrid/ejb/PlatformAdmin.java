package io.xmppgrid.ejb;

import io.xmppgrid.ejb.offline.OfflineSettings;
import io.xmppgrid.core.pubsub.RoleTemplate;
import io.xmppgrid.persistence.OfflineQueueEntity;
import io.xmppgrid.persistence.RoleTemplateEntity;
import io.xmppgrid.persistence.Platform;
import io.xmppgrid.persistence.PlatformCertificate;
import io.xmppgrid.persistence.ScramCredential;
import io.xmppgrid.ra.api.PlatformCredentials.ScramKeys;
import io.xmppgrid.ra.api.XmppConnection;
import io.xmppgrid.ejb.cluster.ClusterBus;
import io.xmppgrid.ra.api.XmppConnectionFactory;
import io.xmppgrid.security.GridKeyMaterial;
import io.xmppgrid.security.GridPki;
import io.xmppgrid.security.ScramCredentials;
import io.xmppgrid.security.ScramHash;
import io.xmppgrid.xmpp.Jid;
import jakarta.ejb.Stateless;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Onboarding (RFC 8600 §8.3.1): platform accounts with SCRAM credentials, and client
 * certificates from the grid CA for SASL EXTERNAL.
 */
@Stateless
public class PlatformAdmin {

    private static final Logger LOG = Logger.getLogger(PlatformAdmin.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    @PersistenceContext(unitName = "grid")
    private EntityManager em;

    @jakarta.annotation.Resource(lookup = XmppConnectionFactory.JNDI_NAME)
    private XmppConnectionFactory connections;

    @jakarta.ejb.EJB
    private ClusterBus cluster;

    @jakarta.annotation.Resource
    private jakarta.transaction.TransactionSynchronizationRegistry transactions;

    /** Every revoked certificate of the grid CA: serial → when. */
    static java.util.Map<java.math.BigInteger, Instant> revokedCertificates(EntityManager em) {
        java.util.Map<java.math.BigInteger, Instant> m = new java.util.TreeMap<>();
        for (PlatformCertificate c : em.createNamedQuery(PlatformCertificate.ALL_REVOKED, PlatformCertificate.class)
                .getResultList()) {
            m.put(new java.math.BigInteger(c.getSerial(), 16), c.getRevokedAt());
        }
        for (io.xmppgrid.persistence.RevokedAdminCertificate c : em.createNamedQuery(
                io.xmppgrid.persistence.RevokedAdminCertificate.ALL, io.xmppgrid.persistence.RevokedAdminCertificate.class)
                .getResultList()) {
            m.put(new java.math.BigInteger(c.serial, 16), c.revokedAt);
        }
        return m;
    }

    /**
     * Signs and writes the grid CA's CRL (RFC 5280) to the TLS directory, where EXTERNAL logins check it: the revoked
     * certificates as the database has them, numbered with the cluster's next CRL number, both read under the
     * numbering row's lock (so that a higher number never lists less). Call inside a transaction.
     */
    static void publishCrl(EntityManager em) {
        try {
            io.xmppgrid.persistence.CrlState state = em.find(io.xmppgrid.persistence.CrlState.class,
                    io.xmppgrid.persistence.CrlState.ID, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
            java.util.Map<java.math.BigInteger, Instant> revoked = revokedCertificates(em);
            state.lastNumber++;
            GridKeyMaterial.loadOrCreate(GridSettings.tlsDirectory(), GridSettings.domain())
                    .publishCrl(revoked, java.math.BigInteger.valueOf(state.lastNumber));
            LOG.infof("GRID0211: CRL %d published with %d revoked certificates", state.lastNumber, revoked.size());
        } catch (IOException | RuntimeException e) {
            LOG.errorf("GRID0212: the CRL could not be published (the database still refuses the revoked certificates): %s",
                    e.getMessage());
        }
    }

    /** The result of creating a platform: its JID and the password (generated when none was given). */
    public record Created(String jid, String password, boolean generated) {
    }

    /** An issued certificate: PKCS#12 bytes, their password, the serial. */
    public record IssuedCertificate(String jid, String serial, byte[] pkcs12, String password) {
    }

    public Created createPlatform(String name, String password) {
        return createPlatform(name, password, null);
    }

    /** Creates a platform with SCRAM credentials and, optionally, a role template. */
    public Created createPlatform(String name, String password, String role) {
        return create(name, password, role, Platform.State.ENABLED);
    }

    private Created create(String name, String password, String role, Platform.State state) {
        String local = normalize(name);
        if (find(local) != null) {
            throw new AdminException(AdminException.Reason.CONFLICT, "platform " + local + " already exists");
        }
        String pw = passwordOrGenerated(password);
        Instant now = Instant.now();
        Platform p = newPlatform(local, state, now);
        storeScram(p, pw, now);
        if (role != null && !role.isBlank()) {
            if (em.find(RoleTemplateEntity.class, role.trim()) == null) {
                throw new AdminException(AdminException.Reason.NOT_FOUND, "no role " + role.trim());
            }
            p.setRole(role.trim(), now);
        }
        JpaRoles.changed(em); // a name looked up before it existed was cached as having no role
        String jid = Jid.of(local, GridSettings.domain(), null).toString();
        LOG.infof("GRID0201: platform %s created with SCRAM credentials (%s), role %s", jid, hashes(),
                p.getRole() == null ? "(default)" : p.getRole());
        return new Created(jid, pw, password == null || password.isEmpty());
    }

    /** The password given (at least 12 characters), or a generated one when none is. */
    private static String passwordOrGenerated(String password) {
        String pw = password == null || password.isEmpty() ? randomSecret(18) : password;
        if (pw.length() < 12) {
            throw new AdminException(AdminException.Reason.INVALID, "password shorter than 12 characters");
        }
        return pw;
    }

    /** One SCRAM credential per hash in use (salted keys, never the password). */
    private void storeScram(Platform p, String pw, Instant now) {
        Base64.Encoder b64 = Base64.getEncoder();
        for (ScramHash h : hashes()) {
            ScramKeys k = ScramCredentials.derive(h, pw.toCharArray(), ScramCredentials.iterations());
            em.persist(new ScramCredential(p, k.hash(), b64.encodeToString(k.salt()), k.iterations(),
                    b64.encodeToString(k.storedKey()), b64.encodeToString(k.serverKey()), now));
        }
    }

    /**
     * A self-registered platform (XEP-0077): SCRAM credentials, no role, state {@code pending} (it
     * cannot log in until an administrator enables it). In a transaction of its own, so a refusal
     * does not disturb the caller's. At most {@code grid.registration.maxPending} (1000) wait at once.
     */
    @jakarta.ejb.TransactionAttribute(jakarta.ejb.TransactionAttributeType.REQUIRES_NEW)
    public String registerPending(String name, String password) {
        long pending = em.createQuery("select count(p) from Platform p where p.state = :s", Long.class)
                .setParameter("s", Platform.State.PENDING).getSingleResult();
        if (pending >= Long.getLong("grid.registration.maxPending", 1000)) {
            throw new AdminException(AdminException.Reason.CONFLICT, pending + " platforms await approval already");
        }
        Created c = create(name, password, null, Platform.State.PENDING);
        LOG.infof("GRID0214: platform %s registered itself; it awaits approval", c.jid());
        return c.jid();
    }

    /**
     * Sets (or replaces) a platform's SCRAM credential; null or empty: a generated password. Its
     * certificates and live sessions are not touched; the new password works from the next login.
     */
    public Created setPassword(String name, String password) {
        Platform p = existing(name);
        String pw = passwordOrGenerated(password);
        for (ScramCredential old : em.createNamedQuery(ScramCredential.BY_PLATFORM, ScramCredential.class)
                .setParameter("platform", p).getResultList()) {
            em.remove(old);
        }
        em.flush(); // one credential per hash: the old ones go first
        storeScram(p, pw, Instant.now());
        LOG.infof("GRID0215: SCRAM credential of %s set (%s)", jid(p), hashes());
        return new Created(jid(p), pw, password == null || password.isEmpty());
    }

    /**
     * Drops every message stored for the platform (the node's warm-up platform, which never reads them: notifications
     * that found its sessions closing are stored like any platform's); returns how many.
     */
    public int dropStoredMessages(String name) {
        OfflineQueueEntity q = em.find(OfflineQueueEntity.class, normalize(name), jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (q == null) {
            return 0;
        }
        int n = em.createQuery("delete from OfflineMessageEntity m where m.owner = :owner").setParameter("owner", q.owner)
                .executeUpdate();
        q.messageCount = 0;
        q.totalBytes = 0;
        return n;
    }

    /** A new platform with its (empty) offline queue. */
    private Platform newPlatform(String local, Platform.State state, Instant now) {
        Platform p = new Platform(local, state, now);
        em.persist(p);
        em.flush(); // the queue's foreign key needs the platform row first
        em.persist(new OfflineQueueEntity(local));
        return p;
    }

    /** Issues a certificate for the platform (created, without password, if it does not exist). */
    public IssuedCertificate issueCertificate(String name, int days, String p12Password) {
        String local = normalize(name);
        if (days < 1 || days > 3650) {
            throw new AdminException(AdminException.Reason.INVALID, "validity must be 1 to 3650 days");
        }
        Instant now = Instant.now();
        Platform p = find(local);
        if (p == null) {
            p = newPlatform(local, Platform.State.ENABLED, now);
        }
        GridKeyMaterial km;
        try {
            km = GridKeyMaterial.loadOrCreate(GridSettings.tlsDirectory(), GridSettings.domain());
        } catch (IOException e) {
            throw new UncheckedIOException("GRID0203: cannot open the grid CA", e);
        }
        Jid jid = Jid.of(local, GridSettings.domain(), null);
        GridPki.Issued cert = GridPki.issuePlatform(km.ca(), jid, Duration.ofDays(days));
        String pw = p12Password == null || p12Password.isEmpty() ? randomSecret(18) : p12Password;
        byte[] p12 = GridPki.toPkcs12(cert, GridPki.PLATFORM_ALIAS, pw.toCharArray());
        em.persist(new PlatformCertificate(p, cert.serialHex(), cert.certificate().getSubjectX500Principal().getName(),
                cert.certificate().getNotBefore().toInstant(), cert.certificate().getNotAfter().toInstant(), now));
        LOG.infof("GRID0202: certificate %s issued to %s, valid until %s", cert.serialHex(), jid,
                cert.certificate().getNotAfter().toInstant());
        return new IssuedCertificate(jid.toString(), cert.serialHex(), p12, pw);
    }

    /** A role template as the API shows it, with how many platforms have it. */
    public record RoleView(String name, String description, String grants, Integer stanzaRate, Integer byteRate,
                           long platforms) {
    }

    public List<RoleView> roles() {
        return em.createNamedQuery(RoleTemplateEntity.ALL, RoleTemplateEntity.class).getResultList().stream()
                .map(this::view).toList();
    }

    private RoleView view(RoleTemplateEntity r) {
        long n = em.createNamedQuery(RoleTemplateEntity.USERS, Long.class).setParameter("name", r.name).getSingleResult();
        return new RoleView(r.name, r.description, RoleTemplate.parseGrants(r.grants).stream()
                .map(RoleTemplate.Grant::format).collect(java.util.stream.Collectors.joining(";")), r.stanzaRate,
                r.byteRate, n);
    }

    /** Creates or replaces a template; grants as {@code ACTION [own] [type=T1,T2]} separated by ';' or lines. */
    public RoleView saveRole(String name, String description, String grants) {
        return saveRole(name, description, grants, null, null);
    }

    /**
     * Creates or replaces a template, with its rate limits (stanzas and inbound bytes per second;
     * null: the operator's default; 0: unlimited); they apply from the platform's next login.
     */
    public RoleView saveRole(String name, String description, String grants, Integer stanzaRate, Integer byteRate) {
        if ((stanzaRate != null && stanzaRate < 0) || (byteRate != null && byteRate < 0)) {
            throw new AdminException(AdminException.Reason.INVALID, "rates must not be negative");
        }
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw new AdminException(AdminException.Reason.INVALID, "role names are 1-64 of a-z 0-9 . _ - (got " + name + ")");
        }
        List<RoleTemplate.Grant> parsed;
        try {
            parsed = RoleTemplate.parseGrants(grants == null ? "" : grants);
        } catch (IllegalArgumentException e) {
            throw new AdminException(AdminException.Reason.INVALID, "grants: " + e.getMessage());
        }
        String text = parsed.stream().map(RoleTemplate.Grant::format).collect(java.util.stream.Collectors.joining(";"));
        RoleTemplateEntity r = em.find(RoleTemplateEntity.class, name);
        if (r == null) {
            r = new RoleTemplateEntity(name, description, text);
            em.persist(r);
        } else {
            r.description = description;
            r.grants = text;
        }
        r.stanzaRate = stanzaRate;
        r.byteRate = byteRate;
        JpaRoles.changed(em);
        LOG.infof("GRID0208: role template %s saved: %s", name, text);
        return view(r);
    }

    public void deleteRole(String name) {
        RoleTemplateEntity r = em.find(RoleTemplateEntity.class, name);
        if (r == null) {
            throw new AdminException(AdminException.Reason.NOT_FOUND, "no role " + name);
        }
        long users = em.createNamedQuery(RoleTemplateEntity.USERS, Long.class).setParameter("name", name).getSingleResult();
        long peers = em.createNamedQuery(io.xmppgrid.persistence.PeerEntity.WITH_ROLE, Long.class).setParameter("name", name)
                .getSingleResult();
        if (users > 0 || peers > 0 || name.equals(JpaRoles.operatorDefault())) {
            throw new AdminException(AdminException.Reason.CONFLICT, "role " + name + " is in use ("
                    + users + " platforms" + (peers > 0 ? ", " + peers + " peer grids" : "")
                    + (name.equals(JpaRoles.operatorDefault()) ? ", the operator's default" : "") + ")");
        }
        em.remove(r);
        JpaRoles.changed(em);
        LOG.infof("GRID0209: role template %s deleted", name);
    }

    /** Assigns a template (null or empty: none, i.e. the operator's default). */
    public String assignRole(String platform, String role) {
        Platform p = existing(platform);
        String r = role == null || role.isBlank() ? null : role.trim();
        if (r != null && em.find(RoleTemplateEntity.class, r) == null) {
            throw new AdminException(AdminException.Reason.NOT_FOUND, "no role " + r);
        }
        p.setRole(r, Instant.now());
        JpaRoles.changed(em);
        LOG.infof("GRID0210: platform %s now has role %s", p.getLocalpart(), r == null ? "(default)" : r);
        return r;
    }

    /** A platform's state after an administrative change, and what the change did. */
    public record StateChange(String jid, String state, int sessionsEnded, List<String> certificatesRevoked) {
    }

    /**
     * Revocation (RFC 8600 §8.3.2): the platform is disabled for good, every certificate the grid CA issued to it is
     * revoked, its SCRAM credentials are deleted, and all its live sessions end as soon as this commits, with a stream
     * error. It cannot log in again with any credential it had: only an administrator re-admits it, by giving it new
     * credentials and enabling it ({@link #enable(String)}); a platform cannot ({@link #enableAsPlatform(String)}).
     */
    public StateChange revoke(String name) {
        Platform p = existing(name);
        Instant now = Instant.now();
        p.setState(Platform.State.REVOKED, now);
        for (ScramCredential old : em.createNamedQuery(ScramCredential.BY_PLATFORM, ScramCredential.class)
                .setParameter("platform", p).getResultList()) {
            em.remove(old);
        }
        List<String> serials = new java.util.ArrayList<>();
        for (PlatformCertificate c : em.createNamedQuery(PlatformCertificate.UNREVOKED, PlatformCertificate.class)
                .setParameter("platform", p).getResultList()) {
            c.revoke(now);
            serials.add(c.getSerial());
        }
        int ended = endSessions(p, "platform revoked by an administrator");
        if (!serials.isEmpty()) {
            transactions.registerInterposedSynchronization(new jakarta.transaction.Synchronization() {
                @Override
                public void beforeCompletion() {
                    // published once the revocation is durable
                }

                @Override
                public void afterCompletion(int status) {
                    if (status == jakarta.transaction.Status.STATUS_COMMITTED) {
                        cluster.crlChanged(); // here, in a transaction of its own, and on every other node
                    }
                }
            });
        }
        LOG.infof("GRID0204: platform %s revoked: certificates %s revoked, %d live sessions ending", p.getLocalpart(),
                serials, ended);
        return new StateChange(jid(p), p.getState().name().toLowerCase(java.util.Locale.ROOT), ended, serials);
    }

    @jakarta.ejb.EJB
    private io.xmppgrid.ejb.pubsub.TopicCache topicCache;

    /**
     * Deletion (XEP-0133 delete-user, the console): the platform is revoked (its sessions end, its
     * certificates are revoked and stay on the CRL), and its credentials, stored messages and
     * subscriptions are removed. The row stays as a revoked tombstone so the audit log's references
     * keep their meaning and the name is not given to another platform.
     */
    public StateChange delete(String name) {
        StateChange c = revoke(name);
        Platform p = existing(name);
        for (ScramCredential sc : em.createNamedQuery(ScramCredential.BY_PLATFORM, ScramCredential.class)
                .setParameter("platform", p).getResultList()) {
            em.remove(sc);
        }
        OfflineQueueEntity q = em.find(OfflineQueueEntity.class, p.getLocalpart(), jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (q != null) {
            em.createQuery("delete from OfflineMessageEntity m where m.owner = :owner").setParameter("owner", q.owner)
                    .executeUpdate();
            q.messageCount = 0;
            q.totalBytes = 0;
        }
        String bare = jid(p);
        int subscriptions = 0;
        for (io.xmppgrid.persistence.TopicSubscriptionEntity s : em.createQuery(
                "select s from TopicSubscriptionEntity s where s.jid = :bare or s.jid like :full",
                io.xmppgrid.persistence.TopicSubscriptionEntity.class).setParameter("bare", bare)
                .setParameter("full", bare + "/%").getResultList()) {
            io.xmppgrid.persistence.TopicEntity t = em.find(io.xmppgrid.persistence.TopicEntity.class, s.nodeId);
            em.remove(s);
            if (t != null) {
                topicCache.invalidate(t.name);
            }
            subscriptions++;
        }
        LOG.infof("GRID0213: platform %s deleted: credentials, stored messages and %d subscriptions removed", bare,
                subscriptions);
        return new StateChange(c.jid(), "deleted", c.sessionsEnded(), c.certificatesRevoked());
    }

    /** Bare JIDs with a live session on any node of the cluster, sorted (XEP-0133 get-online-users). */
    public List<String> onlinePlatforms() {
        return cluster.onlinePlatforms();
    }

    /**
     * Ends a platform's live sessions (bare JID), or one session (full JID), on every node, as XEP-0133
     * end-user-session asks; the platform's state does not change, it may log in again. Returns the number of
     * sessions this node held.
     */
    public int endSessionsOf(Jid jid) {
        existing(jid.local());
        return cluster.endSessions(jid, "session ended by an administrator");
    }

    /** The administration API's end-session: every session of the platform, or the one bound to {@code resource}. */
    public int endSessionsOf(String name, String resource) {
        Jid jid;
        try {
            jid = Jid.of(normalize(name), GridSettings.domain(), resource == null || resource.isEmpty() ? null : resource);
        } catch (IllegalArgumentException e) {
            throw new AdminException(AdminException.Reason.INVALID, "not a valid resource: " + e.getMessage());
        }
        return endSessionsOf(jid);
    }

    /** Disabling: no new logins, live sessions end; credentials and certificates stay as they are. */
    public StateChange disable(String name) {
        Platform p = existing(name);
        p.setState(Platform.State.DISABLED, Instant.now());
        int ended = endSessions(p, "platform disabled by an administrator");
        LOG.infof("GRID0205: platform %s disabled, %d live sessions ending", p.getLocalpart(), ended);
        return new StateChange(jid(p), "disabled", ended, List.of());
    }

    /**
     * Enabling by an administrator (also approval of a pending platform): logins work again; revoked certificates
     * stay revoked. A revoked platform is re-admitted only once it has new credentials (a password set or a
     * certificate issued since: revocation removed the old ones), so that nothing it had before works again.
     */
    public StateChange enable(String name) {
        Platform p = existing(name);
        if (p.getState() == Platform.State.REVOKED && !hasCredentials(p)) {
            throw new AdminException(AdminException.Reason.CONFLICT, "platform " + p.getLocalpart()
                    + " is revoked: give it new credentials first (a password or a certificate), then enable it");
        }
        return enabled(p);
    }

    /**
     * Enabling asked by a platform (XEP-0133 reenable-user): a disabled platform only. A revoked one stays revoked
     * until an administrator re-admits it (console, API or command line).
     */
    public StateChange enableAsPlatform(String name) {
        Platform p = existing(name);
        if (p.getState() == Platform.State.REVOKED) {
            throw new AdminException(AdminException.Reason.CONFLICT, "platform " + p.getLocalpart()
                    + " was revoked: only an administrator re-admits it");
        }
        return enabled(p);
    }

    /** Whether a platform has a credential it can log in with: a SCRAM key or a certificate that is not revoked. */
    private boolean hasCredentials(Platform p) {
        return !em.createNamedQuery(ScramCredential.BY_PLATFORM, ScramCredential.class).setParameter("platform", p)
                .setMaxResults(1).getResultList().isEmpty()
                || !em.createNamedQuery(PlatformCertificate.UNREVOKED, PlatformCertificate.class).setParameter("platform", p)
                .setMaxResults(1).getResultList().isEmpty();
    }

    private StateChange enabled(Platform p) {
        p.setState(Platform.State.ENABLED, Instant.now());
        LOG.infof("GRID0206: platform %s enabled", p.getLocalpart());
        return new StateChange(jid(p), "enabled", 0, List.of());
    }

    private Platform existing(String name) {
        String local = normalize(name);
        Platform p = find(local);
        if (p == null) {
            throw new AdminException(AdminException.Reason.NOT_FOUND, "no platform " + local);
        }
        return p;
    }

    private static String jid(Platform p) {
        return Jid.of(p.getLocalpart(), GridSettings.domain(), null).toString();
    }

    /** Ends the platform's sessions on every node once the change commits; returns those this node knew of. */
    private int endSessions(Platform p, String reason) {
        return cluster.endSessions(Jid.of(p.getLocalpart(), GridSettings.domain(), null), reason);
    }

    /** A platform's offline queue: depth, limits in force (own or the operator's), refusals and expiries. */
    public record OfflineStatus(String jid, int messages, long bytes, int maxMessages, long maxBytes, boolean ownLimits,
                                long refused, long expired, Instant lastRefusedAt) {
    }

    public OfflineStatus offlineStatus(String name) {
        return status(queue(normalize(name)));
    }

    /**
     * Sets a platform's own offline limits; null for either means the operator's setting. Lower
     * than the current depth is allowed: nothing stored is removed, new messages are refused.
     */
    public OfflineStatus setOfflineLimits(String name, Integer maxMessages, Long maxBytes) {
        if ((maxMessages != null && maxMessages < 0) || (maxBytes != null && maxBytes < 0)) {
            throw new AdminException(AdminException.Reason.INVALID, "limits must not be negative");
        }
        OfflineQueueEntity q = queue(normalize(name));
        q.maxMessages = maxMessages;
        q.maxBytes = maxBytes;
        LOG.infof("GRID0203: offline limits of %s set to %s messages, %s bytes", q.owner,
                maxMessages == null ? "default" : maxMessages, maxBytes == null ? "default" : maxBytes);
        return status(q);
    }

    private OfflineQueueEntity queue(String local) {
        OfflineQueueEntity q = em.find(OfflineQueueEntity.class, local, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (q == null) {
            throw new AdminException(AdminException.Reason.NOT_FOUND, "no platform " + local);
        }
        return q;
    }

    private static OfflineStatus status(OfflineQueueEntity q) {
        OfflineSettings d = OfflineSettings.fromSystem();
        return new OfflineStatus(Jid.of(q.owner, GridSettings.domain(), null).toString(), q.messageCount, q.totalBytes,
                q.maxMessages != null ? q.maxMessages : d.maxMessages(), q.maxBytes != null ? q.maxBytes : d.maxBytes(),
                q.maxMessages != null || q.maxBytes != null, q.refusedTotal, q.expiredTotal, q.lastRefusedAt);
    }

    /** A live session of a platform, as the console and the API show it. */
    public record SessionView(String jid, String node, String connection, Instant since, String address,
                              boolean available, int priority, long stanzasIn, long stanzasOut) {
        /** From a row of {@link ClusterBus#sessions}. */
        static SessionView of(String[] r) {
            return new SessionView(r[0], r[1], r[2], Instant.parse(r[3]), r[4], Boolean.parseBoolean(r[5]),
                    Integer.parseInt(r[6]), Long.parseLong(r[7]), Long.parseLong(r[8]));
        }
    }

    /**
     * The platform's sessions on every node of the cluster (bound, or waiting for XEP-0198 resumption: unavailable),
     * each with the node that holds it.
     */
    public List<SessionView> sessions(String name) {
        String local = normalize(name);
        if (find(local) == null) {
            throw new AdminException(AdminException.Reason.NOT_FOUND, "no platform " + local);
        }
        return cluster.sessions(Jid.of(local, GridSettings.domain(), null)).stream().map(SessionView::of)
                .sorted(java.util.Comparator.comparing(SessionView::since))
                .toList();
    }

    /**
     * Sessions of every node whose full JID contains {@code filter} (all when empty), at most {@code limitPerNode} from
     * each node, by JID (the console's Cluster page).
     */
    public List<SessionView> findSessions(String filter, int limitPerNode) {
        return cluster.findSessions(filter, limitPerNode).stream().map(SessionView::of)
                .sorted(java.util.Comparator.comparing(SessionView::jid)).toList();
    }

    /** Live sessions on this node (0 when the listener is not running). */
    public int sessionCount() {
        try (XmppConnection c = connections.getConnection()) {
            return c.sessions().size();
        } catch (jakarta.resource.ResourceException e) {
            return 0;
        }
    }

    /**
     * A platform as the console's list shows it: state, role, credentials, live sessions (this node's, and the
     * available ones on other cluster nodes), stanza counts of this node's sessions, queue depth.
     */
    public record PlatformRow(String name, String jid, String state, String role, List<String> scram,
                              List<String> certificates, List<String> revokedCertificates, int sessions, long stanzasIn,
                              long stanzasOut, int queued, Instant createdAt, Instant updatedAt) {
    }

    /** One page of platforms and how many match in all. */
    public record PlatformPage(List<PlatformRow> rows, long total) {
    }

    /**
     * Platforms whose name contains {@code search} (case-insensitive; null or empty: all) and, if
     * given, in {@code state}, by name, {@code limit} (≤200) from {@code offset}.
     */
    public PlatformPage platforms(String search, String state, int offset, int limit) {
        String like = "%" + (search == null ? "" : search.strip().toLowerCase(java.util.Locale.ROOT)
                .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")) + "%";
        Platform.State st = null;
        if (state != null && !state.isBlank()) {
            try {
                st = Platform.State.valueOf(state.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new AdminException(AdminException.Reason.INVALID, "no state " + state);
            }
        }
        String where = " where lower(p.localpart) like :q escape '\\'" + (st == null ? "" : " and p.state = :st");
        var count = em.createQuery("select count(p) from Platform p" + where, Long.class).setParameter("q", like);
        var list = em.createQuery("select p from Platform p" + where + " order by p.localpart", Platform.class)
                .setParameter("q", like);
        if (st != null) {
            count.setParameter("st", st);
            list.setParameter("st", st);
        }
        List<Platform> page = list.setFirstResult(Math.max(0, offset)).setMaxResults(Math.max(1, Math.min(limit, 200)))
                .getResultList();
        List<PlatformRow> rows = new java.util.ArrayList<>();
        try (XmppConnection c = connections.getConnection()) {
            for (Platform p : page) {
                List<io.xmppgrid.ra.api.SessionInfo> live = c.sessions().findByBare(Jid.of(p.getLocalpart(), GridSettings.domain(), null));
                long in = 0;
                long out = 0;
                for (io.xmppgrid.ra.api.SessionInfo si : live) {
                    io.xmppgrid.ra.api.SessionTraffic t = c.traffic(si.jid());
                    in += t.stanzasIn();
                    out += t.stanzasOut();
                }
                rows.add(row(p, live.size() + cluster.sessionsElsewhere(Jid.of(p.getLocalpart(), GridSettings.domain(), null)),
                        in, out));
            }
        } catch (jakarta.resource.ResourceException e) {
            page.forEach(p -> rows.add(row(p, 0, 0, 0)));
        }
        return new PlatformPage(rows, count.getSingleResult());
    }

    private PlatformRow row(Platform p, int sessions, long in, long out) {
        List<String> scram = em.createNamedQuery(ScramCredential.BY_PLATFORM, ScramCredential.class).setParameter("platform", p)
                .getResultList().stream().map(ScramCredential::getHash).sorted().toList();
        List<String> certs = new java.util.ArrayList<>();
        List<String> revoked = new java.util.ArrayList<>();
        for (PlatformCertificate c : em.createQuery("select c from PlatformCertificate c where c.platform = :p order by c.issuedAt",
                PlatformCertificate.class).setParameter("p", p).getResultList()) {
            (c.getRevokedAt() == null ? certs : revoked).add(c.getSerial());
        }
        OfflineQueueEntity q = em.find(OfflineQueueEntity.class, p.getLocalpart());
        return new PlatformRow(p.getLocalpart(), jid(p), p.getState().name().toLowerCase(java.util.Locale.ROOT), p.getRole(),
                scram, certs, revoked, sessions, in, out, q == null ? 0 : q.messageCount, p.getCreatedAt(), p.getUpdatedAt());
    }

    private Platform find(String local) {
        List<Platform> l = em.createNamedQuery(Platform.BY_LOCALPART, Platform.class)
                .setParameter("localpart", local).getResultList();
        return l.isEmpty() ? null : l.get(0);
    }

    private static List<ScramHash> hashes() {
        return Boolean.parseBoolean(System.getProperty("grid.scramSha1", "false"))
                ? List.of(ScramHash.SHA_256, ScramHash.SHA_1) : List.of(ScramHash.SHA_256);
    }

    private static String normalize(String name) {
        if (name == null || name.isBlank()) {
            throw new AdminException(AdminException.Reason.INVALID, "platform name missing");
        }
        try {
            return Jid.normalizeLocal(name.trim());
        } catch (IllegalArgumentException e) {
            throw new AdminException(AdminException.Reason.INVALID, "invalid platform name: " + e.getMessage());
        }
    }

    private static String randomSecret(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
