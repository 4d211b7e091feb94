package io.github.pidfd4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns result rows into the comparison table (text and Markdown) and the chart (SVG).
 *
 * <p>Both ratios use one definition: baseline cost / contender cost (for throughput, contender /
 * baseline), so that above 1 always means "better than the baseline": {@code vs JDK} 2.00x is twice
 * as fast as (or half the threads of) the JDK default; {@code vs C} 0.50x takes twice the C
 * reference's time.
 *
 * <p>Usage: {@code Report <output dir> <result.json>...} regenerates the report from saved files.
 */
public final class Report {

    public static final String JDK = Contender.JDK.id();
    public static final String C = Contender.C_REFERENCE.id();

    private final List<Row> rows;
    private final Map<String, String> context;

    /** @param context shown above the table and in the chart, e.g. machine, kernel, JDK, date */
    public Report(List<Row> rows, Map<String, String> context) {
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparingInt((Row r) -> describe(r).section)
                .thenComparing(r -> describe(r).title)
                .thenComparingDouble(r -> describe(r).order)
                .thenComparing(r -> describe(r).variant)
                .thenComparingInt(r -> contenderOrder(r.contender)));
        this.rows = List.copyOf(sorted);
        this.context = context;
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: Report <output dir> [--context context.json] <result.json>...");
            System.exit(2);
        }
        List<Row> rows = new ArrayList<>();
        Map<String, String> context = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--context")) {
                ((Map<String, Object>) Json.parse(Files.readString(Path.of(args[++i]))))
                        .forEach((k, v) -> context.put(k, String.valueOf(v)));
                continue;
            }
            rows.addAll(Row.read(Files.readString(Path.of(args[i]))));
        }
        Report r = new Report(rows, context);
        Path out = Path.of(args[0]);
        r.writeAll(out);
        System.out.print(r.table());
    }

    public List<Row> rows() {
        return rows;
    }

    /** Writes report.txt, report.md and chart.svg into {@code dir}. */
    public void writeAll(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.txt"), table(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.md"), markdown(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("chart.svg"), svg(), StandardCharsets.UTF_8);
    }

    // ---- what a row is about ------------------------------------------------------------------

    /** Where a row goes: section (the benchmark number), title, variant. */
    static final class Desc {
        final int section;
        final String title;
        final String variant;
        final double order;

        Desc(int section, String title, String variant, double order) {
            this.section = section;
            this.title = title;
            this.variant = variant;
            this.order = order;
        }
    }

    private static final Pattern NUMBER = Pattern.compile("(\\d+)");

    static Desc describe(Row r) {
        String b = r.benchmark;
        String method = b.substring(b.lastIndexOf('.') + 1);
        String cls = b.substring(0, Math.max(0, b.lastIndexOf('.')));
        cls = cls.substring(cls.lastIndexOf('.') + 1);
        switch (cls) {
            case "SpawnWaitBenchmark": {
                String p = r.params.getOrDefault("program", "true");
                return new Desc(1, "spawn + wait", p.equals("true") ? "/bin/true" : p.equals("tiny") ? "tiny-true (static)" : p,
                        p.equals("true") ? 0 : 1);
            }
            case "ThroughputBenchmark": {
                int t = firstNumber(method, r.threads);
                return new Desc(2, "spawn throughput", t + (t == 1 ? " thread" : " threads"), t);
            }
            case "ExitLatencyBenchmark":
                return new Desc(3, "exit -> onExit()", "child, SIGKILL", 0);
            case "NonChildExitBenchmark":
                return new Desc(4, "non-child onExit()", "ProcessHandle.of(pid), SIGKILL", 0);
            case "HeapBenchmark": {
                String h = r.params.getOrDefault("heap", "?");
                return new Desc(5, "heap sensitivity", "tiny-true, heap " + h + " touched",
                        HeapBenchmark.parseSize(h.equals("?") ? "0" : h));
            }
            case "Footprint": {
                int n = Integer.parseInt(r.params.getOrDefault("n", "0"));
                String what = method.equals("rss") ? "footprint: resident memory" : "footprint: threads";
                return new Desc(6, what, String.format(Locale.ROOT, "%,d children", n), n);
            }
            case "Startup":
                return Startup.describe(r);
            default:
                return new Desc(9, cls + "." + method, r.params.toString(), 0);
        }
    }

    private static int firstNumber(String s, int otherwise) {
        Matcher m = NUMBER.matcher(s);
        return m.find() ? Integer.parseInt(m.group(1)) : otherwise;
    }

    static int contenderOrder(String id) {
        int startup = Startup.contenderOrder(id);  // its variants that are not contenders
        if (startup >= 0) {
            return startup;
        }
        try {
            return Contender.of(id).ordinal() * 10;
        } catch (IllegalArgumentException e) {
            return 990;
        }
    }

    static String contenderLabel(String id) {
        if (Startup.label(id) != null) {
            return Startup.label(id);
        }
        try {
            return Contender.of(id).label();
        } catch (IllegalArgumentException e) {
            return id;
        }
    }

    // ---- ratios --------------------------------------------------------------------------------

    /** The row of {@code contender} compared with {@code r}, if it was run. */
    private Row peer(Row r, String contender) {
        for (Row o : rows) {
            if (o.contender.equals(contender) && o.comparisonKey().equals(r.comparisonKey()) && o.isRun()) {
                return o;
            }
        }
        return null;
    }

    /**
     * How many times better {@code r} is than {@code base}: above 1 is better; NaN if unknown.
     * Latencies are compared by their medians, which the noise of a shared machine moves far less
     * than the means; throughput and footprint by their scores.
     */
    static double ratio(Row r, Row base) {
        if (r == null || base == null || !r.isRun() || !base.isRun()) {
            return Double.NaN;
        }
        double a = compared(r);
        double b = compared(base);
        if (!(a > 0) || !(b > 0)) {
            return Double.NaN;
        }
        return r.lowerIsBetter() ? b / a : a / b;
    }

    /** The number ratios are taken of: the median where there is one, else the score. */
    static double compared(Row r) {
        return Double.isFinite(r.p50) && r.p50 > 0 ? r.p50 : r.score;
    }

    public double vsJdk(Row r) {
        return ratio(r, peer(r, JDK));
    }

    public double vsC(Row r) {
        return ratio(r, peer(r, C));
    }

    // ---- text ----------------------------------------------------------------------------------

    private static final String[] HEADER = {"benchmark", "variant", "contender", "score", "error", "units",
        "p50", "p99", "vs JDK", "vs C"};

    private List<String[]> cells() {
        List<String[]> out = new ArrayList<>();
        for (Row r : rows) {
            Desc d = describe(r);
            String bench = d.section + " " + d.title;
            if (!r.isRun()) {
                out.add(new String[] {bench, d.variant, r.contender, "not run: " + r.notRun, "", "", "", "", "", ""});
                continue;
            }
            // Rows of whole runs (start-up) show their range where others show their error.
            String error = r.samples != null ? num(r.min()) + "–" + num(r.max())
                    : Double.isFinite(r.error) && r.error > 0 ? "± " + num(r.error) : "";
            out.add(new String[] {bench, d.variant, r.contender + (r.note != null ? " *" : ""), num(r.score),
                error, r.unit,
                num(r.p50), num(r.p99), times(vsJdk(r)), times(vsC(r))});
        }
        return out;
    }

    /** The plain-text table printed by the runner. */
    public String table() {
        List<String[]> cells = cells();
        int[] w = new int[HEADER.length];
        for (int i = 0; i < HEADER.length; i++) {
            w[i] = HEADER[i].length();
        }
        for (String[] c : cells) {
            if (c[3].startsWith("not run")) {
                for (int i = 0; i < 3; i++) {
                    w[i] = Math.max(w[i], c[i].length());
                }
                continue;
            }
            for (int i = 0; i < c.length; i++) {
                w[i] = Math.max(w[i], c[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        context.forEach((k, v) -> b.append(k).append(": ").append(v).append('\n'));
        if (!context.isEmpty()) {
            b.append('\n');
        }
        line(b, HEADER, w);
        int total = 0;
        for (int x : w) {
            total += x + 2;
        }
        b.append("-".repeat(total - 2)).append('\n');
        String prev = null;
        for (String[] c : cells) {
            if (prev != null && !prev.equals(c[0])) {
                b.append('\n');
            }
            prev = c[0];
            if (c[3].startsWith("not run")) {
                line(b, new String[] {c[0], c[1], c[2], c[3]}, w);
            } else {
                line(b, c, w);
            }
        }
        b.append('\n');
        String goals = StartupGoals.text(rows);
        if (!goals.isEmpty()) {
            b.append(goals).append('\n');
        }
        b.append(legend());
        return b.toString();
    }

    private String legend() {
        StringBuilder b = new StringBuilder();
        b.append("vs JDK: how many times better than the JDK default on the same line (>1: faster, or fewer threads/less memory).\n");
        b.append("vs C:   the same against the C reference, the machine's limit (0.50x: twice the C reference's cost).\n");
        b.append("Latency rows (us/op) compare medians (p50); throughput and footprint rows compare scores.\n");
        b.append("score: the mean (latency: of all operations; throughput: of the iterations); error: 99.9% confidence"
                + " half-width; p50/p99: percentiles of all operations.\n");
        rows.stream().filter(r -> r.samples != null).mapToInt(r -> r.samples.size()).max().ifPresent(n ->
                b.append("start-up (7): one fresh JVM per run; score and p50: the median of ").append(n)
                        .append(" runs, error column: min–max; noop-agent: a -javaagent with an empty premain.\n"));
        rows.stream().filter(r -> r.note != null).map(r -> r.contender + " *: " + r.note).distinct()
                .forEach(n -> b.append(n).append('\n'));
        return b.toString();
    }

    private static void line(StringBuilder b, String[] c, int[] w) {
        StringBuilder l = new StringBuilder();
        for (int i = 0; i < c.length; i++) {
            boolean right = i >= 3 && i != 5 && !c[i].startsWith("not run");
            String cell = c[i];
            if (i == c.length - 1 && !right) {
                l.append(cell);
            } else if (right) {
                l.append(" ".repeat(Math.max(0, w[i] - cell.length()))).append(cell);
            } else {
                l.append(cell).append(" ".repeat(Math.max(0, w[i] - cell.length())));
            }
            if (i < c.length - 1) {
                l.append("  ");
            }
        }
        b.append(l.toString().stripTrailing()).append('\n');
    }

    /** The same table in Markdown, for the README. */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        context.forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));
        if (!context.isEmpty()) {
            b.append('\n');
        }
        b.append("| ").append(String.join(" | ", HEADER)).append(" |\n");
        b.append("|---|---|---|---:|---:|---|---:|---:|---:|---:|\n");
        for (String[] c : cells()) {
            List<String> esc = new ArrayList<>();
            for (String x : c) {
                esc.add(x.replace("|", "\\|"));
            }
            b.append("| ").append(String.join(" | ", esc)).append(" |\n");
        }
        b.append('\n');
        b.append(StartupGoals.markdown(rows));
        for (String l : legend().split("\n")) {
            b.append(l).append("  \n");
        }
        return b.toString();
    }

    /** Three significant digits, with thousands separators for large numbers. */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            return "";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static String times(double v) {
        if (!Double.isFinite(v)) {
            return "";
        }
        if (v >= 100) {
            return String.format(Locale.ROOT, "%,.0fx", v);
        }
        if (v >= 0.1) {
            return String.format(Locale.ROOT, "%.2fx", v);
        }
        return String.format(Locale.ROOT, "%.2gx", v);
    }

    // ---- chart ---------------------------------------------------------------------------------

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

    /**
     * A diverging bar chart on a log scale: one panel per benchmark variant, one bar per contender,
     * drawn from the JDK default's line (1x) to the right when the contender is better and to the
     * left when it is worse, labelled with the factor and the measured value.
     */
    public String svg() {
        Map<String, List<Row>> panels = new LinkedHashMap<>();
        for (Row r : rows) {
            Desc d = describe(r);
            panels.computeIfAbsent(d.section + " " + d.title + " | " + d.variant, k -> new ArrayList<>()).add(r);
        }
        double lo = 0.25;
        double hi = 4;
        for (Row r : rows) {
            double x = vsJdk(r);
            if (Double.isFinite(x) && x > 0) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        double lgLo = Math.floor(log2(lo));
        double lgHi = Math.ceil(log2(hi));

        int labelW = 190;
        int plotW = 640;
        int valueW = 290;
        int width = labelW + plotW + valueW + 20;
        int barH = 16;
        int gap = 4;
        int panelHead = 26;
        List<String> ctxParts = new ArrayList<>();
        context.forEach((k, v) -> ctxParts.add(List.of("machine", "kernel", "JDK", "date").contains(k) ? v : k + ": " + v));
        List<String> ctxLines = wrap(String.join("  ·  ", ctxParts), 170);
        int top = 100 + 16 * Math.max(0, ctxLines.size() - 1);
        int y = top;
        StringBuilder body = new StringBuilder();
        java.util.function.DoubleUnaryOperator px = v -> labelW + (log2(v) - lgLo) / (lgHi - lgLo) * plotW;
        double one = px.applyAsDouble(1);

        for (Map.Entry<String, List<Row>> e : panels.entrySet()) {
            List<Row> rs = e.getValue();
            Row any = rs.get(0);
            Desc d = describe(any);
            String unitNote = any.lowerIsBetter() ? "lower is better" : "higher is better";
            body.append(text(10, y + 17, d.section + "  " + d.title + " — " + d.variant, "head"));
            body.append(text(width - 10, y + 17, "[" + any.unit + ", " + unitNote + "]", "unit end"));
            y += panelHead;
            int panelTop = y;
            for (Row r : rs) {
                String label = contenderLabel(r.contender) + (r.note != null ? " *" : "");
                body.append(text(labelW - 8, y + barH - 3, label, "label end"));
                if (!r.isRun()) {
                    body.append(text(labelW + 6, y + barH - 3, "not run: " + shorten(r.notRun, 110), "notrun"));
                } else {
                    double x = vsJdk(r);
                    String value = r.samples != null ? "median " + num(r.p50) + " " + r.unit
                            : Double.isFinite(r.p50) ? "p50 " + num(r.p50) + " " + r.unit : num(r.score) + " " + r.unit;
                    if (Double.isFinite(x) && x > 0) {
                        double xb = px.applyAsDouble(x);
                        double x0 = Math.min(one, xb);
                        double w = Math.max(Math.abs(xb - one), r.contender.equals(JDK) ? 0 : 1.5);
                        body.append(String.format(Locale.ROOT,
                                "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
                                x0, y, w, barH, color(r.contender)));
                        String verdict = r.contender.equals(JDK) ? "baseline"
                                : x >= 1.05 ? times(x) + " better" : x <= 0.95 ? times(1 / x) + " worse" : "same";
                        double tx = Math.max(xb, one) + 6;
                        if (x < 1) {
                            tx = one + 6;
                        }
                        body.append(text(tx, y + barH - 3, verdict + "  (" + value + ")",
                                x >= 1.05 && !r.contender.equals(JDK) ? "value good" : "value"));
                    } else {
                        body.append(text(one + 6, y + barH - 3, value + " (no JDK baseline)", "value"));
                    }
                }
                y += barH + gap;
            }
            body.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"one\"/>%n", one, panelTop - 3, one, y));
            y += 14;
        }
        int gridBottom = y;  // the goals panel below has scales of its own, not this grid
        y = StartupGoals.svg(body, rows, labelW, plotW, width, y);

        StringBuilder grid = new StringBuilder();
        double octave = plotW / (lgHi - lgLo);
        int every = octave >= 34 ? 1 : octave >= 17 ? 2 : 4;  // keep the tick labels apart
        for (double k = lgLo; k <= lgHi; k++) {
            if (((long) k) % every != 0) {
                continue;
            }
            double x = labelW + (k - lgLo) / (lgHi - lgLo) * plotW;
            grid.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>%n",
                    x, top - 6, x, gridBottom - 10));
            grid.append(text(x, top - 10, tick(k), "tick mid"));
        }

        StringBuilder s = new StringBuilder();
        int height = y + 40;
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">%n", width, height, width, height));
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
        s.append(grid);
        s.append(body);
        int lx = 10;
        final int legendY = y;
        for (Contender c : Contender.values()) {
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
                    lx, y + 4, color(c.id())));
            s.append(text(lx + 16, y + 14, c.label(), "label"));
            lx += 30 + c.label().length() * 7;
        }
        rows.stream().filter(r -> r.note != null).map(r -> contenderLabel(r.contender) + " *: " + r.note).distinct()
                .reduce((a, b) -> a + "; " + b)
                .ifPresent(n -> s.append(text(10, legendY + 32, shorten(n, 200), "sub")));
        s.append("</svg>\n");
        return s.toString();
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
