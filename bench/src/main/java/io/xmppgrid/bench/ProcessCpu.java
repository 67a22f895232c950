package io.xmppgrid.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU seconds (user + system) a process has used, from /proc/PID/stat (Linux, USER_HZ = 100). */
final class ProcessCpu {

    private static final double TICKS = 100.0;

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
