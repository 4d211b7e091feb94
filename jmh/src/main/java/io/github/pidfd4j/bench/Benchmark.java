package io.github.pidfd4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * One entry of the {@link Catalogue}: what it measures, who runs it and how, and where its rows go
 * in the report. The runner ({@link BenchMain}) makes its jobs from it; the report ({@link Report})
 * places its rows with it.
 *
 * @param job       the name of its jobs before {@code " / contender"}: what {@code --only} matches and
 *                  {@code --list} prints, e.g. {@code "1 spawn+wait"}
 * @param section   its number in the table, the chart and jmh/README.md ("What is measured")
 * @param measures  what is measured, in one line
 * @param contenders who runs it, in the order of its jobs
 * @param harness   how it runs: a JMH benchmark, or a harness of its own
 * @param place     the table's "benchmark" and "variant" columns and the chart panel of one of its rows
 */
record Benchmark(String job, int section, String measures, List<Contender> contenders, Harness harness,
                 Function<Row, Placement> place) {

    /** Where a row goes: the section, the title and variant (table columns, chart panel), the order within. */
    record Placement(int section, String title, String variant, double order) {
    }

    /** How a benchmark runs. */
    sealed interface Harness permits Jmh, FootprintHarness, StartupHarness, RoundsHarness {
        /** Whether {@code row} is one of this harness's rows. */
        boolean produced(Row row);
    }

    /**
     * A JMH benchmark: {@code methods} of {@code bench}, every combination of {@code params}, in a JVM
     * with {@code heap}; the C reference runs {@code cReference} instead.
     *
     * @param mode           JMH's mode label ("sample", "thrpt"), for the rows of jobs that did not run
     * @param unit           the unit of its scores
     * @param iterationMillis the length of a measurement iteration in a profile
     */
    record Jmh(Class<?> bench, List<String> methods, Map<String, List<String>> params, String mode, String unit,
               JvmHeap heap, ToIntFunction<Profile> iterationMillis, CRun cReference) implements Harness {

        @Override
        public boolean produced(Row row) {
            return row.benchmark.startsWith(bench.getName() + ".");
        }

        /** The rows that a job of this benchmark would have produced, marked not run. */
        List<Row> notRun(Contender c, String why) {
            List<Row> rows = new ArrayList<>();
            for (String m : methods) {
                for (Map<String, String> v : combinations()) {
                    rows.add(Row.notRun(bench.getName() + "." + m, v, c.id(), mode, unit, why));
                }
            }
            return rows;
        }

        private List<Map<String, String>> combinations() {
            List<Map<String, String>> all = new ArrayList<>();
            all.add(Map.of());
            for (Map.Entry<String, List<String>> p : params.entrySet()) {
                List<Map<String, String>> next = new ArrayList<>();
                for (Map<String, String> v : all) {
                    for (String value : p.getValue()) {
                        Map<String, String> nv = new LinkedHashMap<>(v);
                        nv.put(p.getKey(), value);
                        next.add(nv);
                    }
                }
                all = next;
            }
            return all;
        }
    }

    /** What the C reference runs for a JMH benchmark. */
    interface CRun {
        List<Row> run(CReference cref) throws Exception;
    }

    /**
     * The heap of the benchmarked JVM: {@code -Xms} and {@code -Xmx} of {@code size}, and with
     * {@code preTouch} every page touched at start ({@code -XX:+AlwaysPreTouch}).
     */
    record JvmHeap(String size, boolean preTouch) {
        /** What every benchmarked JVM gets unless its benchmark is about the heap. */
        static final JvmHeap DEFAULT = new JvmHeap("256m", false);

        List<String> flags() {
            List<String> f = new ArrayList<>(List.of("-Xms" + size, "-Xmx" + size));
            if (preTouch) {
                f.add("-XX:+AlwaysPreTouch");
            }
            return f;
        }
    }

    /** {@link Footprint} in a JVM per contender ({@code cref footprint} for the C reference); it raises the load. */
    record FootprintHarness() implements Harness {
        @Override
        public boolean produced(Row row) {
            return row.benchmark.equals(Footprints.THREADS) || row.benchmark.equals(Footprints.RSS);
        }
    }

    /** {@link Startup}: one job for all its variants, which run interleaved. */
    record StartupHarness() implements Harness {
        @Override
        public boolean produced(Row row) {
            return row.benchmark.equals(Startup.CPU) || row.benchmark.equals(Startup.WALL)
                    || row.benchmark.equals(Startup.RSS);
        }
    }

    /** {@link Rounds}: one job for the C reference, the library and the agent, in interleaved rounds. */
    record RoundsHarness() implements Harness {
        @Override
        public boolean produced(Row row) {
            return row.benchmark.equals(Rounds.SPAWN) || row.benchmark.equals(Rounds.THREADS2)
                    || row.benchmark.equals(Rounds.THREADS4);
        }
    }
}
