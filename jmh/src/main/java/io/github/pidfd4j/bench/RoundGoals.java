package io.github.pidfd4j.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The steady-state goals of issue 8 against the C reference, from benchmark 8 ({@link Rounds}): in
 * each round the contender's figure over the C reference's of the same round, then the median and
 * range of those ratios. Spawn+wait is a cost (p50 time over the C reference's: at most 1.15x);
 * throughput a rate (operations per second over the C reference's: at least 0.85x). Shown under the
 * table (text, Markdown); computed from the rows, so a report redrawn from saved JSON shows them too.
 */
final class RoundGoals {

    /** {@code contender} over the C reference on {@code benchmark}; a cost at most {@code limit}, a rate at least. */
    record Goal(String what, String benchmark, String contender, boolean cost, double limit) {
    }

    static final List<Goal> GOALS = List.of(
            new Goal("spawn+wait tiny-true, library: time vs C", Rounds.SPAWN, "pidfd", true, 1.15),
            new Goal("spawn+wait tiny-true, agent: time vs C", Rounds.SPAWN, "agent", true, 1.15),
            new Goal("throughput 2 threads, library: ops/s vs C", Rounds.THREADS2, "pidfd", false, 0.85),
            new Goal("throughput 2 threads, agent: ops/s vs C", Rounds.THREADS2, "agent", false, 0.85),
            new Goal("throughput 4 threads, library: ops/s vs C", Rounds.THREADS4, "pidfd", false, 0.85),
            new Goal("throughput 4 threads, agent: ops/s vs C", Rounds.THREADS4, "agent", false, 0.85));

    /** One goal in one run: the ratio of each round, or why there is none. */
    record Line(Goal goal, List<Double> ratios, String missing) {
        double median() {
            return Row.median(ratios);
        }

        double min() {
            return ratios.stream().mapToDouble(d -> d).min().orElse(Double.NaN);
        }

        double max() {
            return ratios.stream().mapToDouble(d -> d).max().orElse(Double.NaN);
        }

        boolean met(double ratio) {
            return goal.cost ? ratio <= goal.limit : ratio >= goal.limit;
        }

        long roundsMet() {
            return ratios.stream().filter(this::met).count();
        }

        String verdict() {
            return missing != null ? "not run: " + missing : met(median()) ? "met" : "NOT MET";
        }
    }

    private RoundGoals() {
    }

    /** The goals whose contender has rows in {@code rows}. */
    static List<Line> lines(List<Row> rows) {
        List<Line> out = new ArrayList<>();
        for (Goal g : GOALS) {
            Row x = find(rows, g.benchmark, g.contender);
            if (x == null) {
                continue;
            }
            Row c = find(rows, g.benchmark, CReference.C);
            String missing = !x.isRun() ? g.contender : c == null || !c.isRun() ? CReference.C : null;
            if (missing == null && c.samples.size() != x.samples.size()) {
                missing = "not as many rounds as the C reference";  // a hand-edited or truncated file
            }
            List<Double> ratios = new ArrayList<>();
            if (missing == null) {
                for (int i = 0; i < x.samples.size(); i++) {
                    ratios.add(x.samples.get(i) / c.samples.get(i));
                }
            }
            out.add(new Line(g, ratios, missing));
        }
        return out;
    }

    private static Row find(List<Row> rows, String benchmark, String contender) {
        for (Row r : rows) {
            if (r.benchmark.equals(benchmark) && r.contender.equals(contender)) {
                return r;
            }
        }
        return null;
    }

    private static final String[] HEADER = {"goal", "median", "range", "rounds met", "goal", "verdict"};

    private static List<String[]> cells(List<Line> lines) {
        List<String[]> out = new ArrayList<>();
        for (Line l : lines) {
            boolean ok = l.missing == null;
            out.add(new String[] {l.goal.what, ok ? Table.times(l.median()) : "",
                ok ? Table.times(l.min()) + "–" + Table.times(l.max()) : "",
                ok ? l.roundsMet() + " of " + l.ratios.size() : "",
                (l.goal.cost ? "<= " : ">= ") + Table.times(l.goal.limit), l.verdict()});
        }
        return out;
    }

    private static final String NOTE = "each round measures the C reference, the library and the agent one after the"
            + " other (rotating the order); a ratio is the contender's p50 (spawn+wait) or operations per second"
            + " (throughput) over the C reference's of the same round; the goal is judged on the median.";

    /** The goals as a plain-text table, or "" if the run has none of their rows. */
    static String text(List<Row> rows) {
        return Table.goalsText("steady-state goals against the C reference (issue 8), ratios within a round"
                + " (benchmark 8)", HEADER, cells(lines(rows)), 1, 3, NOTE);
    }

    /** The same in Markdown, or "". */
    static String markdown(List<Row> rows) {
        return Table.goalsMarkdown("Steady-state goals against the C reference (issue 8), ratios within a round"
                + " (benchmark 8):", HEADER, new String[] {"---", "---:", "---:", "---:", "---", "---"}, cells(lines(rows)), NOTE);
    }
}
