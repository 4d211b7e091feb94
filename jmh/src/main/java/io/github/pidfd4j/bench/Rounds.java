package io.github.pidfd4j.bench;

import io.github.pidfd4j.bench.Benchmark.Jmh;
import io.github.pidfd4j.bench.Benchmark.JvmHeap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Benchmark 8, the steady-state goals of issue 8 in interleaved rounds: benchmark 1 with tiny-true
 * (p50) and benchmark 2 at 2 and 4 threads (operations per second), for the C reference, the library
 * and the agent. Benchmarks 1 and 2 run each contender once, minutes apart, on a machine whose load
 * may change meanwhile (a full run has seen its load average go from 0.3 to 71 on 2 CPUs); their
 * "vs C" ratios then mix the contenders' costs with the machine's drift. Here every round measures
 * all three, one short JMH fork (or cref run) each, in an order that rotates from round to round,
 * and a ratio is taken within a round; the report shows the median of those ratios and their range
 * ({@link RoundGoals}). Each row keeps its contender's measurement of every round, in round order.
 */
final class Rounds {

    static final String SPAWN = Rounds.class.getName() + ".spawnWaitTiny";
    static final String THREADS2 = Rounds.class.getName() + ".threads2";
    static final String THREADS4 = Rounds.class.getName() + ".threads4";
    /** The JSON mode of the rows; they carry every round as JMH's {@code rawData}. */
    static final String MODE = "rounds";
    /** Who runs, in the first round's order; the C reference is every ratio's denominator. */
    static final List<Contender> CONTENDERS = List.of(Contender.C_REFERENCE, Contender.PIDFD, Contender.AGENT);

    private static final Jmh SPAWN_JMH = new Jmh(SpawnWaitBenchmark.class, List.of("spawnWait"),
            Map.of("program", List.of("tiny")), "sample", "us/op", JvmHeap.DEFAULT, p -> p.iterationMillis, null);
    private static final Jmh THROUGHPUT_JMH = new Jmh(ThroughputBenchmark.class, List.of("threads2", "threads4"),
            Map.of(), "thrpt", "ops/s", JvmHeap.DEFAULT, p -> p.iterationMillis, null);

    private final Profile profile;
    private final JmhRunner jmh;
    private final CReference cref;
    private final Path logs;
    private final Function<Contender, String> problem;

    /** @param problem why a contender cannot run here, or null */
    Rounds(Profile profile, TargetJvm jvm, JvmFlags flags, Path logs, Function<Contender, String> problem) {
        this.profile = profile;
        this.jmh = new JmhRunner(profile.round, jvm, flags);  // its JSON is not written: the rows keep every round
        this.logs = logs.resolve("rounds");
        this.cref = new CReference(profile.round, this.logs.resolve("c-reference.log"));
        this.problem = problem;
    }

    /** Whether the job runs for these contenders: the C reference and at least one of pidfd4j's. */
    static boolean wanted(List<Contender> contenders) {
        return contenders.contains(Contender.C_REFERENCE)
                && (contenders.contains(Contender.PIDFD) || contenders.contains(Contender.AGENT));
    }

    List<Row> run(List<Contender> contenders) throws Exception {
        Files.createDirectories(logs);
        List<Row> rows = new ArrayList<>();
        List<Contender> running = new ArrayList<>();
        for (Contender c : CONTENDERS) {
            if (!contenders.contains(c)) {
                continue;
            }
            String why = problem.apply(c);
            if (why != null) {
                rows.addAll(notRun(c, why));
            } else {
                running.add(c);
            }
        }
        if (!running.contains(Contender.C_REFERENCE)) {
            throw new IllegalStateException("the C reference cannot run: " + problem.apply(Contender.C_REFERENCE));
        }
        Map<Contender, List<double[]>> measured = new LinkedHashMap<>();
        running.forEach(c -> measured.put(c, new ArrayList<>()));
        for (int round = 0; round < profile.rounds; round++) {
            for (int k = 0; k < running.size(); k++) {
                // rotated: each contender goes first, second and last in turn
                Contender c = running.get((k + round) % running.size());
                measured.get(c).add(measure(c, round));
            }
        }
        for (Map.Entry<Contender, List<double[]>> e : measured.entrySet()) {
            String[] benches = {SPAWN, THREADS2, THREADS4};
            for (int i = 0; i < benches.length; i++) {
                List<Double> samples = new ArrayList<>();
                for (double[] m : e.getValue()) {
                    samples.add(m[i]);
                }
                rows.add(Row.ofSamples(benches[i], Map.of(), e.getKey().id(), MODE, i == 0 ? "us/op" : "ops/s", samples));
            }
        }
        return rows;
    }

    /** One contender in one round: {spawn+wait p50 µs, ops/s at 2 threads, ops/s at 4 threads}. */
    private double[] measure(Contender c, int round) throws Exception {
        if (c == Contender.C_REFERENCE) {
            return new double[] {cref.spawn("tiny").p50, cref.throughput(2).score, cref.throughput(4).score};
        }
        String base = c.id() + "-" + (round + 1);
        Row spawn = one(jmh.run(SPAWN_JMH, c, logs.resolve(base + "-spawn.log"), logs.resolve(base + "-spawn.stderr.log")),
                "spawnWait");
        List<Row> thr = jmh.run(THROUGHPUT_JMH, c, logs.resolve(base + "-throughput.log"),
                logs.resolve(base + "-throughput.stderr.log"));
        return new double[] {spawn.p50, one(thr, "threads2").score, one(thr, "threads4").score};
    }

    private static Row one(List<Row> rows, String method) {
        for (Row r : rows) {
            if (r.benchmark.endsWith("." + method) && r.isRun()) {
                return r;
            }
        }
        throw new IllegalStateException("JMH returned no result for " + method + ": " + rows);
    }

    static List<Row> notRun(Contender c, String why) {
        return List.of(Row.notRun(SPAWN, Map.of(), c.id(), MODE, "us/op", why),
                Row.notRun(THREADS2, Map.of(), c.id(), MODE, "ops/s", why),
                Row.notRun(THREADS4, Map.of(), c.id(), MODE, "ops/s", why));
    }

    // ---- how the report shows it -----------------------------------------------------------------

    static Benchmark.Placement describe(Row r) {
        if (r.benchmark.equals(SPAWN)) {
            return new Benchmark.Placement(8, "in rounds: spawn + wait", "tiny-true, p50 of each round", 0);
        }
        boolean two = r.benchmark.equals(THREADS2);
        return new Benchmark.Placement(8, "in rounds: throughput", (two ? "2" : "4") + " threads, each round", two ? 1 : 2);
    }
}
