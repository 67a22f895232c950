package io.xmppgrid.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU seconds (user + system) a process has used, from /proc/PID/stat (Linux, USER_HZ = 100). */
final class ProcessCpu {

    private static final double TICKS = 100.0;

    private static final java.util.regex.Pattern USED = java.util.regex.Pattern.compile("used (\\d+)K");

    private ProcessCpu() {
    }

    /** Seconds used so far; NaN when the process cannot be read. */
    static double seconds(long pid) {
        if (pid <= 0) {
            return Double.NaN;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is field 3, utime 14, stime 15 → indexes 11, 12 here
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Resident set size in bytes; -1 when unknown. */
    static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return -1;
    }

    /**
     * Heap in use by a Java server after a full collection (its own {@code jcmd}: GC.run, then
     * GC.heap_info), in bytes; -1 when the process is not a JVM or cannot be attached.
     */
    static long heapAfterGc(long pid) {
        try {
            String exe = ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElse("");
            if (!exe.endsWith("/java")) {
                return -1;
            }
            String jcmd = exe.substring(0, exe.length() - 4) + "jcmd";
            run(jcmd, Long.toString(pid), "GC.run");
            String info = run(jcmd, Long.toString(pid), "GC.heap_info");
            // one line per heap (G1: "garbage-first heap ... used NK") or generation (Serial, Parallel: young and old);
            // Metaspace and class space are not heap
            long used = 0;
            boolean found = false;
            for (String line : info.split("\n")) {
                java.util.regex.Matcher m = USED.matcher(line);
                if (!line.contains("Metaspace") && !line.contains("class space") && m.find()) {
                    used += Long.parseLong(m.group(1)) * 1024;
                    found = true;
                }
            }
            return found ? used : -1;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    /** The PID of the process listening on this TCP port (from `ss`), or 0. */
    static long listening(int port) {
        try {
            Process p = new ProcessBuilder("ss", "-ltnpH", "sport = :" + port).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("pid=(\\d+)").matcher(out);
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
