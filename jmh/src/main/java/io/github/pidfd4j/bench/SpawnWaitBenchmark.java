package io.github.pidfd4j.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Benchmark 1: spawn + wait latency, one thread. One operation is {@code start()} of /bin/true (or
 * the static tiny-true), {@code waitFor()}, and closing the three pipe ends.
 */
@State(Scope.Thread)
public class SpawnWaitBenchmark {

    /** Set by {@link BenchMain} together with the JVM flags the contender needs. */
    @Param({"jdk", "pidfd"})
    public String contender;

    /** {@code true}: /bin/true (dynamic, libc start-up); {@code tiny}: tiny-true (static, no libc). */
    @Param({"true", "tiny"})
    public String program;

    private Contender c;
    private ProcessBuilder pb;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        c = Contender.of(contender);
        c.verify();
        pb = new ProcessBuilder(NativeTools.program(program));
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Process spawnWait() throws Exception {
        return Spawns.startAndWait(pb, c);
    }
}
