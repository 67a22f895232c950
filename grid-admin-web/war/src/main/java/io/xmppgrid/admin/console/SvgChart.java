package io.xmppgrid.admin.console;

import io.xmppgrid.ejb.history.TrafficHistory;
import java.util.List;
import java.util.Locale;

/**
 * One series of the nodes' traffic drawn as an inline SVG line chart, on the server (issue 21): no script, so the
 * console's strict Content-Security-Policy stays; colours come from console.css classes ({@code line-0} … for nodes,
 * {@code line-sum} for their sum when there are several). Points without a sample (NaN) break the line.
 */
public final class SvgChart {

    static final int WIDTH = 640;
    static final int HEIGHT = 150;
    private static final int LEFT = 48;
    private static final int RIGHT = 8;
    private static final int TOP = 22;
    private static final int BOTTOM = 20;

    private SvgChart() {
    }

    /**
     * The chart of series {@code index} of every node's snapshot (all of the same length and step), with the sum of the
     * nodes when there is more than one.
     */
    public static String render(String title, List<TrafficHistory.Snapshot> nodes, int index) {
        int points = nodes.isEmpty() ? 0 : nodes.get(0).values().get(index).length;
        float[] sum = new float[points];
        boolean[] any = new boolean[points];
        double max = 0;
        for (TrafficHistory.Snapshot n : nodes) {
            float[] v = n.values().get(index);
            for (int i = 0; i < Math.min(points, v.length); i++) {
                if (!Float.isNaN(v[i])) {
                    sum[i] += v[i];
                    any[i] = true;
                    max = Math.max(max, v[i]);
                }
            }
        }
        for (int i = 0; i < points; i++) {
            if (!any[i]) {
                sum[i] = Float.NaN;
            } else if (nodes.size() > 1) {
                max = Math.max(max, sum[i]);
            }
        }
        double top = niceCeiling(max);
        int step = nodes.isEmpty() ? TrafficHistory.STEP_SECONDS : nodes.get(0).stepSeconds();
        StringBuilder svg = new StringBuilder(8192);
        svg.append("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(HEIGHT).append("\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT).append("\"><title>")
                .append(esc(title)).append("</title>");
        svg.append("<text class=\"chart-title\" x=\"").append(LEFT).append("\" y=\"14\">").append(esc(title)).append("</text>");
        int plotBottom = HEIGHT - BOTTOM;
        svg.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(plotBottom).append("\" x2=\"")
                .append(WIDTH - RIGHT).append("\" y2=\"").append(plotBottom).append("\"/>");
        svg.append("<line class=\"grid-line\" x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"")
                .append(WIDTH - RIGHT).append("\" y2=\"").append(TOP).append("\"/>");
        svg.append("<text class=\"tick\" x=\"").append(LEFT - 4).append("\" y=\"").append(TOP + 4).append("\">").append(number(top))
                .append("</text><text class=\"tick\" x=\"").append(LEFT - 4).append("\" y=\"").append(plotBottom).append("\">0</text>");
        svg.append("<text class=\"tick-x\" x=\"").append(LEFT).append("\" y=\"").append(HEIGHT - 4).append("\">-")
                .append(span((long) points * step)).append("</text><text class=\"tick-x end\" x=\"").append(WIDTH - RIGHT)
                .append("\" y=\"").append(HEIGHT - 4).append("\">now</text>");
        for (int n = 0; n < nodes.size(); n++) {
            line(svg, "line-" + (n % 6), nodes.get(n).values().get(index), top, points);
        }
        if (nodes.size() > 1) {
            line(svg, "line-sum", sum, top, points);
        }
        // the legend: node names (and the sum), in their lines' colours
        int x = WIDTH - RIGHT;
        StringBuilder legend = new StringBuilder();
        for (int n = nodes.size() - 1; n >= -1; n--) {
            if (n == -1 && nodes.size() <= 1) {
                break;
            }
            String name = n == -1 ? "sum" : nodes.get(n).node();
            legend.insert(0, "<text class=\"legend line-" + (n == -1 ? "sum" : String.valueOf(n % 6)) + "\" x=\"" + x
                    + "\" y=\"14\">" + esc(name) + "</text>");
            x -= 8 + 7 * Math.min(name.length(), 24);
        }
        svg.append(legend);
        return svg.append("</svg>").toString();
    }

    /** Polylines of a series, broken where it has no value. */
    private static void line(StringBuilder svg, String cls, float[] v, double top, int points) {
        double width = WIDTH - LEFT - RIGHT;
        double height = HEIGHT - TOP - BOTTOM;
        StringBuilder run = new StringBuilder();
        int inRun = 0;
        for (int i = 0; i <= points; i++) {
            boolean have = i < points && i < v.length && !Float.isNaN(v[i]);
            if (have) {
                double px = LEFT + (points <= 1 ? width : width * i / (points - 1));
                double py = TOP + height - (top <= 0 ? 0 : height * v[i] / top);
                run.append(inRun++ == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f", px, py));
            } else if (inRun > 0) {
                svg.append("<polyline class=\"").append(cls).append("\" points=\"").append(run).append("\"/>");
                run.setLength(0);
                inRun = 0;
            }
        }
    }

    /** 1, 2, 5 × 10^n at or above {@code max} (1 when there is nothing). */
    public static double niceCeiling(double max) {
        if (!(max > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(max)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= max) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String number(double d) {
        return d >= 1_000_000 ? String.format(Locale.ROOT, "%.0fM", d / 1_000_000)
                : d >= 1_000 ? String.format(Locale.ROOT, "%.0fk", d / 1_000)
                : d == Math.rint(d) ? String.valueOf((long) d) : String.format(Locale.ROOT, "%.1f", d);
    }

    private static String span(long seconds) {
        return seconds >= 86_400 ? seconds / 86_400 + " d" : seconds >= 3_600 ? seconds / 3_600 + " h" : seconds / 60 + " min";
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
