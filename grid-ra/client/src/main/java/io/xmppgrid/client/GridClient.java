package io.xmppgrid.client;

import io.xmppgrid.client.sasl.Scram256Mechanism;
import io.xmppgrid.client.sasl.Scram256PlusMechanism;
import io.xmppgrid.iodef.IodefSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.jivesoftware.smack.ConnectionConfiguration.SecurityMode;
import org.jivesoftware.smack.ReconnectionManager;
import org.jivesoftware.smack.SASLAuthentication;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.provider.ProviderManager;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.pubsub.AccessModel;
import org.jivesoftware.smackx.pubsub.EventElement;
import org.jivesoftware.smackx.pubsub.EventElementType;
import org.jivesoftware.smackx.pubsub.Item;
import org.jivesoftware.smackx.pubsub.ItemsExtension;
import org.jivesoftware.smackx.pubsub.LeafNode;
import org.jivesoftware.smackx.pubsub.PayloadItem;
import org.jivesoftware.smackx.pubsub.PubSubManager;
import org.jivesoftware.smackx.pubsub.SimplePayload;
import org.jivesoftware.smackx.pubsub.Subscription;
import org.jivesoftware.smackx.pubsub.form.FillableConfigureForm;
import org.jivesoftware.smackx.pubsub.provider.SubscriptionProvider;
import org.jivesoftware.smackx.rsm.packet.RSMSet;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.packet.DataForm;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * A security platform's connection to an XMPP-Grid controller (RFC 8600): publish and receive IODEF reports on Topics.
 *
 * <pre>{@code
 * try (GridClient grid = GridClient.builder("grid.example")
 *         .host("grid.example").trustCa(Path.of("ca.pem"))          // the server must hold a grid CA certificate
 *         .certificate(Path.of("sensor.p12"), p12Password)            // SASL EXTERNAL (or .password(name, pw): SCRAM)
 *         .onNotification(n -> siem.ingest(n.topic(), n.payload(), n.delay()))
 *         .onSubscriptionChange(c -> log.info(c.topic() + ": " + c.state()))
 *         .connect()) {
 *     List<Topic> iodef = grid.topics(IodefSchema.NAMESPACE);        // discovery by pubsub#type (RFC 8600 §6)
 *     grid.subscribe("incidents");                                  // SUBSCRIBED, or PENDING an owner's approval
 *     grid.publish("incidents", Files.readString(Path.of("incident.xml"))); // validated here first (RFC 7970)
 * }
 * }</pre>
 *
 * <p>What it does for the platform: TLS is required and the server's certificate must chain to the grid CA given (and
 * name the domain); SASL EXTERNAL with a client certificate, or SCRAM-SHA-256-PLUS ({@code tls-server-end-point}) with a
 * fallback to SCRAM-SHA-256 (GS2 flag {@code n}); XEP-0198 stream management with resumption; automatic reconnection
 * with a random, increasing delay; notifications, subscription decisions and approval requests are handed to the
 * handlers given to the builder, one at a time, in the order they arrived, including those the grid stored while the
 * platform was away (with their XEP-0203 delay) — which is why the handlers are given before {@link Builder#connect}.
 * Every failure is a {@link GridClientException} with the XMPP condition. Thread-safe.
 */
public final class GridClient implements AutoCloseable {

    /** The XEP-0060 event namespace. */
    static final String PUBSUB_EVENT = "http://jabber.org/protocol/pubsub#event";
    static final String PUBSUB_ERRORS = "http://jabber.org/protocol/pubsub#errors";
    static final String META_DATA = "http://jabber.org/protocol/pubsub#meta-data";
    static final String SUBSCRIBE_AUTHORIZATION = "http://jabber.org/protocol/pubsub#subscribe_authorization";
    /** XEP-0060 §7.1.3 and §6.1.3 specific conditions this client names in its exceptions. */
    private static final List<String> SPECIFIC = List.of("invalid-payload", "payload-too-big", "pending-subscription",
            "closed-node", "not-subscribed", "precondition-not-met", "item-forbidden", "payload-required", "nodeid-required",
            "not-in-roster-group", "presence-subscription-required", "too-many-subscriptions", "max-nodes-exceeded",
            "invalid-options", "unsupported");

    private static final Logger LOG = Logger.getLogger(GridClient.class.getName());

    static {
        SASLAuthentication.registerSASLMechanism(new Scram256Mechanism());
        SASLAuthentication.registerSASLMechanism(new Scram256PlusMechanism());
        // XEP-0060 §8.6: a subscription state change comes as <event xmlns='...#event'><subscription .../></event>;
        // Smack 4.4 has no provider for it in the event namespace (and would close the connection): parse it like the
        // pubsub namespace's <subscription/>
        ProviderManager.addExtensionProvider("subscription", PUBSUB_EVENT, new SubscriptionProvider());
        // payloads exactly as published (Smack's own item provider drops attribute prefixes such as xml:lang)
        ProviderManager.addExtensionProvider("item", PUBSUB_EVENT, new ExactItemProvider());
        ProviderManager.addExtensionProvider("item", "http://jabber.org/protocol/pubsub", new ExactItemProvider());
    }

    private final XMPPTCPConnection connection;
    private final BareJid broker;
    private final PubSubManager pubsub;
    private final Builder settings;

    private GridClient(XMPPTCPConnection connection, BareJid broker, Builder settings) {
        this.connection = connection;
        this.broker = broker;
        this.pubsub = PubSubManager.getInstanceFor(connection, broker);
        this.settings = settings;
    }

    /** Settings for a connection to the grid of {@code domain} (its XMPP domain, e.g. {@code grid.example}). */
    public static Builder builder(String domain) {
        return new Builder(domain);
    }

    /** This session's full JID (platform@domain/resource). */
    public String jid() {
        return String.valueOf(connection.getUser());
    }

    /** Whether the stream is up and authenticated now (it reconnects by itself when it was not closed). */
    public boolean isConnected() {
        return connection.isConnected() && connection.isAuthenticated();
    }

    // ---------------------------------------------------------------------------------------------- Topics

    /**
     * The broker's Topics whose {@code pubsub#type} is {@code type} (RFC 8600 §6: disco#items on the broker, then
     * disco#info of each for its {@code pubsub#meta-data}), all of them when {@code type} is null. The list is read in
     * XEP-0059 pages.
     */
    public List<Topic> topics(String type) throws GridClientException {
        List<DiscoverItems.Item> nodes = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 10_000; page++) {
            DiscoverItems request = new DiscoverItems();
            request.setTo(broker);
            request.setType(IQ.Type.get);
            request.addExtension(new RSMSet(after, null, -1, -1, null, 200, null, -1));
            DiscoverItems reply = call("list the Topics", () -> connection.sendIqRequestAndWaitForResponse(request));
            nodes.addAll(reply.getItems());
            RSMSet set = RSMSet.from(reply);
            if (reply.getItems().isEmpty() || set == null || set.getLast() == null
                    || (set.getCount() >= 0 && nodes.size() >= set.getCount())) {
                break;
            }
            after = set.getLast();
        }
        ServiceDiscoveryManager disco = ServiceDiscoveryManager.getInstanceFor(connection);
        List<Topic> out = new ArrayList<>();
        for (DiscoverItems.Item n : nodes) {
            if (n.getNode() == null) {
                continue;
            }
            DiscoverInfo info = call("describe Topic " + n.getNode(), () -> disco.discoverInfo(broker, n.getNode()));
            DataForm meta = DataForm.from(info, META_DATA);
            String nodeType = value(meta, "pubsub#type");
            if (type == null || type.equals(nodeType)) {
                String title = value(meta, "pubsub#title");
                out.add(new Topic(n.getNode(), title != null ? title : n.getName(), nodeType));
            }
        }
        return out;
    }

    /**
     * Creates a Topic owned by this platform: its {@code pubsub#type} (e.g. {@link IodefSchema#NAMESPACE}; the broker
     * then accepts only payloads of that type) and who may subscribe. Its items name their publisher
     * ({@code pubsub#itemreply=publisher}).
     */
    public void createTopic(String topic, String type, TopicModel model) throws GridClientException {
        Objects.requireNonNull(topic, "topic");
        call("create Topic " + topic, () -> {
            FillableConfigureForm form = pubsub.getDefaultConfiguration().getFillableForm();
            form.setAccessModel(model == TopicModel.WHITELIST ? AccessModel.whitelist : AccessModel.authorize);
            form.setItemReply(org.jivesoftware.smackx.pubsub.ItemReply.publisher); // subscribers see who published
            if (type != null) {
                form.setDataType(type);
            }
            return pubsub.createNode(topic, form);
        });
    }

    // ---------------------------------------------------------------------------------------------- publishing

    /** Publishes {@code document} as a new item (its id generated here, returned). See {@link #publish(String, String, String)}. */
    public String publish(String topic, String document) throws GridClientException {
        return publish(topic, UUID.randomUUID().toString(), document);
    }

    /**
     * Publishes {@code document} (one XML element; an XML declaration before it is dropped) as item {@code itemId}
     * of {@code topic} (an existing id is replaced, XEP-0060 §7.1.2) and returns when the broker has stored it. An IODEF
     * 2.0 document is validated here first against the RFC 7970 schema the broker uses: an invalid one is refused
     * with {@code invalid-payload} and the schema's message, without being sent.
     */
    public String publish(String topic, String itemId, String document) throws GridClientException {
        String xml = element(document);
        if (IodefSchema.NAMESPACE.equals(rootNamespace(xml))) {
            String problem = IodefSchema.INSTANCE.problem(xml);
            if (problem != null) {
                throw new GridClientException("invalid-payload", "not published to " + topic + ": " + problem);
            }
        }
        call("publish to " + topic, () -> {
            leaf(topic).publish(new PayloadItem<>(itemId, new SimplePayload(xml)));
            return null;
        });
        return itemId;
    }

    // ---------------------------------------------------------------------------------------------- subscribing

    /**
     * Subscribes this platform (its bare JID, so that what arrives while it is away is stored for it) to {@code topic}:
     * {@code SUBSCRIBED}, or {@code PENDING} until an owner decides (the decision arrives at the
     * {@linkplain Builder#onSubscriptionChange subscription handler}). Asking again while pending is refused with
     * {@code pending-subscription}.
     */
    public SubscriptionState subscribe(String topic) throws GridClientException {
        Subscription s = call("subscribe to " + topic, () -> leaf(topic).subscribe(connection.getUser().asBareJid()));
        return SubscriptionState.of(s.getState());
    }

    /** Ends this platform's subscription to {@code topic}. */
    public void unsubscribe(String topic) throws GridClientException {
        call("unsubscribe from " + topic, () -> {
            leaf(topic).unsubscribe(connection.getUser().asBareJid().toString());
            return null;
        });
    }

    // ---------------------------------------------------------------------------------------------- items

    /** A page of at most {@code max} items after the cursor {@code after} (null: the first page), oldest first (XEP-0059). */
    public ItemPage items(String topic, int max, String after) throws GridClientException {
        return page(topic, new RSMSet(after, null, -1, -1, null, max, null, -1));
    }

    /** A page of at most {@code max} items before the cursor {@code before} (null: the newest items), oldest first. */
    public ItemPage itemsBefore(String topic, int max, String before) throws GridClientException {
        return page(topic, new RSMSet(null, before == null ? "" : before, -1, -1, null, max, null, -1));
    }

    private ItemPage page(String topic, RSMSet request) throws GridClientException {
        List<ExtensionElement> returned = new ArrayList<>();
        List<Item> got = call("read items of " + topic, () -> leaf(topic).getItems(List.of(request), returned));
        List<ItemPage.Item> items = new ArrayList<>(got.size());
        for (Item i : got) {
            items.add(new ItemPage.Item(i.getId(), ExactItemProvider.publisher(i), payload(i)));
        }
        RSMSet set = null;
        for (ExtensionElement e : returned) {
            if (e instanceof RSMSet r) {
                set = r;
            }
        }
        return new ItemPage(List.copyOf(items), set == null ? null : set.getFirst(), set == null ? null : set.getLast(),
                set == null ? -1 : set.getCount());
    }

    // ---------------------------------------------------------------------------------------------- owners

    /** The JIDs waiting for an owner's decision on {@code topic} (XEP-0060 §8.8.1; owners only). */
    public List<String> pending(String topic) throws GridClientException {
        List<Subscription> subs = call("list subscriptions of " + topic, () -> leaf(topic).getSubscriptionsAsOwner());
        List<String> out = new ArrayList<>();
        for (Subscription s : subs) {
            if (s.getState() == Subscription.State.pending) {
                out.add(s.getJid().toString());
            }
        }
        return out;
    }

    /** Approves {@code jid}'s pending subscription to {@code topic} (XEP-0060 §8.8.2); the subscriber is told. */
    public void approve(String topic, String jid) throws GridClientException {
        decide(topic, jid, Subscription.State.subscribed);
    }

    /** Denies (or cancels) {@code jid}'s subscription to {@code topic}; the subscriber is told. */
    public void deny(String topic, String jid) throws GridClientException {
        decide(topic, jid, Subscription.State.none);
    }

    private void decide(String topic, String jid, Subscription.State state) throws GridClientException {
        Jid subscriber = jid(jid);
        call("decide " + jid + "'s subscription to " + topic, () ->
                leaf(topic).modifySubscriptionsAsOwner(List.of(new Subscription(subscriber, state))));
    }

    /** Ends the session cleanly: what arrives for this platform from now on is stored until it connects again. */
    @Override
    public void close() {
        ReconnectionManager.getInstanceFor(connection).disableAutomaticReconnection();
        connection.disconnect();
    }

    // ---------------------------------------------------------------------------------------------- inbound

    /** Every message, one at a time in arrival order (Smack's synchronous listener). */
    private void inbound(Stanza stanza) {
        try {
            EventElement event = stanza.getExtension(EventElement.class);
            if (event != null && event.getEventType() == EventElementType.items && settings.notifications != null) {
                ItemsExtension items = (ItemsExtension) event.getEvent();
                DelayInformation delay = DelayInformation.from((Message) stanza);
                for (Object e : items.getItems()) {
                    if (e instanceof Item item) {
                        settings.notifications.accept(new Notification(items.getNode(), item.getId(),
                                ExactItemProvider.publisher(item), payload(item),
                                delay == null ? null : delay.getStamp().toInstant()));
                    }
                }
            } else if (event != null && event.getEventType() == EventElementType.subscription) {
                Subscription s = (Subscription) event.getEvent();
                if (settings.subscriptionChanges != null) {
                    settings.subscriptionChanges.accept(new SubscriptionChange(s.getNode(), String.valueOf(s.getJid()),
                            SubscriptionState.of(s.getState())));
                }
            } else if (settings.approvalRequests != null) {
                DataForm form = DataForm.from(stanza, SUBSCRIBE_AUTHORIZATION);
                if (form != null && value(form, "pubsub#node") != null && value(form, "pubsub#subscriber_jid") != null) {
                    settings.approvalRequests.accept(new ApprovalRequest(value(form, "pubsub#node"),
                            value(form, "pubsub#subscriber_jid")));
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a handler failed on a message from " + stanza.getFrom() + " (id " + stanza.getStanzaId()
                    + "); the next ones are still handed over", e);
        }
    }

    private static String payload(Item item) {
        if (item instanceof PayloadItem<?> p && p.getPayload() != null) {
            return p.getPayload().toXML().toString();
        }
        return null;
    }

    private static String value(DataForm form, String var) {
        if (form == null) {
            return null;
        }
        FormField f = form.getField(var);
        return f == null ? null : f.getFirstValue();
    }

    private LeafNode leaf(String topic) throws XMPPException.XMPPErrorException, SmackException.NoResponseException,
            SmackException.NotConnectedException, InterruptedException {
        try {
            return pubsub.getLeafNode(topic);
        } catch (org.jivesoftware.smackx.pubsub.PubSubException.NotALeafNodeException
                 | org.jivesoftware.smackx.pubsub.PubSubException.NotAPubSubNodeException e) {
            throw new XMPPException.XMPPErrorException(null, StanzaError.getBuilder(StanzaError.Condition.item_not_found)
                    .setDescriptiveEnText("no Topic " + topic).build());
        }
    }

    // ---------------------------------------------------------------------------------------------- errors

    @FunctionalInterface
    private interface Call<T> {
        T run() throws XMPPException, SmackException, InterruptedException, IOException;
    }

    private static <T> T call(String what, Call<T> op) throws GridClientException {
        try {
            return op.run();
        } catch (XMPPException.XMPPErrorException e) {
            StanzaError error = e.getStanzaError();
            String condition = specific(error);
            String text = error.getDescriptiveText();
            throw new GridClientException(condition, what + ": " + condition + (text == null ? "" : " (" + text + ")"), e);
        } catch (SmackException.NoResponseException e) {
            throw new GridClientException("remote-server-timeout", what + ": no answer in time", e);
        } catch (SmackException.NotConnectedException e) {
            throw new GridClientException("not-connected", what + ": not connected", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GridClientException("not-connected", what + ": interrupted", e);
        } catch (XMPPException | SmackException | IOException e) {
            throw new GridClientException("connection-failed", what + ": " + e.getMessage(), e);
        }
    }

    private static String specific(StanzaError error) {
        for (String name : SPECIFIC) {
            if (error.getExtension(name, PUBSUB_ERRORS) != null) {
                return name;
            }
        }
        return error.getCondition().toString();
    }

    // ---------------------------------------------------------------------------------------------- documents

    /** The document without an XML declaration or byte order mark in front of its element. */
    static String element(String document) throws GridClientException {
        String s = document.strip();
        if (s.startsWith("\uFEFF")) {
            s = s.substring(1).strip();
        }
        if (s.startsWith("<?xml")) {
            int end = s.indexOf("?>");
            if (end < 0) {
                throw new GridClientException("invalid-payload", "an XML declaration that does not end");
            }
            s = s.substring(end + 2).strip();
        }
        if (!s.startsWith("<")) {
            throw new GridClientException("invalid-payload", "not an XML element");
        }
        return s;
    }

    /** The namespace of the document's root element; a DTD is refused (and no external entity is ever read). */
    static String rootNamespace(String xml) throws GridClientException {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        try {
            XMLStreamReader r = f.createXMLStreamReader(new StringReader(xml));
            try {
                while (r.hasNext()) {
                    int event = r.next();
                    if (event == XMLStreamConstants.DTD) {
                        throw new GridClientException("invalid-payload", "a document type declaration (XMPP carries none, RFC 6120 §11.1)");
                    }
                    if (event == XMLStreamConstants.START_ELEMENT) {
                        return r.getNamespaceURI();
                    }
                }
                throw new GridClientException("invalid-payload", "no element");
            } finally {
                r.close();
            }
        } catch (XMLStreamException e) {
            throw new GridClientException("invalid-payload", "not well-formed XML: " + e.getMessage(), e);
        }
    }

    static Jid jid(String jid) throws GridClientException {
        try {
            return JidCreate.from(jid);
        } catch (XmppStringprepException e) {
            throw new GridClientException("jid-malformed", "not a JID: " + jid, e);
        }
    }

    // ---------------------------------------------------------------------------------------------- settings

    /** How to reach and authenticate to the grid, and who handles what arrives. */
    public static final class Builder {
        private final String domain;
        private String host;
        private int port = 5222;
        private final List<X509Certificate> gridCa = new ArrayList<>();
        private KeyManager[] keyManagers;
        private String username;
        private char[] password;
        private String resource;
        private boolean streamManagement = true;
        private boolean reconnect = true;
        private Duration replyTimeout = Duration.ofSeconds(30);
        private Consumer<Notification> notifications;
        private Consumer<SubscriptionChange> subscriptionChanges;
        private Consumer<ApprovalRequest> approvalRequests;

        private Builder(String domain) {
            this.domain = Objects.requireNonNull(domain, "domain");
        }

        /** The server's address (default: the domain) and STARTTLS port (default 5222). */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** The grid CA's certificate(s), PEM or DER (the node's {@code tls/ca.pem}): the server's certificate must chain to one. */
        public Builder trustCa(Path caFile) throws GridClientException {
            try (InputStream in = Files.newInputStream(caFile)) {
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    gridCa.add((X509Certificate) c);
                }
            } catch (IOException | GeneralSecurityException e) {
                throw new GridClientException("connection-failed", "cannot read the grid CA from " + caFile + ": " + e.getMessage(), e);
            }
            return this;
        }

        public Builder trustCa(Collection<X509Certificate> caCertificates) {
            gridCa.addAll(caCertificates);
            return this;
        }

        /** Authenticates with SASL EXTERNAL and the client certificate in this PKCS#12 file (issued by the grid CA). */
        public Builder certificate(Path p12, char[] p12Password) throws GridClientException {
            try (InputStream in = Files.newInputStream(p12)) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(in, p12Password);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, p12Password);
                keyManagers = kmf.getKeyManagers();
            } catch (IOException | GeneralSecurityException e) {
                throw new GridClientException("connection-failed", "cannot read the certificate in " + p12 + ": " + e.getMessage(), e);
            }
            return this;
        }

        /** Authenticates with SCRAM-SHA-256-PLUS (or SCRAM-SHA-256 where the server offers no channel binding). */
        public Builder password(String platform, char[] platformPassword) {
            this.username = platform;
            this.password = platformPassword.clone();
            return this;
        }

        /** This session's resource (default: generated). */
        public Builder resource(String resource) {
            this.resource = resource;
            return this;
        }

        /** XEP-0198 stream management with resumption (default on). */
        public Builder streamManagement(boolean on) {
            this.streamManagement = on;
            return this;
        }

        /** Reconnect after the connection is lost, with a random, increasing delay (default on). */
        public Builder reconnect(boolean on) {
            this.reconnect = on;
            return this;
        }

        /** How long to wait for the server's answer to a request (default 30 s). */
        public Builder replyTimeout(Duration timeout) {
            this.replyTimeout = timeout;
            return this;
        }

        /** Receives each notification of a subscribed Topic, live or stored while away, in order. */
        public Builder onNotification(Consumer<Notification> handler) {
            this.notifications = handler;
            return this;
        }

        /** Receives owners' decisions on this platform's subscription requests (XEP-0060 §8.6). */
        public Builder onSubscriptionChange(Consumer<SubscriptionChange> handler) {
            this.subscriptionChanges = handler;
            return this;
        }

        /** Receives subscription requests to Topics this platform owns (XEP-0060 §8.6 authorization forms). */
        public Builder onApprovalRequest(Consumer<ApprovalRequest> handler) {
            this.approvalRequests = handler;
            return this;
        }

        /** Connects, authenticates and binds; returns when the session is ready. */
        public GridClient connect() throws GridClientException {
            if (gridCa.isEmpty()) {
                throw new GridClientException("connection-failed", "no grid CA given (trustCa): the server cannot be checked");
            }
            if (keyManagers == null && username == null) {
                throw new GridClientException("connection-failed", "no credentials given (certificate or password)");
            }
            XMPPTCPConnection connection;
            BareJid broker;
            try {
                XMPPTCPConnectionConfiguration.Builder b = XMPPTCPConnectionConfiguration.builder()
                        .setXmppDomain(domain)
                        .setHost(host != null ? host : domain)
                        .setPort(port)
                        .setSecurityMode(SecurityMode.required)
                        .setCustomX509TrustManager(trustManager(gridCa))
                        .setResource(resource != null ? resource : "grid-client-" + UUID.randomUUID().toString().substring(0, 8));
                if (keyManagers != null) {
                    b.setKeyManagers(keyManagers).allowEmptyOrNullUsernames().addEnabledSaslMechanism("EXTERNAL");
                } else {
                    b.setUsernameAndPassword(username, new String(password))
                            .addEnabledSaslMechanism(List.of(Scram256PlusMechanism.NAME, Scram256Mechanism.NAME));
                }
                connection = new XMPPTCPConnection(b.build());
                broker = JidCreate.bareFrom("broker." + domain);
            } catch (XmppStringprepException | GeneralSecurityException e) {
                throw new GridClientException("connection-failed", "bad settings: " + e.getMessage(), e);
            }
            connection.setUseStreamManagement(streamManagement);
            connection.setUseStreamManagementResumption(streamManagement);
            connection.setReplyTimeout(replyTimeout.toMillis());
            GridClient client = new GridClient(connection, broker, this);
            // before connecting: what was stored for the platform arrives right after it binds
            connection.addSyncStanzaListener(client::inbound, StanzaTypeFilter.MESSAGE);
            if (reconnect) {
                ReconnectionManager reconnection = ReconnectionManager.getInstanceFor(connection);
                reconnection.setReconnectionPolicy(ReconnectionManager.ReconnectionPolicy.RANDOM_INCREASING_DELAY);
                reconnection.enableAutomaticReconnection();
            }
            call("connect to " + domain, () -> {
                connection.connect().login();
                return null;
            });
            return client;
        }

        private static X509TrustManager trustManager(List<X509Certificate> anchors) throws GeneralSecurityException {
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                int i = 0;
                for (X509Certificate c : anchors) {
                    ks.setCertificateEntry("grid-ca-" + i++, c);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
                tmf.init(ks);
                return (X509TrustManager) tmf.getTrustManagers()[0];
            } catch (IOException e) {
                throw new GeneralSecurityException(e);
            }
        }
    }
}
