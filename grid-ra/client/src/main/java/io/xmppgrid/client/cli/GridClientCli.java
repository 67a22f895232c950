package io.xmppgrid.client.cli;

import io.xmppgrid.client.GridClient;
import io.xmppgrid.client.GridClientException;
import io.xmppgrid.client.ItemPage;
import io.xmppgrid.client.Notification;
import io.xmppgrid.client.SubscriptionState;
import io.xmppgrid.client.Topic;
import io.xmppgrid.client.TopicModel;
import io.xmppgrid.iodef.IodefSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;

/**
 * {@code java -jar grid-client.jar [options] COMMAND}: a platform's command line on {@link GridClient}. Answers on
 * standard output, progress and errors on standard error; exit status 0 done, 1 refused by the server or unreachable,
 * 2 bad usage (as {@code grid-admin.jar}). Credentials come from files or the environment, never the command line.
 */
public final class GridClientCli {

    static final String USAGE = String.join("\n",
            "usage: java -jar grid-client.jar [options] COMMAND",
            "commands:",
            "  topics [--type T]                      Topics of the broker (of pubsub#type T): name, type, title",
            "  create TOPIC [--type T] [--model authorize|whitelist]",
            "                                         create a Topic (type: the IODEF 2.0 namespace unless given)",
            "  publish TOPIC FILE...                  publish each XML document (\"-\": standard input, one item per",
            "                                         document); IODEF is validated here first; prints the item ids",
            "  subscribe TOPIC [--count N]            subscribe, then print each notification as it arrives, one per",
            "                                         line (also those stored while away, with their delay)",
            "  items TOPIC [--max N] [--since TIME]   the newest N items (default 100), oldest first; --since: only",
            "                                         those whose IODEF GenerationTime is at or after TIME (ISO 8601)",
            "  pending TOPIC                          subscriptions waiting for an owner's decision (owners)",
            "  approve TOPIC JID | deny TOPIC JID     decide one (owners)",
            "options:",
            "  --domain D           the grid's XMPP domain (default grid.local)",
            "  --host H --port P    the server (default 127.0.0.1, 5222; STARTTLS)",
            "  --ca FILE            the grid CA certificate (default $GRID_CA, else config/target/node/data/grid/tls/ca.pem)",
            "  --p12 FILE           SASL EXTERNAL with this PKCS#12 certificate; its password from",
            "                       --p12-password-file FILE or $GRID_P12_PASSWORD",
            "  --user NAME          SCRAM-SHA-256(-PLUS) as this platform; its password from --password-file FILE or",
            "                       $GRID_PASSWORD",
            "  --format text|json|xml  output: text (default for lists), json (one object per line), xml",
            "  --timeout SECONDS    how long to wait for each answer (default 30)");

    private static final Pattern GENERATION_TIME = Pattern.compile("<(?:[A-Za-z_][\\w.-]*:)?GenerationTime(?:\\s[^>]*)?>([^<]+)<");
    private static final int MAX_INPUT = 256 * 1024 * 1024;

    private final Map<String, String> opts;
    private final List<String> words;
    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;

    private GridClientCli(Map<String, String> opts, List<String> words, PrintStream out, PrintStream err, InputStream in) {
        this.opts = opts;
        this.words = words;
        this.out = out;
        this.err = err;
        this.in = in;
    }

    public static void main(String[] args) {
        // Smack's informational log lines would mix with the command's own messages on standard error
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        System.exit(run(args, System.out, System.err, System.in));
    }

    /** Runs one command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err, InputStream in) {
        Map<String, String> opts = new LinkedHashMap<>();
        List<String> words = new ArrayList<>();
        if (List.of(args).contains("--help") || (args.length > 0 && args[0].equals("help"))) {
            out.println(USAGE);
            return 0;
        }
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--") && a.length() > 2) {
                if (a.equals("--password") || a.equals("--p12-password")) {
                    return usage(err, "secrets are never taken from the command line: use " + a + "-file or the environment");
                }
                if (i + 1 >= args.length) {
                    return usage(err, "option " + a + " needs a value");
                }
                opts.put(a.substring(2), args[++i]);
            } else {
                words.add(a);
            }
        }
        if (words.isEmpty()) {
            return usage(err, null);
        }
        GridClientCli cli = new GridClientCli(opts, words, out, err, in);
        try {
            return cli.command();
        } catch (Usage u) {
            return usage(err, u.getMessage());
        } catch (GridClientException e) {
            err.println("grid-client: " + e.getMessage() + " [" + e.condition() + "]");
            return 1;
        } catch (IOException e) {
            err.println("grid-client: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    private static int usage(PrintStream err, String problem) {
        if (problem != null) {
            err.println("grid-client: " + problem);
        }
        err.println(USAGE);
        return 2;
    }

    /** Bad usage (exit status 2). */
    private static final class Usage extends Exception {
        private static final long serialVersionUID = 1L;

