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
import org.openjdk.jmh.annotations.Threads;

/**
 * Benchmark 2: spawn throughput under concurrency: 1, 2 and 4 threads each starting /bin/true,
 * waiting for it and closing its pipes, in a loop. Scores are operations per second, all threads
 * together.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ThroughputBenchmark {

    @Param({"jdk", "pidfd"})
    public String contender;

    private Contender c;
    private ProcessBuilder pb;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        c = Contender.of(contender);
        c.verify();
        pb = new ProcessBuilder("/bin/true");
    }

    @Benchmark
    @Threads(1)
    public Process threads1() throws Exception {
        return Spawns.startAndWait(pb, c);
    }

    @Benchmark
    @Threads(2)
    public Process threads2() throws Exception {
        return Spawns.startAndWait(pb, c);
    }

    @Benchmark
    @Threads(4)
    public Process threads4() throws Exception {
        return Spawns.startAndWait(pb, c);
    }
}
