package io.xmppgrid.client.examples;

import io.xmppgrid.client.GridClient;
import io.xmppgrid.client.GridClientException;
import io.xmppgrid.client.Notification;
import io.xmppgrid.client.SubscriptionState;
import io.xmppgrid.client.cli.GridClientCli;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * What a SIEM would ingest: subscribes to a Topic and appends each notification (live, or stored while it was away,
 * with its delay) to a JSON-lines file, one object per line, flushed line by line.
 *
 * <pre>
 * GRID_USER=siem1 GRID_PASSWORD=... java -cp grid-ra/client/target/grid-client.jar \
 *     io.xmppgrid.client.examples.JsonLinesConsumer incidents incidents.jsonl
 * </pre>
 */
public final class JsonLinesConsumer {

    private static final Logger LOG = Logger.getLogger(JsonLinesConsumer.class.getName());

    private JsonLinesConsumer() {
    }

    public static void main(String[] args) throws Exception {
        String topic = args.length > 0 ? args[0] : "incidents";
        Path file = Path.of(args.length > 1 ? args[1] : "incidents.jsonl");
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            try (GridClient grid = Settings.fromEnvironment()
                    .onNotification(n -> append(out, n))
                    .onSubscriptionChange(c -> LOG.info(() -> "subscription to " + c.topic() + ": " + c.state()))
                    .connect()) {
                try {
                    SubscriptionState state = grid.subscribe(topic);
                    LOG.info(() -> "subscription to " + topic + ": " + state);
                } catch (GridClientException e) {
                    if (!e.condition().equals("pending-subscription")) {
                        throw e;
                    }
                    LOG.info(() -> "subscription to " + topic + ": still waiting for an owner's approval");
                }
                stopped.await();
            }
        }
    }

    private static void append(Writer out, Notification n) {
        try {
            out.write(GridClientCli.json(n));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
