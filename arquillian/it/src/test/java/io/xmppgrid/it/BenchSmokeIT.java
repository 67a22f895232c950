package io.xmppgrid.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.bench.Bench;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Not a benchmark (benchmarks never run in the tests): a short run of the benchmark's fan-out
 * generator against the test server, so that the harness keeps working. It checks that every
 * notification arrived and that the report and plot were written, not how fast.
 */
@ExtendWith(ArquillianExtension.class)
class BenchSmokeIT {

    private static final Pattern COUNTS = Pattern.compile("\\((\\d+) of (\\d+)\\)");

    @Deployment(testable = false)
    static EnterpriseArchive deployment() {
        return Grid.ear();
    }

    @Test
    void theFanOutGeneratorRunsAgainstTheController() throws Exception {
        String prefix = Grid.uniqueName("bench") + "-";
        String password = "bench-smoke-password";
        Grid.platform(prefix + "pub", password);
        for (int i = 0; i < 5; i++) {
            Grid.platform(prefix + "sub" + i, password);
        }
        Path out = Path.of("target", "bench-smoke");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = Bench.run(new String[] {"fanout", "--name", "controller", "--port", Integer.toString(Grid.STARTTLS_PORT),
                "--prefix", prefix, "--password", password, "--subscribers", "5", "--rates", "20", "--warmup", "1",
                "--seconds", "2", "--first-warmup", "0", "--out", out.toString(), "--stamp", "smoke"}, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String log = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, log);
        Matcher m = COUNTS.matcher(log);
        assertTrue(m.find(), log);
        assertEquals(m.group(2), m.group(1), "every notification of the measured window arrived: " + log);
        assertTrue(Long.parseLong(m.group(2)) >= 5 * 30, "about 20 items/s × 2 s × 5 subscribers: " + log);
        assertTrue(Files.size(out.resolve("smoke-controller-fanout.png")) > 1000);
        assertTrue(Files.readString(out.resolve("smoke-controller-fanout.md")).contains("| controller | 20 |"));
    }

    /**
     * The flood scenario (issue 18) in short: one attacker per phase for 2 s against the test server, a witness
     * pinging throughout. It checks that the harness runs every phase and that the witness was served in each (its
     * pings were answered), not how fast.
     */
    @Test
    void theFloodScenarioRunsAgainstTheController() throws Exception {
        String witness = Grid.uniqueName("flood-w");
        String password = "flood-smoke-password";
        Grid.platform(witness, password);
        Path out = Path.of("target", "bench-smoke");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = Bench.run(new String[] {"flood", "--port", Integer.toString(Grid.STARTTLS_PORT), "--tls-port",
                Integer.toString(Grid.DIRECT_TLS_PORT), "--witness", witness, "--password", password, "--seconds", "2",
                "--attackers", "1", "--out", out.toString(), "--stamp", "smoke"}, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String log = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, log);
        String report = Files.readString(out.resolve("smoke-flood.md"));
        Matcher row = Pattern.compile("(?m)^\\| ([^|]+) \\| (-?[0-9.]+) \\|").matcher(report);
        int phases = 0;
        while (row.find()) {
            phases++;
            assertTrue(!row.group(2).startsWith("-"), "the witness was answered during " + row.group(1) + ": " + report);
        }
        assertEquals(6, phases, "idle, three floods, slowloris, idle again: " + report);
    }
}
