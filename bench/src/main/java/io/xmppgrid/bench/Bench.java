package io.xmppgrid.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's command line: {@code java -jar bench/target/grid-bench.jar fanout [options]}
 * runs the fan-out scenario against one target (a server that is already running, with the
 * accounts provisioned: see bench/README.md and bench/run.sh, which start, provision and stop
 * each server and call this once per target), and writes the report.
 */
public final class Bench {

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out));
    }

    public static int run(String[] args, PrintStream out) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        String scenario = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--") && i + 1 < args.length) {
                o.put(args[i].substring(2), args[++i]);
            } else if (scenario == null) {
                scenario = args[i];
            } else {
                out.println("unexpected argument " + args[i]);
                return 2;
            }
        }
        if ("report".equals(scenario)) {
            Path tsv = Path.of(o.get("tsv"));
            Map<String, List<Report.Row>> med = Report.medians(java.nio.file.Files.readAllLines(tsv));
            Path report = Report.write(Path.of(o.getOrDefault("out", "bench/results")), o.getOrDefault("stamp", "combined"),
                    o.getOrDefault("parameters", ""), med);
            out.print(Report.table(med));
            out.println("report: " + report);
            return 0;
        }
        if (!"fanout".equals(scenario)) {
            out.println("usage: grid-bench fanout --name NAME --port 5222 [--host 127.0.0.1] [--domain grid.local]"
                    + " [--pubsub broker.grid.local] [--prefix bench-] [--password bench-password-1] [--pid PID]"
                    + " [--access whitelist] [--subscribers 100] [--rates 100,200,500,1000] [--warmup 3] [--first-warmup 30] [--seconds 10]"
                    + " [--break-ms 1000] [--payload-type urn:ietf:params:xml:ns:iodef-2.0|none] [--out bench/results]"
                    + " [--stamp NAME] [--tsv FILE]\n       grid-bench report --tsv FILE [--out DIR] [--stamp NAME] [--parameters TEXT]");
            return 2;
        }
        int port = Integer.parseInt(o.getOrDefault("port", "5222"));
        long pid = Long.parseLong(o.getOrDefault("pid", "0"));
        if (pid == 0) {
            pid = ProcessCpu.listening(port);
        }
        String domain = o.getOrDefault("domain", "grid.local");
        Target t = new Target(o.getOrDefault("name", "server"), o.getOrDefault("host", "127.0.0.1"), port, domain,
                o.getOrDefault("pubsub", "broker." + domain), o.getOrDefault("prefix", "bench-"),
                o.getOrDefault("password", "bench-password-1"), pid, o.getOrDefault("access", "whitelist"));
        List<Integer> rates = new ArrayList<>();
        Arrays.stream(o.getOrDefault("rates", "100,200,500,1000").split(",")).map(String::strip)
                .forEach(r -> rates.add(Integer.parseInt(r)));
        String type = o.getOrDefault("payload-type", "urn:ietf:params:xml:ns:iodef-2.0");
        FanOut f = new FanOut(t, Integer.parseInt(o.getOrDefault("subscribers", "100")),
                Duration.ofSeconds(Long.parseLong(o.getOrDefault("warmup", "3"))),
                Duration.ofSeconds(Long.parseLong(o.getOrDefault("seconds", "10"))),
                Double.parseDouble(o.getOrDefault("break-ms", "1000")), type.equals("none") ? null : type, out)
                .firstWarmup(Duration.ofSeconds(Long.parseLong(o.getOrDefault("first-warmup", "30"))));
        Map<String, List<Report.Row>> results = new LinkedHashMap<>();
        results.put(t.name(), f.run(rates).stream().map(s -> Report.Row.of(t.name(), s)).toList());
        if (o.containsKey("tsv")) {
            StringBuilder lines = new StringBuilder();
            results.get(t.name()).forEach(r -> lines.append(r.tsv()).append('\n'));
            java.nio.file.Files.writeString(Path.of(o.get("tsv")), lines, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
        out.print(Report.table(results));
        String stamp = o.getOrDefault("stamp", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                + "-" + t.name();
        Path report = Report.write(Path.of(o.getOrDefault("out", "bench/results")), stamp, String.join(" ", args), results);
        out.println("report: " + report);
        return 0;
    }
}
