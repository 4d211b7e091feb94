package io.github.pidfd4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The start-up and fixed-cost goals of issue 8, side by side: for each, the difference of two
 * medians of one run (a contender minus its baseline) and their ratio, against the goal. Shown under
 * the table (text, Markdown) and as the last panel of the chart; computed from the rows, so a
 * report redrawn from saved JSON shows them too.
 */
final class StartupGoals {

    /**
     * {@code contender} minus {@code baseline} on {@code benchmark} with {@code params}; {@code budget}
     * is the largest difference the goal allows, NaN for a comparison shown for information.
     */
    record Goal(String label, String what, String benchmark, Map<String, String> params, String contender,
                String baseline, double budget) {
    }

    private static final Map<String, String> ONE = Map.of(Startup.SPAWNS, "1");
    private static final Map<String, String> NONE = Map.of(Startup.SPAWNS, "0");

    static final List<Goal> GOALS = List.of(
            new Goal("agent, 1 spawn: CPU", "agent start-up, JVM that starts 1 process: CPU", Startup.CPU, ONE,
                    "agent", "noop-agent", 0.03),
            new Goal("agent, no spawn: CPU", "agent start-up, JVM that starts none: CPU", Startup.CPU, NONE,
                    "agent", "noop-agent", 0.01),
            new Goal("library, 1st spawn: CPU", "library first spawn: CPU", Startup.CPU, ONE, "pidfd", "jdk", 0.03),
            new Goal("library, 0 children: RSS", "fixed memory, library: resident at 0 children (benchmark 6)",
                    Footprints.RSS, Map.of("n", "0"), "pidfd", "jdk", 3),
            new Goal("agent, 0 children: RSS", "fixed memory, agent: resident at 0 children (benchmark 6)",
                    Footprints.RSS, Map.of("n", "0"), "agent", "jdk", 3),
            new Goal("any agent, 1 spawn: CPU", "a do-nothing -javaagent, JVM that starts 1 process: CPU", Startup.CPU,
                    ONE, "noop-agent", "jdk", Double.NaN),
            new Goal("agent off, 1 spawn: CPU", "agent with enabled=false, JVM that starts 1 process: CPU", Startup.CPU,
                    ONE, "agent-disabled", "noop-agent", Double.NaN),
            new Goal("agent, 1 spawn: wall", "agent start-up, JVM that starts 1 process: wall time", Startup.WALL, ONE,
                    "agent", "noop-agent", Double.NaN),
            new Goal("library, 1st spawn: wall", "library first spawn: wall time", Startup.WALL, ONE, "pidfd", "jdk",
                    Double.NaN),
            new Goal("agent, 1 spawn: peak RSS", "agent start-up, JVM that starts 1 process: peak memory", Startup.RSS,
                    ONE, "agent", "noop-agent", Double.NaN),
            new Goal("library, 1st spawn: peak RSS", "library first spawn: peak memory", Startup.RSS, ONE, "pidfd", "jdk",
                    Double.NaN),
            // The start-up run's view of the fixed memory, when the footprint harness (benchmark 6) did not run.
            new Goal("agent, no spawn: peak RSS", "agent, JVM that starts none: peak memory over the plain JDK",
                    Startup.RSS, NONE, "agent", "jdk", Double.NaN));

    /** One goal in one run: both medians, or why it cannot be computed. */
    record Line(Goal goal, double contender, double baseline, String unit, String missing) {
        double delta() {
            return contender - baseline;
        }

        double ratio() {
            return contender / baseline;
        }

        boolean hasBudget() {
            return Double.isFinite(goal.budget);
        }

        boolean met() {
            return delta() <= goal.budget;
        }

        String verdict() {
            return missing != null ? "not run: " + missing : !hasBudget() ? "for information" : met() ? "met" : "NOT MET";
        }
    }

    private StartupGoals() {
    }

    /** The goals whose rows are in {@code rows} (at least one of the two). */
    static List<Line> lines(List<Row> rows) {
        List<Line> out = new ArrayList<>();
        for (Goal g : GOALS) {
            Row a = find(rows, g, g.contender);
            Row b = find(rows, g, g.baseline);
            if (a == null && b == null) {
                continue;
            }
            String unit = a != null ? a.unit : b.unit;
            String missing = a == null || !a.isRun() ? g.contender : b == null || !b.isRun() ? g.baseline : null;
            out.add(missing != null ? new Line(g, Double.NaN, Double.NaN, unit, missing)
                    : new Line(g, Report.compared(a), Report.compared(b), unit, null));
        }
        return out;
    }

