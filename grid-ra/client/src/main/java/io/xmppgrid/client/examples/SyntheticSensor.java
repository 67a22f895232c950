package io.xmppgrid.client.examples;

import io.xmppgrid.client.GridClient;
import io.xmppgrid.client.GridClientException;
import io.xmppgrid.client.TopicModel;
import io.xmppgrid.iodef.IodefSchema;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * A sensor: publishes a synthetic IODEF incident (a scan from a documentation address, RFC 5737) to a Topic every
 * second, creating the Topic (authorize model) if the platform does not see it yet.
 *
 * <pre>
 * GRID_USER=sensor1 GRID_PASSWORD=... java -cp grid-ra/client/target/grid-client.jar \
 *     io.xmppgrid.client.examples.SyntheticSensor incidents [count]
 * </pre>
 */
public final class SyntheticSensor {

    private static final Logger LOG = Logger.getLogger(SyntheticSensor.class.getName());

    private SyntheticSensor() {
    }

    public static void main(String[] args) throws Exception {
        String topic = args.length > 0 ? args[0] : "incidents";
        long count = args.length > 1 ? Long.parseLong(args[1]) : Long.MAX_VALUE;
        try (GridClient grid = Settings.fromEnvironment().connect()) {
            if (grid.topics(IodefSchema.NAMESPACE).stream().noneMatch(t -> t.name().equals(topic))) {
                try {
                    grid.createTopic(topic, IodefSchema.NAMESPACE, TopicModel.AUTHORIZE);
                } catch (GridClientException e) {
                    if (!e.condition().equals("conflict")) { // another sensor made it first
                        throw e;
                    }
                }
            }
            for (long i = 1; i <= count; i++) {
                String id = grid.publish(topic, incident(i));
                LOG.info(() -> "published item " + id + " to " + topic);
                Thread.sleep(1000);
            }
        }
    }

    /** One RFC 7970 incident: a port scan seen now, from 192.0.2.x toward 198.51.100.x. */
    static String incident(long n) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        return "<IODEF-Document version=\"2.00\" xml:lang=\"en\" xmlns=\"" + IodefSchema.NAMESPACE + "\">"
                + "<Incident purpose=\"reporting\" restriction=\"green\">"
                + "<IncidentID name=\"sensor.example.com\">scan-" + now.getEpochSecond() + "-" + n + "</IncidentID>"
                + "<GenerationTime>" + now + "</GenerationTime>"
                + "<Description>port scan</Description>"
                + "<Contact type=\"organization\" role=\"creator\"><ContactName>Example sensor</ContactName>"
                + "<Email><EmailTo>soc@example.com</EmailTo></Email></Contact>"
                + "<EventData><Flow>"
                + "<System category=\"source\"><Node><Address category=\"ipv4-addr\">192.0.2." + r.nextInt(1, 255)
                + "</Address></Node></System>"
                + "<System category=\"target\"><Node><Address category=\"ipv4-addr\">198.51.100." + r.nextInt(1, 255)
                + "</Address></Node><Service ip-protocol=\"6\"><Port>" + r.nextInt(1, 65536) + "</Port></Service></System>"
                + "</Flow></EventData></Incident></IODEF-Document>";
    }
}
