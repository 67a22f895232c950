package io.xmppgrid.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.xmppgrid.admin.console.SvgChart;
import io.xmppgrid.ejb.history.TrafficHistory;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The console's charts (issue 21): inline SVG without script, one line per node, their sum, gaps where no sample. */
class SvgChartTest {

    private static TrafficHistory.Snapshot node(String name, float value, int from) {
        float[] v = new float[10];
        Arrays.fill(v, Float.NaN);
        for (int i = from; i < 10; i++) {
            v[i] = value;
        }
        return new TrafficHistory.Snapshot(name, 0, 5, List.of("x"), List.of(v));
    }

    @Test
    void oneNodeOneLineNoSum() {
        String svg = SvgChart.render("sessions", List.of(node("n<1>", 3, 0)), 0);
        assertTrue(svg.startsWith("<svg class=\"chart\""), svg);
        assertEquals(1, count(svg, "<polyline"));
        assertFalse(svg.contains("line-sum"));
        assertFalse(svg.contains("<script") || svg.contains("style="), "nothing the CSP would refuse");
        assertTrue(svg.contains("n&lt;1&gt;"), "names escaped");
    }

    @Test
    void twoNodesAndTheirSumScaledToIt() {
        String svg = SvgChart.render("stanzas in/s", List.of(node("a", 3, 0), node("b", 4, 5)), 0);
        assertEquals(3, count(svg, "<polyline"), svg);
        assertTrue(svg.contains("class=\"line-sum\""));
        assertTrue(svg.contains(">10</text>"), "the scale covers the sum, 7, rounded up to 10: " + svg);
    }

    @Test
    void aGapBreaksTheLine() {
        float[] v = {1, 1, Float.NaN, 1, 1};
        String svg = SvgChart.render("x", List.of(new TrafficHistory.Snapshot("a", 0, 5, List.of("x"), List.of(v))), 0);
        assertEquals(2, count(svg, "<polyline"));
        assertEquals(5.0, SvgChart.niceCeiling(4.1));
        assertEquals(1.0, SvgChart.niceCeiling(0));
    }

    private static int count(String s, String what) {
        return s.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }
}
