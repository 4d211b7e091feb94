package io.github.pidfd4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result rows in report order (sections of the {@link Catalogue}, then contenders) and their
 * ratios; {@link Table} writes them as text and Markdown, {@link SvgChart} as a chart.
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
        sorted.sort(Comparator.comparingInt((Row r) -> Catalogue.place(r).section())
                .thenComparing(r -> Catalogue.place(r).title())
                .thenComparingDouble(r -> Catalogue.place(r).order())
                .thenComparing(r -> Catalogue.place(r).variant())
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

    /** The plain-text table printed by the runner. */
    public String table() {
        return new Table(this).text();
    }

    /** The same table in Markdown, for the README. */
    public String markdown() {
        return new Table(this).markdown();
    }

    /** The chart: see {@link SvgChart}. */
    public String svg() {
        return new SvgChart(this).svg();
    }

    /** Shown above the table and in the chart. */
    Map<String, String> context() {
        return context;
    }

    /** Contenders in enum order; start-up's variants that are not contenders between them (see Startup). */
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
}
