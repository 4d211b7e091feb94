package io.github.pidfd4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The comparison table of a {@link Report}: as printed (text) and in Markdown, with its legend. */
final class Table {

    private final Report report;
    private final List<Row> rows;

    Table(Report report) {
        this.report = report;
        this.rows = report.rows();
    }

    private static final String[] HEADER = {"benchmark", "variant", "contender", "score", "error", "units",
        "p50", "p99", "vs JDK", "vs C"};

    private List<String[]> cells() {
        List<String[]> out = new ArrayList<>();
        for (Row r : rows) {
            Benchmark.Placement d = Catalogue.place(r);
            String bench = d.section() + " " + d.title();
            if (!r.isRun()) {
                out.add(new String[] {bench, d.variant(), r.contender, "not run: " + r.notRun, "", "", "", "", "", ""});
                continue;
            }
            // Rows of whole runs (start-up) show their range where others show their error.
            String error = r.samples != null ? num(r.min()) + "–" + num(r.max())
                    : Double.isFinite(r.error) && r.error > 0 ? "± " + num(r.error) : "";
            out.add(new String[] {bench, d.variant(), r.contender + (r.note != null ? " *" : ""), num(r.score),
                error, r.unit,
                num(r.p50), num(r.p99), times(report.vsJdk(r)), times(report.vsC(r))});
        }
        return out;
    }

    /** The plain-text table printed by the runner. */
    String text() {
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
        report.context().forEach((k, v) -> b.append(k).append(": ").append(v).append('\n'));
        if (!report.context().isEmpty()) {
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
        for (String goals : List.of(StartupGoals.text(rows), RoundGoals.text(rows))) {
            if (!goals.isEmpty()) {
                b.append(goals).append('\n');
            }
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
        rows.stream().filter(r -> r.samples != null && r.mode.equals(Startup.MODE)).mapToInt(r -> r.samples.size()).max()
                .ifPresent(n -> b.append("start-up (7): one fresh JVM per run; score and p50: the median of ").append(n)
                        .append(" runs, error column: min–max; noop-agent: a -javaagent with an empty premain.\n"));
        rows.stream().filter(r -> r.samples != null && r.mode.equals(Rounds.MODE)).mapToInt(r -> r.samples.size()).max()
                .ifPresent(n -> b.append("in rounds (8): one short JMH fork (C reference: one cref run) per contender and"
                        + " round; score and p50: the median of ").append(n).append(" rounds, error column: min–max.\n"));
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
    String markdown() {
        StringBuilder b = new StringBuilder();
        report.context().forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));
        if (!report.context().isEmpty()) {
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
        b.append(RoundGoals.markdown(rows));
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

    /**
     * A goals table under the main one (start-up, rounds): {@code title}, the header and cells with the
     * columns {@code from..to} right-aligned, then {@code note}; "" without cells.
     */
    static String goalsText(String title, String[] header, List<String[]> cells, int from, int to, String note) {
        if (cells.isEmpty()) {
            return "";
        }
        int[] w = new int[header.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = header[i].length();
            for (String[] c : cells) {
                w[i] = Math.max(w[i], c[i].length());
            }
        }
        StringBuilder b = new StringBuilder(title).append('\n');
        List<String[]> all = new ArrayList<>();
        all.add(header);
        all.addAll(cells);
        for (String[] c : all) {
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < c.length; i++) {
                String pad = " ".repeat(w[i] - c[i].length());
                l.append(i >= from && i <= to ? pad + c[i] : c[i] + pad).append("  ");
            }
            b.append(l.toString().stripTrailing()).append('\n');
        }
        return b.append(note).append('\n').toString();
    }

    /** The same in Markdown ({@code align}: the separator line's cells, e.g. "---:"), with ≤ and ≥ for {@code <=} and {@code >=}. */
    static String goalsMarkdown(String title, String[] header, String[] align, List<String[]> cells, String note) {
        if (cells.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(title).append("\n\n");
        b.append("| ").append(String.join(" | ", header)).append(" |\n");
        b.append("|").append(String.join("|", align)).append("|\n");
        for (String[] c : cells) {
            b.append("| ").append(String.join(" | ", c).replace("<=", "≤").replace(">=", "≥")).append(" |\n");
        }
        return b.append('\n').append(note).append("\n\n").toString();
    }
}