        Usage(String message) {
            super(message);
        }
    }

    private String word(int i, String what) throws Usage {
        if (words.size() <= i) {
            throw new Usage(words.get(0) + " needs " + what);
        }
        return words.get(i);
    }

    private int number(String option, int otherwise) throws Usage {
        String v = opts.get(option);
        if (v == null) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new Usage("--" + option + " needs a positive number");
        }
    }

    private String format(String otherwise) throws Usage {
        String f = opts.getOrDefault("format", otherwise);
        if (!List.of("text", "json", "xml").contains(f)) {
            throw new Usage("--format is text, json or xml");
        }
        return f;
    }

    private int command() throws Usage, GridClientException, IOException, InterruptedException {
        String cmd = words.get(0);
        switch (cmd) {
            case "topics" -> {
                String format = format("text");
                try (GridClient grid = settings().connect()) {
                    for (Topic t : grid.topics(opts.get("type"))) {
                        out.println(format.equals("json")
                                ? "{\"topic\":" + json(t.name()) + ",\"type\":" + json(t.type()) + ",\"title\":" + json(t.title()) + "}"
                                : t.name() + "\t" + (t.type() == null ? "" : t.type()) + "\t" + (t.title() == null ? "" : t.title()));
                    }
                }
                return 0;
            }
            case "create" -> {
                String topic = word(1, "a Topic");
                String model = opts.getOrDefault("model", "authorize").toUpperCase(Locale.ROOT);
                if (!model.equals("AUTHORIZE") && !model.equals("WHITELIST")) {
                    throw new Usage("--model is authorize or whitelist");
                }
                try (GridClient grid = settings().connect()) {
                    grid.createTopic(topic, opts.getOrDefault("type", IodefSchema.NAMESPACE), TopicModel.valueOf(model));
                }
                out.println("created " + topic);
                return 0;
            }
            case "publish" -> {
                return publish(word(1, "a Topic"), words.subList(2, words.size()));
            }
            case "subscribe" -> {
                return subscribe(word(1, "a Topic"));
            }
            case "items" -> {
                return items(word(1, "a Topic"));
            }
            case "pending" -> {
                String topic = word(1, "a Topic");
                try (GridClient grid = settings().connect()) {
                    for (String jid : grid.pending(topic)) {
                        out.println(jid);
                    }
                }
                return 0;
            }
            case "approve", "deny" -> {
                String topic = word(1, "a Topic");
                String jid = word(2, "a JID");
                try (GridClient grid = settings().connect()) {
                    if (cmd.equals("approve")) {
                        grid.approve(topic, jid);
                    } else {
                        grid.deny(topic, jid);
                    }
                }
                out.println((cmd.equals("approve") ? "approved " : "denied ") + jid + " on " + topic);
                return 0;
            }
            default -> throw new Usage("unknown command " + cmd);
        }
    }

    // ------------------------------------------------------------------------------------------ publish

    private int publish(String topic, List<String> files) throws Usage, GridClientException, IOException {
        if (files.isEmpty()) {
            throw new Usage("publish needs files (or - for standard input)");
        }
        List<String> documents = new ArrayList<>();
        for (String f : files) {
            byte[] bytes = f.equals("-") ? in.readNBytes(MAX_INPUT + 1) : Files.readAllBytes(Path.of(f));
            if (bytes.length > MAX_INPUT) {
                throw new Usage((f.equals("-") ? "standard input" : f) + " is larger than " + MAX_INPUT + " bytes");
            }
            documents.addAll(documents(new String(bytes, StandardCharsets.UTF_8), f));
        }
        boolean progress = documents.size() >= 20;
        try (GridClient grid = settings().connect()) {
            int done = 0;
            for (String d : documents) {
                out.println(grid.publish(topic, d));
                done++;
                if (progress && (done % 100 == 0 || done == documents.size())) {
                    err.println("published " + done + "/" + documents.size());
                }
            }
        }
        return 0;
    }

    /** The XML documents in {@code text}, one per top-level element (XML declarations and comments between them dropped). */
    public static List<String> documents(String text, String source) throws GridClientException {
        String body = text.replace("\uFEFF", "").replaceAll("<\\?xml[^>]*\\?>", "");
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        List<String> docs = new ArrayList<>();
        try {
            XMLStreamReader r = f.createXMLStreamReader(new StringReader("<documents>" + body + "</documents>"));
            r.nextTag(); // the wrapper
            XMLOutputFactory of = XMLOutputFactory.newFactory();
            while (r.hasNext()) {
                int e = r.next();
                if (e == XMLStreamConstants.START_ELEMENT) {
                    StringWriter s = new StringWriter();
                    XMLStreamWriter w = of.createXMLStreamWriter(s);
                    copyElement(r, w);
                    w.close();
                    docs.add(s.toString());
                } else if (e == XMLStreamConstants.DTD) {
                    throw new GridClientException("invalid-payload", source + ": a document type declaration (XMPP carries none)");
                } else if (e == XMLStreamConstants.CHARACTERS && !r.isWhiteSpace()) {
                    throw new GridClientException("invalid-payload", source + ": text between documents");
                }
            }
        } catch (XMLStreamException e) {
            throw new GridClientException("invalid-payload", source + ": not well-formed XML: " + e.getMessage(), e);
        }
        if (docs.isEmpty()) {
            throw new GridClientException("invalid-payload", source + ": no XML document");
        }
        return docs;
    }

    /** Copies the element the reader is at (START_ELEMENT) with its namespaces, attributes and content. */
    private static void copyElement(XMLStreamReader r, XMLStreamWriter w) throws XMLStreamException {
        int depth = 0;
        do {
            switch (r.getEventType()) {
                case XMLStreamConstants.START_ELEMENT -> {
                    depth++;
                    String prefix = r.getPrefix() == null ? "" : r.getPrefix();
                    String ns = r.getNamespaceURI() == null ? "" : r.getNamespaceURI();
                    w.writeStartElement(prefix, r.getLocalName(), ns);
                    for (int i = 0; i < r.getNamespaceCount(); i++) {
                        String p = r.getNamespacePrefix(i);
                        if (p == null || p.isEmpty()) {
                            w.writeDefaultNamespace(r.getNamespaceURI(i));
                        } else {
                            w.writeNamespace(p, r.getNamespaceURI(i));
                        }
                    }
                    for (int i = 0; i < r.getAttributeCount(); i++) {
                        String ap = r.getAttributePrefix(i);
                        String an = r.getAttributeNamespace(i);
                        if (an == null || an.isEmpty()) {
                            w.writeAttribute(r.getAttributeLocalName(i), r.getAttributeValue(i));
                        } else {
                            w.writeAttribute(ap == null ? "" : ap, an, r.getAttributeLocalName(i), r.getAttributeValue(i));
                        }
                    }
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    depth--;
                    w.writeEndElement();
                }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.SPACE -> w.writeCharacters(r.getText());
                case XMLStreamConstants.CDATA -> w.writeCData(r.getText());
                default -> {
                    // comments and processing instructions inside a document are not part of the item
                }
            }
            if (depth > 0) {
                r.next();
            }
        } while (depth > 0);
    }

    // ------------------------------------------------------------------------------------------ subscribe

    private int subscribe(String topic) throws Usage, GridClientException, InterruptedException {
        String format = format("json");
        int count = number("count", Integer.MAX_VALUE);
        CountDownLatch enough = new CountDownLatch(1);
        AtomicInteger printed = new AtomicInteger();
        AtomicInteger denied = new AtomicInteger();
        GridClient.Builder b = settings()
                .onNotification(n -> {
                    if (topic.equals(n.topic()) && printed.get() < count) {
                        out.println(format.equals("xml") ? xml(n) : json(n));
                        out.flush();
                        if (printed.incrementAndGet() >= count) {
                            enough.countDown();
                        }
                    }
                })
                .onSubscriptionChange(c -> {
                    if (topic.equals(c.topic())) {
                        err.println("subscription to " + topic + ": " + c.state().name().toLowerCase(Locale.ROOT));
                        if (c.state() == SubscriptionState.NONE) {
                            denied.set(1);
                            enough.countDown();
                        }
                    }
                });
        try (GridClient grid = b.connect()) {
            Thread stop = new Thread(enough::countDown, "grid-client-stop");
            Runtime.getRuntime().addShutdownHook(stop);
            SubscriptionState state;
            try {
                state = grid.subscribe(topic);
            } catch (GridClientException e) {
                if (!e.condition().equals("pending-subscription")) {
                    throw e;
                }
                state = SubscriptionState.PENDING;
            }
            err.println(state == SubscriptionState.PENDING
                    ? "subscription to " + topic + ": pending (an owner must approve it)"
                    : "subscription to " + topic + ": " + state.name().toLowerCase(Locale.ROOT));
            enough.await();
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running
            }
        }
        return denied.get() == 1 && printed.get() == 0 ? 1 : 0;
    }

    public static String json(Notification n) {
        return "{\"topic\":" + json(n.topic()) + ",\"id\":" + json(n.itemId()) + ",\"publisher\":" + json(n.publisher())
                + ",\"delay\":"
                + json(n.delay().map(Instant::toString).orElse(null)) + ",\"payload\":" + json(n.payload()) + "}";
    }

    static String xml(Notification n) {
        StringBuilder b = new StringBuilder("<notification topic=\"").append(attr(n.topic())).append("\" id=\"")
                .append(attr(n.itemId())).append('"');
        if (n.publisher() != null) {
            b.append(" publisher=\"").append(attr(n.publisher())).append('"');
        }
        n.delay().ifPresent(d -> b.append(" delay=\"").append(d).append('"'));
        b.append('>');
        if (n.payload() != null) {
            b.append(n.payload().replace("\r", "&#13;").replace("\n", "&#10;"));
        }
        return b.append("</notification>").toString();
    }

    // ------------------------------------------------------------------------------------------ items

    private int items(String topic) throws Usage, GridClientException {
        int max = number("max", 100);
        String format = format("json");
        Instant since = null;
        if (opts.containsKey("since")) {
            try {
                since = OffsetDateTime.parse(opts.get("since")).toInstant();
            } catch (DateTimeParseException e) {
                throw new Usage("--since needs an ISO 8601 time with its offset, e.g. 2026-12-01T00:00:00Z");
            }
        }
        Deque<ItemPage.Item> newestFirst = new ArrayDeque<>();
        try (GridClient grid = settings().reconnect(false).connect()) {
            String before = null;
            boolean more = true;
            while (more && newestFirst.size() < max) {
                ItemPage page = grid.itemsBefore(topic, Math.min(100, max - newestFirst.size()), before);
                boolean anyRecent = false;
                List<ItemPage.Item> items = page.items();
                for (int i = items.size() - 1; i >= 0 && newestFirst.size() < max; i--) {
                    ItemPage.Item item = items.get(i);
                    if (since == null || !generated(item).isBefore(since)) {
                        newestFirst.add(item);
                        anyRecent = true;
                    }
                }
                before = page.first();
                more = !items.isEmpty() && before != null && (since == null || anyRecent);
            }
        }
        while (!newestFirst.isEmpty()) {
            ItemPage.Item item = newestFirst.pollLast();
            Notification n = new Notification(topic, item.id(), item.publisher(), item.payload(), null);
            out.println(format.equals("xml") ? xml(n) : json(n));
        }
        return 0;
    }

    /** The IODEF document's GenerationTime (RFC 7970 §3.2), or the epoch when it has none. */
    private static Instant generated(ItemPage.Item item) {
        if (item.payload() != null) {
            Matcher m = GENERATION_TIME.matcher(item.payload());
            if (m.find()) {
                try {
                    return OffsetDateTime.parse(m.group(1).trim()).toInstant();
                } catch (DateTimeParseException e) {
                    return Instant.EPOCH;
                }
            }
        }
        return Instant.EPOCH;
    }

    // ------------------------------------------------------------------------------------------ connecting

    private GridClient.Builder settings() throws Usage, GridClientException {
        GridClient.Builder b = GridClient.builder(opts.getOrDefault("domain", "grid.local"))
                .host(opts.getOrDefault("host", "127.0.0.1"))
                .port(number("port", 5222))
                .replyTimeout(java.time.Duration.ofSeconds(number("timeout", 30)));
        String ca = opts.getOrDefault("ca", System.getenv().getOrDefault("GRID_CA", "config/target/node/data/grid/tls/ca.pem"));
        b.trustCa(Path.of(ca));
        if (opts.containsKey("p12")) {
            b.certificate(Path.of(opts.get("p12")), secret("p12-password-file", "GRID_P12_PASSWORD", "the PKCS#12 password"));
        } else if (opts.containsKey("user")) {
            b.password(opts.get("user"), secret("password-file", "GRID_PASSWORD", "the platform's password"));
        } else {
            throw new Usage("give --p12 FILE (SASL EXTERNAL) or --user NAME (SCRAM)");
        }
        return b;
    }

    private char[] secret(String fileOption, String env, String what) throws Usage, GridClientException {
        if (opts.containsKey(fileOption)) {
            try {
                return Files.readString(Path.of(opts.get(fileOption))).strip().toCharArray();
            } catch (IOException e) {
                throw new GridClientException("connection-failed", "cannot read " + what + " from " + opts.get(fileOption), e);
            }
        }
        String v = System.getenv(env);
        if (v == null) {
            throw new Usage(what + ": give --" + fileOption + " FILE or set " + env);
        }
        return v.toCharArray();
    }

    // ------------------------------------------------------------------------------------------ output

    static String json(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(s.length() + 16).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String attr(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace("\"", "&quot;");
    }
}
