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

    private static final String USAGE = """
            usage: grid-bench SCENARIO [target options] [scenario options]
              target:      --name NAME --port 5222 [--host 127.0.0.1] [--domain grid.local] [--pubsub broker.grid.local]
                           [--prefix bench-] [--password bench-password-1] [--pid PID (default: the port's listener)]
                           [--access whitelist] [--loops CORES] [--per-address 400] [--out bench/results] [--stamp NAME]
                           [--tsv FILE (append the rows)]
                           [--sub-ports 5222,5322 (a cluster: subscribers spread over its nodes; CPU of every node counted)]
              fanout       [--subscribers 100] [--rates 100,200,500,1000] [--warmup 3] [--first-warmup 30] [--seconds 10]
                           [--break-ms 1000] [--payload-type urn:ietf:params:xml:ns:iodef-2.0|none]
              connections  [--sessions 50000] [--rate 200] [--checkpoint 5000] [--accounts SESSIONS] [--hold 30] [--break-ms 1000]
                           [--warmup-logins 500]
              coldstart    [--subscribers 1000] [--rate 20] [--minutes 5] [--interval 10] (start it when the server reports ready)
              failover     --event kill|drain --victim-port 5322 [--victim node-2] [--subscribers 1000] [--rate 20]
                           [--before 20] [--after 60] [--api http://127.0.0.1:8080/grid-admin/api] [--token-file FILE]
                           (a cluster: subscribers on the victim node, the publisher on --port; issue 20)
              backlog      [--items 1000,10000,100000] [--settle 5] [--payload-type ...]
              flood        [--port 5222] [--tls-port 5223] [--witness bench-c0] [--seconds 30] [--attackers 6]
                           (hostile clients, phase after phase, while the witness pings: issue 18)
              tls          [--keystore config/target/node/data/grid/tls/server.p12] [--suites A,B] [--sizes 1200,4800,16000]
                           [--seconds 2] [--rounds 3] [--engines 1] [--direct false]  (CPU per TLS record of this JVM's engine, in memory: issue 22)
              provision    [--api http://127.0.0.1:8080/grid-admin/api] [--token-file config/target/node/data/grid/admin-token]
                           [--names bench-c] [--from 0] [--count 100] [--role trusted] [--concurrency 4]  (the controller's accounts)
              report       --scenario fanout|connections|backlog|coldstart|failover [--interval 10] --tsv FILE [--out DIR] [--stamp NAME] [--parameters TEXT]
            """;

    private Bench() {
    }

    /** The combined report of a run of several targets and rounds: medians per server and step. */
    private static int report(Map<String, String> o, PrintStream out) throws Exception {
        Path tsv = Path.of(o.get("tsv"));
        Path dir = Path.of(o.getOrDefault("out", "bench/results"));
        String stamp = o.getOrDefault("stamp", "combined");
        String parameters = o.getOrDefault("parameters", "");
        List<String> lines = java.nio.file.Files.readAllLines(tsv);
        Path report;
        switch (o.getOrDefault("scenario", "fanout")) {
            case "fanout" -> {
                Map<String, List<Report.Row>> med = Report.medians(lines);
                report = Report.write(dir, stamp, parameters, med);
                out.print(Report.table(med));
            }
            case "connections" -> {
                Figures f = Figures.parse(Connections.COLUMNS, lines).medians();
                report = Report.write(dir, stamp, "connections", "Connections benchmark", parameters, "", f, 1, 3,
                        "authenticated TLS sessions held", "login p99 (ms, log scale)");
                out.print(f.markdown());
            }
            case "backlog" -> {
                Figures f = Figures.parse(Backlog.COLUMNS, lines).medians();
                report = Report.write(dir, stamp, "backlog", "Offline backlog benchmark", parameters, "", f, 1, 7,
                        "items queued while offline", "items drained per second (log scale)");
                out.print(f.markdown());
            }
            case "coldstart" -> {
                Figures f = Figures.parse(ColdStart.COLUMNS, lines);
                int interval = Integer.parseInt(o.getOrDefault("interval", "10"));
                report = ColdStart.write(dir, stamp, parameters, f, interval);
                out.print(ColdStart.summary(f, interval));
            }
            case "failover" -> {
                Figures f = Figures.parse(Failover.COLUMNS, lines).medians();
                report = Report.write(dir, stamp, "failover", "Failover and drain benchmark", parameters, Failover.NOTES, f);
                out.print(f.markdown());
            }
            default -> {
                out.println(USAGE);
                return 2;
            }
        }
        out.println("report: " + report);
        return 0;
    }

    private static List<Integer> subPorts(Map<String, String> o) {
        String v = o.get("sub-ports");
        return v == null || v.isBlank() ? List.of()
                : java.util.Arrays.stream(v.split(",")).map(String::strip).map(Integer::parseInt).toList();
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
            return report(o, out);
        }
        if ("provision".equals(scenario)) {
            return Provision.run(o.getOrDefault("api", "http://127.0.0.1:8080/grid-admin/api"),
                    Path.of(o.getOrDefault("token-file", "config/target/node/data/grid/admin-token")),
                    o.getOrDefault("names", "bench-c"), Integer.parseInt(o.getOrDefault("from", "0")),
                    Integer.parseInt(o.getOrDefault("count", "100")), o.getOrDefault("password", "bench-password-1"),
                    o.getOrDefault("role", "trusted"), Integer.parseInt(o.getOrDefault("concurrency", "4")), out);
        }
        if ("flood".equals(scenario)) {
            return Flood.run(o, out);
        }
        if ("tls".equals(scenario)) {
            return TlsRecords.run(o, out);
        }
        if (!List.of("fanout", "connections", "backlog", "coldstart", "failover").contains(String.valueOf(scenario))) {
            out.println(USAGE);
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
                o.getOrDefault("password", "bench-password-1"), pid, o.getOrDefault("access", "whitelist"),
                Integer.parseInt(o.getOrDefault("loops", Integer.toString(Runtime.getRuntime().availableProcessors()))),
                Integer.parseInt(o.getOrDefault("per-address", "400")), subPorts(o), new java.util.ArrayList<>());
        for (int p : t.subscriberPorts()) {
            long other = ProcessCpu.listening(p);
            if (p != port && other != 0 && other != pid && !t.otherPids().contains(other)) {
                t.otherPids().add(other);
            }
        }
        String stamp = o.getOrDefault("stamp", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                + "-" + t.name();
        Path dir = Path.of(o.getOrDefault("out", "bench/results"));
        String type = o.getOrDefault("payload-type", "urn:ietf:params:xml:ns:iodef-2.0");
        FanOut fanOut = new FanOut(t, Integer.parseInt(o.getOrDefault("subscribers", "100")),
                Duration.ofSeconds(Long.parseLong(o.getOrDefault("warmup", "3"))),
                Duration.ofSeconds(Long.parseLong(o.getOrDefault("seconds", "10"))),
                Double.parseDouble(o.getOrDefault("break-ms", "1000")), type.equals("none") ? null : type, out)
                .firstWarmup(Duration.ofSeconds(Long.parseLong(o.getOrDefault("first-warmup", "30"))));
        if (!"fanout".equals(scenario)) {
            Figures f;
            Path report;
            if ("failover".equals(scenario)) {
                f = new Failover(t, fanOut, o.getOrDefault("event", "kill"), Integer.parseInt(o.getOrDefault("subscribers", "1000")),
                        Integer.parseInt(o.getOrDefault("victim-port", "5322")), Integer.parseInt(o.getOrDefault("rate", "20")),
                        Duration.ofSeconds(Long.parseLong(o.getOrDefault("before", "20"))),
                        Duration.ofSeconds(Long.parseLong(o.getOrDefault("after", "60"))),
                        o.getOrDefault("api", "http://127.0.0.1:8080/grid-admin/api"),
                        Path.of(o.getOrDefault("token-file", "bench/target/cluster/shared/admin-token")),
                        o.getOrDefault("victim", "node-2"), out).run();
                report = Report.write(dir, stamp, "failover", "Failover and drain benchmark", String.join(" ", args),
                        Failover.NOTES, f);
            } else if ("coldstart".equals(scenario)) {
                int interval = Integer.parseInt(o.getOrDefault("interval", "10"));
                f = new ColdStart(t, fanOut, Integer.parseInt(o.getOrDefault("subscribers", "1000")),
                        Integer.parseInt(o.getOrDefault("rate", "20")),
                        Duration.ofMinutes(Long.parseLong(o.getOrDefault("minutes", "5"))), Duration.ofSeconds(interval), out).run();
                report = ColdStart.write(dir, stamp, String.join(" ", args), f, interval);
            } else if ("connections".equals(scenario)) {
                int sessions = Integer.parseInt(o.getOrDefault("sessions", "50000"));
                f = new Connections(t, sessions, Integer.parseInt(o.getOrDefault("rate", "200")),
                        Integer.parseInt(o.getOrDefault("checkpoint", "5000")),
                        Integer.parseInt(o.getOrDefault("accounts", Integer.toString(sessions))),
                        Duration.ofSeconds(Long.parseLong(o.getOrDefault("hold", "30"))),
                        Double.parseDouble(o.getOrDefault("break-ms", "1000")), out)
                        .warmupLogins(Integer.parseInt(o.getOrDefault("warmup-logins", "500"))).run();
                report = Report.write(dir, stamp, "connections", "Connections benchmark", String.join(" ", args), "", f, 1, 3,
                        "authenticated TLS sessions held", "login p99 (ms, log scale)");
            } else {
                List<Integer> sizes = new ArrayList<>();
                Arrays.stream(o.getOrDefault("items", "1000,10000,100000").split(",")).map(String::strip)
                        .forEach(r -> sizes.add(Integer.parseInt(r)));
                f = new Backlog(t, fanOut, Duration.ofSeconds(Long.parseLong(o.getOrDefault("settle", "5"))), out).run(sizes);
                report = Report.write(dir, stamp, "backlog", "Offline backlog benchmark", String.join(" ", args), "", f, 1, 7,
                        "items queued while offline", "items drained per second (log scale)");
            }
            if (o.containsKey("tsv")) {
                java.nio.file.Files.writeString(Path.of(o.get("tsv")), f.tsv(), java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
            }
            out.print(f.markdown());
            out.println("report: " + report);
            return 0;
        }
        List<Integer> rates = new ArrayList<>();
        Arrays.stream(o.getOrDefault("rates", "100,200,500,1000").split(",")).map(String::strip)
                .forEach(r -> rates.add(Integer.parseInt(r)));
        Map<String, List<Report.Row>> results = new LinkedHashMap<>();
        results.put(t.name(), fanOut.run(rates).stream().map(s -> Report.Row.of(t.name(), s)).toList());
        if (o.containsKey("tsv")) {
            StringBuilder lines = new StringBuilder();
            results.get(t.name()).forEach(r -> lines.append(r.tsv()).append('\n'));
            java.nio.file.Files.writeString(Path.of(o.get("tsv")), lines, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
        out.print(Report.table(results));
        Path report = Report.write(dir, stamp, String.join(" ", args), results);
        out.println("report: " + report);
        return 0;
    }
}