    private static Row find(List<Row> rows, Goal g, String contender) {
        for (Row r : rows) {
            if (r.benchmark.equals(g.benchmark) && r.contender.equals(contender) && r.params.equals(g.params)) {
                return r;
            }
        }
        return null;
    }

    private static final String[] HEADER = {"goal", "contender", "baseline", "contender", "baseline", "delta",
        "ratio", "goal (delta)", "verdict"};

    private static List<String[]> cells(List<Line> lines) {
        List<String[]> out = new ArrayList<>();
        for (Line l : lines) {
            Goal g = l.goal;
            boolean ok = l.missing == null;
            out.add(new String[] {g.what, g.contender, g.baseline,
                ok ? Table.num(l.contender) + " " + l.unit : "", ok ? Table.num(l.baseline) + " " + l.unit : "",
                ok ? signed(l.delta()) + " " + l.unit : "", ok ? Table.times(l.ratio()) : "",
                l.hasBudget() ? "<= +" + Table.num(g.budget) + " " + l.unit : "", l.verdict()});
        }
        return out;
    }

    private static final String NOTE = "delta: the contender's median minus the baseline's, in one run (start-up: CPU"
            + " user+sys, wall and ru_maxrss of fresh JVMs; memory at 0 children: benchmark 6); ratio: contender /"
            + " baseline (above 1: costs more). noop-agent: a -javaagent with an empty premain.";

    /** The goals as a plain-text table, or "" if the run has none of their rows. */
    static String text(List<Row> rows) {
        return Table.goalsText("start-up and fixed-cost goals (issue 8)", HEADER, cells(lines(rows)), 3, 6, NOTE);
    }

    /** The same in Markdown, or "". */
    static String markdown(List<Row> rows) {
        return Table.goalsMarkdown("Start-up and fixed-cost goals (issue 8):", HEADER,
                new String[] {"---", "---", "---", "---:", "---:", "---:", "---:", "---", "---"}, cells(lines(rows)), NOTE);
    }

    /**
     * The chart's goals panel at {@code y}: one bar per goal, the difference on a linear scale of its
     * own (zero at the left line), a black tick at the goal; green if met, red if not, grey for
     * information. Returns the y below it.
     */
    static int svg(StringBuilder body, List<Row> rows, int labelW, int plotW, int width, int y) {
        List<Line> lines = lines(rows);
        if (lines.isEmpty()) {
            return y;
        }
        body.append(SvgChart.text(10, y + 17, "7  start-up and fixed-cost goals: contender minus baseline (medians);"
                + " black tick: the goal", "head"));
        body.append(SvgChart.text(width - 10, y + 17, "[s or MB, lower is better]", "unit end"));
        y += 26;
        int barH = 16;
        double zero = labelW + 0.15 * plotW;
        for (Line l : lines) {
            body.append(SvgChart.text(labelW - 8, y + barH - 3, l.goal.label, "label end"));
            if (l.missing != null) {
                body.append(SvgChart.text(zero + 6, y + barH - 3, l.verdict(), "notrun"));
            } else {
                double d = l.delta();
                double scale = Math.max(Math.abs(d), l.hasBudget() ? l.goal.budget : 0) * 1.05;
                double k = scale > 0 ? 0.8 * plotW / scale : 0;
                double len = d >= 0 ? d * k : Math.min(-d * k, 0.15 * plotW - 2);
                String fill = !l.hasBudget() ? "#9a9a9a" : l.met() ? "#17a34a" : "#d13b1f";
                body.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
                        d >= 0 ? zero : zero - len, y, Math.max(len, 1.5), barH, fill));
                if (l.hasBudget()) {
                    double tx = zero + l.goal.budget * k;
                    body.append(String.format(Locale.ROOT,
                            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#000\" stroke-width=\"2\"/>%n",
                            tx, y - 2, tx, y + barH + 2));
                }
                String value = signed(d) + " " + l.unit + ", " + Table.times(l.ratio()) + " " + l.goal.baseline
                        + (l.hasBudget() ? " (goal ≤ +" + Table.num(l.goal.budget) + "): " + l.verdict().toLowerCase(Locale.ROOT)
                        : "");
                body.append(SvgChart.text(labelW + 0.95 * plotW + 6, y + barH - 3, value,
                        l.hasBudget() && l.met() ? "value good" : "value"));
            }
            y += barH + 4;
        }
        body.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"one\"/>%n",
                zero, y - lines.size() * (barH + 4) - 3, zero, y));
        return y + 14;
    }

    private static String signed(double v) {
        return (v >= 0 ? "+" : "-") + Table.num(Math.abs(v));
    }
}
