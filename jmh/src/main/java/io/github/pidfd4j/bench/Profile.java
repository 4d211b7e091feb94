package io.github.pidfd4j.bench;

import java.util.List;

/** How long each measurement runs: {@code short} by default, {@code full} with --full, {@code smoke} for tests. */
public final class Profile {

    public final String name;
    public final int forks;
    /** Latency (SampleTime) and throughput benchmarks: iterations and their length. */
    public final int warmupIterations;
    public final int warmupMillis;
    public final int iterations;
    public final int iterationMillis;
    /** Benchmark 4, whose JDK operations take 300 ms or more: longer iterations. */
    public final int nonChildIterationMillis;
    /** Benchmark 6: live children at each level. */
    public final List<Integer> footprintLevels;
    /** Benchmark 7, start-up: discarded rounds (page cache), then measured rounds; one fresh JVM per variant each. */
    public final int startupWarmups;
    public final int startupRuns;
    /**
     * Benchmark 8: how many interleaved rounds, and what each contender runs in a round (one fork,
     * short iterations; null in a round's own profile).
     */
    public final int rounds;
    public final Profile round;

    private Profile(String name, int forks, int warmupIterations, int warmupMillis, int iterations,
                    int iterationMillis, int nonChildIterationMillis, List<Integer> footprintLevels, int startupWarmups,
                    int startupRuns, int rounds, Profile round) {
        this.name = name;
        this.forks = forks;
        this.warmupIterations = warmupIterations;
        this.warmupMillis = warmupMillis;
        this.iterations = iterations;
        this.iterationMillis = iterationMillis;
        this.nonChildIterationMillis = nonChildIterationMillis;
        this.footprintLevels = footprintLevels;
        this.startupWarmups = startupWarmups;
        this.startupRuns = startupRuns;
        this.rounds = rounds;
        this.round = round;
    }

    /** The profile of one round of benchmark 8: one fork, 3 s of warm-up (2 s left JIT-compiled code still settling), then {@code iterations}. */
    private static Profile round(String name, int iterations) {
        return new Profile(name + " round", 1, 3, 1000, iterations, 1000, 1000, List.of(), 0, 0, 0, null);
    }

    public static final Profile SHORT = new Profile("short", 1, 2, 1000, 3, 1000, 2000, List.of(0, 100, 1_000, 10_000), 1, 7,
            3, round("short", 2));
    public static final Profile FULL = new Profile("full", 2, 2, 2000, 5, 2000, 4000, List.of(0, 100, 1_000, 10_000), 1, 15,
            7, round("full", 3));
    public static final Profile SMOKE = new Profile("smoke", 1, 0, 100, 1, 200, 400, List.of(0, 5), 0, 2,
            1, new Profile("smoke round", 1, 0, 100, 1, 200, 200, List.of(), 0, 0, 0, null));

    @Override
    public String toString() {
        return String.format("%s: %d fork(s), warm-up %d x %d ms, measurement %d x %d ms (non-child: %d ms), footprint N=%s,"
                + " start-up %d run(s) per variant%s",
                name, forks, warmupIterations, warmupMillis, iterations, iterationMillis, nonChildIterationMillis,
                footprintLevels, startupRuns, round == null ? "" : String.format(", steady state in rounds: %d x (%d x %d ms"
                        + " warm-up, %d x %d ms)", rounds, round.warmupIterations, round.warmupMillis, round.iterations,
                        round.iterationMillis));
    }
}
