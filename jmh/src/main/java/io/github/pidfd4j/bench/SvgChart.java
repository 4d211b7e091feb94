package io.github.pidfd4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The chart of a {@link Report}: a diverging bar chart on a log scale, one panel per benchmark
 * variant, one bar per contender, drawn from the JDK default's line (1x) to the right when the
 * contender is better and to the left when it is worse, labelled with the factor and the measured
 * value; then the start-up goals ({@link StartupGoals}) and the legend.
 */
final class SvgChart {

    private final Report report;
    private final List<Row> rows;

    SvgChart(Report report) {
        this.report = report;
        this.rows = report.rows();
    }

    static String color(String contender) {
        switch (contender) {
            case "jdk": return "#6b6b6b";
            case "jdk-vfork": return "#a9a9a9";
            case "jdk-fork": return "#3a3a3a";
            case "pidfd": return "#1f6fd1";
            case "agent": return "#17a34a";
            case "c-reference": return "#f08c00";
            case "noop-agent": return "#b9b9b9";
            case "agent-disabled": return "#8fd6a6";
            default: return "#9b59b6";
        }
    }

    private static final int LABEL_W = 190;
    private static final int PLOT_W = 640;
    private static final int VALUE_W = 290;
    private static final int WIDTH = LABEL_W + PLOT_W + VALUE_W + 20;
    private static final int BAR_H = 16;
    private static final int GAP = 4;
    private static final int PANEL_HEAD = 26;

    /** The whole chart. */
    String svg() {
        Scale scale = scale();
        List<String> ctxLines = contextLines();
        int top = 100 + 16 * Math.max(0, ctxLines.size() - 1);
        StringBuilder body = new StringBuilder();
        int y = top;
        for (List<Row> panel : panels()) {
            y = panel(body, panel, scale, y);
        }
        int gridBottom = y;  // the goals panel below has scales of its own, not this grid
        y = StartupGoals.svg(body, rows, LABEL_W, PLOT_W, WIDTH, y);

        StringBuilder s = new StringBuilder();
        header(s, y + 40, ctxLines);
        grid(s, scale, top, gridBottom);
        s.append(body);
        legend(s, y);
        s.append("</svg>\n");
        return s.toString();
    }

    /** The log2 range of the bars: at least 1/4x to 4x, widened to every ratio, in whole octaves. */
    private record Scale(double lgLo, double lgHi) {
        double px(double v) {
            return LABEL_W + (log2(v) - lgLo) / (lgHi - lgLo) * PLOT_W;
        }
    }

