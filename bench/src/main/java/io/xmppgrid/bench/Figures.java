package io.xmppgrid.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rows of figures of a scenario other than fan-out: column 0 is the server, column 1 the step
 * (sessions held, items queued), the rest are numbers. As TSV lines (one per step of one run, all
 * rounds appended to one file), as medians over rounds per server and step, and as a Markdown table.
 */
record Figures(List<String> columns, List<String[]> rows) {

    Figures(List<String> columns) {
        this(columns, new ArrayList<>());
    }

    Figures add(String server, Object... values) {
        String[] r = new String[values.length + 1];
        r[0] = server;
        for (int i = 0; i < values.length; i++) {
            r[i + 1] = values[i] instanceof Double d ? Double.toString(d) : String.valueOf(values[i]);
        }
        rows.add(r);
        return this;
    }

    String tsv() {
        StringBuilder b = new StringBuilder();
        rows.forEach(r -> b.append(String.join("\t", r)).append('\n'));
        return b.toString();
    }

    static Figures parse(List<String> columns, List<String> lines) {
        Figures f = new Figures(columns);
        lines.stream().filter(l -> !l.isBlank()).forEach(l -> f.rows.add(l.split("\t", -1)));
        return f;
    }

    /** Per server and step (in order of first appearance), the median of each numeric column over the rounds. */
    Figures medians() {
        Map<String, List<String[]>> by = new LinkedHashMap<>();
        for (String[] r : rows) {
            by.computeIfAbsent(r[0] + "\t" + r[1], k -> new ArrayList<>()).add(r);
        }
        Figures m = new Figures(columns);
        by.values().forEach(rs -> {
            String[] out = rs.get(0).clone();
            if (rs.size() > 1) {
                out[0] = out[0] + " (median of " + rs.size() + ")";
                for (int c = 2; c < out.length; c++) {
                    int col = c;
                    double[] v = rs.stream().mapToDouble(r -> number(r[col])).sorted().toArray();
                    double med = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
                    out[c] = Double.toString(med);
                }
            }
            m.rows.add(out);
        });
        return m;
    }

    String markdown() {
        StringBuilder t = new StringBuilder("| ").append(String.join(" | ", columns)).append(" |\n|");
        columns.forEach(c -> t.append("---|"));
        t.append('\n');
        for (String[] r : rows) {
            t.append("| ").append(r[0]);
            for (int c = 1; c < r.length; c++) {
                t.append(" | ").append(format(r[c]));
            }
            t.append(" |\n");
        }
        return t.toString();
    }

    /** The rows of each server as (x, y) points for a plot. */
    Map<String, List<double[]>> series(int x, int y) {
        Map<String, List<double[]>> s = new LinkedHashMap<>();
        for (String[] r : rows) {
            s.computeIfAbsent(r[0].replaceAll(" \\(median.*", ""), k -> new ArrayList<>()).add(new double[] {number(r[x]), number(r[y])});
        }
        return s;
    }

    private static double number(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String format(String s) {
        double d = number(s);
        if (Double.isNaN(d)) {
            return s.equals("NaN") ? "–" : s;
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return String.format(Locale.ROOT, Math.abs(d) >= 100 ? "%.0f" : Math.abs(d) >= 1 ? "%.2f" : "%.3f", d);
    }
}
