package io.github.pidfd4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns the lines of {@link Footprint} and {@code cref footprint} into rows. */
final class Footprints {

    static final String THREADS = Footprint.class.getName() + ".threads";
    static final String RSS = Footprint.class.getName() + ".rss";

    private Footprints() {
    }

    /**
     * {@code F <n> <threads> <rss_kb> [java threads]} for a reached level; {@code X <n> <reason>} for
     * one that could not be reached (it becomes a not-run row).
     */
    static List<Row> parse(List<String> lines, String contender) {
        List<Row> rows = new ArrayList<>();
        for (String l : lines) {
            String[] f = l.trim().split("\\s+", 3);
            if (f[0].equals("F")) {
                String[] v = l.trim().split("\\s+");
                Map<String, String> n = Map.of("n", v[1]);
                rows.add(Row.measured(THREADS, n, contender, "footprint", Double.parseDouble(v[2]), Double.NaN,
                        "threads", Double.NaN, Double.NaN));
                rows.add(Row.measured(RSS, n, contender, "footprint", Double.parseDouble(v[3]) / 1024.0, Double.NaN,
                        "MB", Double.NaN, Double.NaN));
            } else if (f[0].equals("X") && f.length == 3) {
                Map<String, String> n = Map.of("n", f[1]);
                rows.add(Row.notRun(THREADS, n, contender, "footprint", "threads", f[2]));
                rows.add(Row.notRun(RSS, n, contender, "footprint", "MB", f[2]));
            }
        }
        return rows;
    }
}