    private Scale scale() {
        double lo = 0.25;
        double hi = 4;
        for (Row r : rows) {
            double x = report.vsJdk(r);
            if (Double.isFinite(x) && x > 0) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        return new Scale(Math.floor(log2(lo)), Math.ceil(log2(hi)));
    }

    /** One panel per benchmark variant, in report order. */
    private List<List<Row>> panels() {
        Map<String, List<Row>> panels = new LinkedHashMap<>();
        for (Row r : rows) {
            Benchmark.Placement d = Catalogue.place(r);
            panels.computeIfAbsent(d.section() + " " + d.title() + " | " + d.variant(), k -> new ArrayList<>()).add(r);
        }
        return new ArrayList<>(panels.values());
    }

    /** The context (machine, kernel, JDK, date: values only; the rest "key: value"), wrapped. */
    private List<String> contextLines() {
        List<String> parts = new ArrayList<>();
        report.context().forEach((k, v) -> parts.add(List.of("machine", "kernel", "JDK", "date").contains(k) ? v : k + ": " + v));
        return wrap(String.join("  ·  ", parts), 170);
    }

    /** Draws a panel's head and its bars from {@code y}; returns the y below it. */
    private int panel(StringBuilder body, List<Row> rs, Scale scale, int y) {
        Row any = rs.get(0);
        Benchmark.Placement d = Catalogue.place(any);
        String unitNote = any.lowerIsBetter() ? "lower is better" : "higher is better";
        body.append(text(10, y + 17, d.section() + "  " + d.title() + " — " + d.variant(), "head"));
        body.append(text(WIDTH - 10, y + 17, "[" + any.unit + ", " + unitNote + "]", "unit end"));
        y += PANEL_HEAD;
        int panelTop = y;
        double one = scale.px(1);
        for (Row r : rs) {
            bar(body, r, scale, y);
            y += BAR_H + GAP;
        }
        body.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"one\"/>%n", one, panelTop - 3, one, y));
        return y + 14;
    }

    /** One contender's label, bar from the 1x line and verdict, or why it was not run. */
    private void bar(StringBuilder body, Row r, Scale scale, int y) {
        String label = Report.contenderLabel(r.contender) + (r.note != null ? " *" : "");
        body.append(text(LABEL_W - 8, y + BAR_H - 3, label, "label end"));
        if (!r.isRun()) {
            body.append(text(LABEL_W + 6, y + BAR_H - 3, "not run: " + shorten(r.notRun, 110), "notrun"));
            return;
        }
        double one = scale.px(1);
        double x = report.vsJdk(r);
        String value = r.samples != null ? "median " + Table.num(r.p50) + " " + r.unit
                : Double.isFinite(r.p50) ? "p50 " + Table.num(r.p50) + " " + r.unit : Table.num(r.score) + " " + r.unit;
        if (!(Double.isFinite(x) && x > 0)) {
            body.append(text(one + 6, y + BAR_H - 3, value + " (no JDK baseline)", "value"));
            return;
        }
        boolean baseline = r.contender.equals(Report.JDK);
        double xb = scale.px(x);
        double w = Math.max(Math.abs(xb - one), baseline ? 0 : 1.5);  // a hairline where the contender equals the JDK
        body.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
                Math.min(one, xb), y, w, BAR_H, color(r.contender)));
        String verdict = baseline ? "baseline"
                : x >= 1.05 ? Table.times(x) + " better" : x <= 0.95 ? Table.times(1 / x) + " worse" : "same";
        double tx = x < 1 ? one + 6 : Math.max(xb, one) + 6;  // a worse bar's text starts at the 1x line
        body.append(text(tx, y + BAR_H - 3, verdict + "  (" + value + ")", x >= 1.05 && !baseline ? "value good" : "value"));
    }

    /** The vertical lines of each octave (fewer when they would crowd) with their labels. */
    private static void grid(StringBuilder s, Scale scale, int top, int bottom) {
        double octave = PLOT_W / (scale.lgHi() - scale.lgLo());
        int every = octave >= 34 ? 1 : octave >= 17 ? 2 : 4;  // keep the tick labels apart
        for (double k = scale.lgLo(); k <= scale.lgHi(); k++) {
            if (((long) k) % every != 0) {
                continue;
            }
            double x = LABEL_W + (k - scale.lgLo()) / (scale.lgHi() - scale.lgLo()) * PLOT_W;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>%n",
                    x, top - 6, x, bottom - 10));
            s.append(text(x, top - 10, tick(k), "tick mid"));
        }
    }

    /** The svg element, the styles, the title, the explanation and the context lines. */
    private static void header(StringBuilder s, int height, List<String> ctxLines) {
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">%n", WIDTH, height, WIDTH, height));
        s.append("<style>\n"
                + ".title{font-size:18px;font-weight:bold}.sub{font-size:12px;fill:#444}\n"
                + ".head{font-size:13px;font-weight:bold}.unit{font-size:11px;fill:#666}\n"
                + ".label{font-size:12px}.value{font-size:11px;fill:#333}.good{font-weight:bold;fill:#0b5d1e}\n"
                + ".notrun{font-size:11px;fill:#999;font-style:italic}.tick{font-size:11px;fill:#555}\n"
                + ".end{text-anchor:end}.mid{text-anchor:middle}\n"
                + ".grid{stroke:#e4e4e4;stroke-width:1}.one{stroke:#000;stroke-width:1.5}\n"
                + "</style>\n");
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
        s.append(text(10, 24, "pidfd4j vs the JDK: how many times better than the JDK default (log scale)", "title"));
        s.append(text(10, 44, "Bars start at the JDK default (1x, black line): to the right = faster / fewer threads / less memory,"
                +  " to the left = worse. Latencies compare medians (p50).", "sub"));
        for (int k = 0; k < ctxLines.size(); k++) {
            s.append(text(10, 62 + 16 * k, ctxLines.get(k), "sub"));
        }
    }

    /** A colour square per contender, then the rows' notes, from {@code y}. */
    private void legend(StringBuilder s, int y) {
        int lx = 10;
        for (Contender c : Contender.values()) {
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
                    lx, y + 4, color(c.id())));
            s.append(text(lx + 16, y + 14, c.label(), "label"));
            lx += 30 + c.label().length() * 7;
        }
        rows.stream().filter(r -> r.note != null).map(r -> Report.contenderLabel(r.contender) + " *: " + r.note).distinct()
                .reduce((a, b) -> a + "; " + b)
                .ifPresent(n -> s.append(text(10, y + 32, shorten(n, 200), "sub")));
    }

    /** Splits at "  ·  " separators into lines of at most about {@code max} characters. */
    static List<String> wrap(String s, int max) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String part : s.split("  ·  ")) {
            if (line.length() > 0 && line.length() + part.length() + 5 > max) {
                lines.add(line.toString().strip());
                line.setLength(0);
            }
            line.append(line.length() > 0 ? "  ·  " : "").append(part);
        }
        if (line.length() > 0) {
            lines.add(line.toString().strip());
        }
        return lines.isEmpty() ? List.of("") : lines;
    }

    private static String tick(double k) {
        if (k >= 0) {
            double v = Math.pow(2, k);
            return v >= 1024 ? String.format(Locale.ROOT, "%,.0fx", v) : String.format(Locale.ROOT, "%.0fx", v);
        }
        return "1/" + (long) Math.pow(2, -k) + "x";
    }

    private static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    static String text(double x, double y, String s, String cls) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" class=\"%s\">%s</text>%n", x, y, cls, esc(s));
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
