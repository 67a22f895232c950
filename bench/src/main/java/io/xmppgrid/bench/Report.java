package io.xmppgrid.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Markdown reports (table, machine, parameters) and their PNG plots: fan-out (p99 latency against offered rate) and the other scenarios. */
final class Report {

    /** One offered rate's figures, as reported (from a run, or the median over rounds). */
    record Row(String server, int offered, double published, double delivered, long received, long expected, double p50,
               double p99, double p999, long errors, double cpuPer1000) {

        static Row of(String server, FanOut.Step s) {
            return new Row(server, s.offered(), s.published(), s.delivered(), s.received(), s.expected(), s.p(50), s.p(99),
                    s.p(99.9), s.errors(), s.cpuPer1000());
        }

        String tsv() {
            return String.join("\t", server, Integer.toString(offered), Double.toString(published), Double.toString(delivered),
                    Long.toString(received), Long.toString(expected), Double.toString(p50), Double.toString(p99),
                    Double.toString(p999), Long.toString(errors), Double.toString(cpuPer1000));
        }

        static Row parse(String line) {
            String[] f = line.split("\t");
            return new Row(f[0], Integer.parseInt(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]), Long.parseLong(f[4]),
                    Long.parseLong(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]), Double.parseDouble(f[8]),
                    Long.parseLong(f[9]), Double.parseDouble(f[10]));
        }
    }

    private static final Color[] COLORS = {new Color(0x1d4ed8), new Color(0xb91c1c), new Color(0x15803d), new Color(0x7e22ce),
        new Color(0xc2410c), new Color(0x0e7490), new Color(0x4d7c0f), new Color(0xbe185d)};

    private Report() {
    }

    static Path write(Path dir, String stamp, String parameters, Map<String, List<Row>> results) throws IOException {
        Files.createDirectories(dir);
        Path png = dir.resolve(stamp + "-fanout.png");
        Map<String, List<double[]>> series = new java.util.LinkedHashMap<>();
        results.forEach((name, rows) -> series.put(name, rows.stream().map(r -> new double[] {r.offered(), r.p99()}).toList()));
        plot(png, series, "offered publish rate (items/s)", "p99 publish→delivery latency (ms, log scale)");
        StringBuilder md = new StringBuilder();
        md.append("# Fan-out benchmark ").append(stamp).append("\n\n");
        md.append("Machine: ").append(machine()).append("\n\n");
        md.append("Parameters: `").append(parameters).append("`\n\n");
        md.append(table(results)).append('\n');
        md.append("![p99 latency against offered rate](").append(png.getFileName()).append(")\n");
        Path file = dir.resolve(stamp + "-fanout.md");
        Files.writeString(file, md.toString());
        return file;
    }

    static String table(Map<String, List<Row>> results) {
        StringBuilder t = new StringBuilder("| server | offered /s | published /s | delivered /s | received / expected | p50 ms | p99 ms "
                + "| p99.9 ms | errors | server CPU s / 1000 deliveries |\n|---|---|---|---|---|---|---|---|---|---|\n");
        results.forEach((name, steps) -> {
            for (Row s : steps) {
                t.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %d / %d | %.2f | %.2f | %.2f | %d | %.3f |%n", name,
                        s.offered(), s.published(), s.delivered(), s.received(), s.expected(), s.p50(), s.p99(), s.p999(),
                        s.errors(), s.cpuPer1000()));
            }
        });
        return t.toString();
    }

    /** Medians over rounds of each server's rows at each offered rate (TSV lines of {@link Row#tsv()}). */
    static Map<String, List<Row>> medians(List<String> tsvLines) {
        Map<String, Map<Integer, List<Row>>> by = new java.util.LinkedHashMap<>();
        for (String line : tsvLines) {
            if (!line.isBlank()) {
                Row r = Row.parse(line);
                by.computeIfAbsent(r.server(), k -> new java.util.TreeMap<>()).computeIfAbsent(r.offered(), k -> new ArrayList<>()).add(r);
            }
        }
        Map<String, List<Row>> out = new java.util.LinkedHashMap<>();
        by.forEach((server, rates) -> {
            List<Row> rows = new ArrayList<>();
            rates.forEach((rate, rs) -> rows.add(new Row(server + (rs.size() > 1 ? " (median of " + rs.size() + ")" : ""), rate,
                    median(rs, Row::published), median(rs, Row::delivered), (long) median(rs, x -> x.received()),
                    (long) median(rs, x -> x.expected()), median(rs, Row::p50), median(rs, Row::p99), median(rs, Row::p999),
                    (long) median(rs, x -> x.errors()), median(rs, Row::cpuPer1000))));
            out.put(server, rows);
        });
        return out;
    }

    private static double median(List<Row> rows, java.util.function.ToDoubleFunction<Row> f) {
        double[] v = rows.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    static String machine() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).strip();
                    break;
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return String.format(Locale.ROOT, "%d cores (%s), %d MiB max heap for the generator, %s %s, Java %s",
                Runtime.getRuntime().availableProcessors(), cpu, Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("java.version"));
    }

    /**
     * A scenario's report other than fan-out: {@code <stamp>-<scenario>.md} with the table, machine and
     * parameters, and {@code .png} plotting column {@code y} against column {@code x} per server.
     */
    static Path write(Path dir, String stamp, String scenario, String title, String parameters, String notes, Figures f,
                      int x, int y, String xLabel, String yLabel) throws IOException {
        Files.createDirectories(dir);
        Path png = dir.resolve(stamp + "-" + scenario + ".png");
        plot(png, f.series(x, y), xLabel, yLabel);
        String md = "# " + title + " " + stamp + "\n\nMachine: " + machine() + "\n\nParameters: `" + parameters + "`\n\n"
                + f.markdown() + "\n" + (notes.isEmpty() ? "" : notes + "\n\n") + "![" + yLabel + "](" + png.getFileName() + ")\n";
        Path file = dir.resolve(stamp + "-" + scenario + ".md");
        Files.writeString(file, md);
        return file;
    }

    /** A report of figures only (no plot: events, not series). */
    static Path write(Path dir, String stamp, String scenario, String title, String parameters, String notes, Figures f)
            throws IOException {
        Files.createDirectories(dir);
        String md = "# " + title + " " + stamp + "\n\nMachine: " + machine() + "\n\nParameters: `" + parameters + "`\n\n"
                + f.markdown() + "\n" + (notes.isEmpty() ? "" : notes + "\n");
        Path file = dir.resolve(stamp + "-" + scenario + ".md");
        Files.writeString(file, md);
        return file;
    }

    /** A line per server of points (x, y), y on a log scale (NaN points left out). */
    static void plot(Path png, Map<String, List<double[]>> results, String xLabel, String yLabel) throws IOException {
        int w = 900;
        int h = 560;
        int left = 80;
        int right = 180;
        int top = 40;
        int bottom = 70;
        double maxX = 1;
        double maxY = 1;
        for (List<double[]> points : results.values()) {
            for (double[] p : points) {
                if (!Double.isNaN(p[0])) {
                    maxX = Math.max(maxX, p[0]);
                }
                if (!Double.isNaN(p[1])) {
                    maxY = Math.max(maxY, p[1]);
                }
            }
        }
        maxY = Math.log10(maxY) < 0 ? 1 : maxY;
        double logMax = Math.ceil(Math.log10(maxY));
        double logMin = -1; // 0.1 ms
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int pw = w - left - right;
        int ph = h - top - bottom;
        g.drawString(xLabel, left + pw / 2 - 80, h - 20);
        g.drawString(yLabel, 10, 20);
        for (double e = logMin; e <= logMax; e++) {
            int y = top + ph - (int) ((e - logMin) / (logMax - logMin) * ph);
            g.setColor(new Color(0xe5e7eb));
            g.drawLine(left, y, left + pw, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%s", Math.pow(10, e) >= 1 ? String.valueOf((long) Math.pow(10, e))
                    : String.valueOf(Math.pow(10, e))), 10, y + 4);
        }
        for (int i = 0; i <= 5; i++) {
            int x = left + i * pw / 5;
            g.drawString(String.valueOf((long) (maxX * i / 5)), x - 10, top + ph + 18);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(left, top, pw, ph);
        int c = 0;
        for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
            g.setColor(COLORS[c % COLORS.length]);
            g.setStroke(new BasicStroke(2.5f));
            List<int[]> points = new ArrayList<>();
            for (double[] s : e.getValue()) {
                if (Double.isNaN(s[0]) || Double.isNaN(s[1])) {
                    continue;
                }
                double ly = Math.max(logMin, Math.log10(Math.max(s[1], 0.1)));
                points.add(new int[] {left + (int) (s[0] / maxX * pw), top + ph - (int) ((ly - logMin) / (logMax - logMin) * ph)});
            }
            for (int i = 0; i < points.size(); i++) {
                int[] p = points.get(i);
                g.fillOval(p[0] - 4, p[1] - 4, 8, 8);
                if (i > 0) {
                    int[] q = points.get(i - 1);
                    g.drawLine(q[0], q[1], p[0], p[1]);
                }
            }
            g.drawString(e.getKey(), left + pw + 15, top + 20 + 20 * c);
            c++;
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }
}
