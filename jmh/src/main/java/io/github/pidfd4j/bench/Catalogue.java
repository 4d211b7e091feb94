package io.github.pidfd4j.bench;

import io.github.pidfd4j.bench.Benchmark.FootprintHarness;
import io.github.pidfd4j.bench.Benchmark.Jmh;
import io.github.pidfd4j.bench.Benchmark.JvmHeap;
import io.github.pidfd4j.bench.Benchmark.Placement;
import io.github.pidfd4j.bench.Benchmark.StartupHarness;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every benchmark, in the order its jobs run and its sections appear (the numbers of jmh/README.md,
 * "What is measured"). The runner and the report both read this list; nothing else names a benchmark.
 */
final class Catalogue {

    private static final List<Contender> ALL = List.of(Contender.JDK, Contender.JDK_VFORK, Contender.PIDFD,
            Contender.AGENT, Contender.C_REFERENCE);
    /** Benchmark 5 also runs the JDK's FORK: it copies the parent's page tables, so it is the one the heap slows. */
    private static final List<Contender> WITH_FORK = List.of(Contender.JDK, Contender.JDK_VFORK, Contender.JDK_FORK,
            Contender.PIDFD, Contender.AGENT, Contender.C_REFERENCE);

    static final List<Benchmark> BENCHMARKS = List.of(
            new Benchmark("1 spawn+wait", 1,
                    "start() of /bin/true or of tiny-true, waitFor(), close the three pipe ends; one thread", ALL,
                    new Jmh(SpawnWaitBenchmark.class, List.of("spawnWait"), Map.of("program", List.of("true", "tiny")),
                            "sample", "us/op", JvmHeap.DEFAULT, p -> p.iterationMillis,
                            cref -> List.of(cref.spawn("true"), cref.spawn("tiny"))),
                    r -> {
                        String p = r.params.getOrDefault("program", "true");
                        return new Placement(1, "spawn + wait",
                                p.equals("true") ? "/bin/true" : p.equals("tiny") ? "tiny-true (static)" : p,
                                p.equals("true") ? 0 : 1);
                    }),
            new Benchmark("2 throughput", 2, "spawn+wait of /bin/true by 1, 2 and 4 threads at once", ALL,
                    new Jmh(ThroughputBenchmark.class, List.of("threads1", "threads2", "threads4"), Map.of(),
                            "thrpt", "ops/s", JvmHeap.DEFAULT, p -> p.iterationMillis,
                            cref -> List.of(cref.throughput(1), cref.throughput(2), cref.throughput(4))),
                    r -> {
                        int t = firstNumber(method(r), r.threads);
                        return new Placement(2, "spawn throughput", t + (t == 1 ? " thread" : " threads"), t);
                    }),
            new Benchmark("3 exit->onExit", 3, "destroyForcibly() of a child until its onExit() future completes", ALL,
                    new Jmh(ExitLatencyBenchmark.class, List.of("exitToOnExit"), Map.of(), "sample", "us/op",
                            JvmHeap.DEFAULT, p -> p.iterationMillis, cref -> List.of(cref.exit())),
                    r -> new Placement(3, "exit -> onExit()", "child, SIGKILL", 0)),
            new Benchmark("4 non-child onExit", 4,
                    "destroyForcibly() of a process that is not our child until ProcessHandle.onExit() completes", ALL,
                    // the JDK polls /proc for non-children: its operations take 300 ms or more
                    new Jmh(NonChildExitBenchmark.class, List.of("nonChildOnExit"), Map.of(), "sample", "us/op",
                            JvmHeap.DEFAULT, p -> p.nonChildIterationMillis, cref -> List.of(cref.nonChild())),
                    r -> new Placement(4, "non-child onExit()", "ProcessHandle.of(pid), SIGKILL", 0)),
            heap("256m"),
            heap("4g"),
            new Benchmark("6 footprint", 6, "threads and resident memory of a JVM with 0 to 10,000 live children", ALL,
                    new FootprintHarness(),
                    r -> {
                        int n = Integer.parseInt(r.params.getOrDefault("n", "0"));
                        String what = method(r).equals("rss") ? "footprint: resident memory" : "footprint: threads";
                        return new Placement(6, what, String.format(Locale.ROOT, "%,d children", n), n);
                    }),
            // One job for every contender: its variants run interleaved (see Startup).
            new Benchmark("7 start-up", 7, "CPU, wall time and peak memory of a fresh JVM that starts /bin/true once or"
                    + " nothing", List.of(Contender.JDK, Contender.PIDFD, Contender.AGENT), new StartupHarness(),
                    Startup::describe),
            new Benchmark("8 steady state in rounds", 8, "benchmarks 1 (tiny-true) and 2 (2 and 4 threads) in"
                    + " interleaved rounds of the C reference, the library and the agent: ratios within a round",
                    Rounds.CONTENDERS, new Benchmark.RoundsHarness(), Rounds::describe));

    /** Benchmark 5: benchmark 1 with tiny-true in a JVM whose whole heap of {@code size} is touched. */
    private static Benchmark heap(String size) {
        return new Benchmark("5 heap " + size, 5, "benchmark 1 with tiny-true, -Xms" + size + " -Xmx" + size
                + " -XX:+AlwaysPreTouch", WITH_FORK,
                new Jmh(HeapBenchmark.class, List.of("spawnWait"), Map.of("heap", List.of(size)), "sample", "us/op",
                        new JvmHeap(size, true), p -> p.iterationMillis, cref -> List.of(cref.heap(size))),
                r -> {
                    String h = r.params.getOrDefault("heap", "?");
                    return new Placement(5, "heap sensitivity", "tiny-true, heap " + h + " touched",
                            HeapBenchmark.parseSize(h.equals("?") ? "0" : h));
                });
    }

    private Catalogue() {
    }

    /** Where {@code row} goes in the table and the chart (section 9 for a row no benchmark claims). */
    static Placement place(Row row) {
        for (Benchmark b : BENCHMARKS) {
            if (b.harness().produced(row)) {
                return b.place().apply(row);
            }
        }
        String cls = row.benchmark.substring(0, Math.max(0, row.benchmark.lastIndexOf('.')));
        return new Placement(9, cls.substring(cls.lastIndexOf('.') + 1) + "." + method(row), row.params.toString(), 0);
    }

    private static String method(Row r) {
        return r.benchmark.substring(r.benchmark.lastIndexOf('.') + 1);
    }

    private static final Pattern NUMBER = Pattern.compile("(\\d+)");

    private static int firstNumber(String s, int otherwise) {
        Matcher m = NUMBER.matcher(s);
        return m.find() ? Integer.parseInt(m.group(1)) : otherwise;
    }
}
