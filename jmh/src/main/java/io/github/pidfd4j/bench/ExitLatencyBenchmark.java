package io.github.pidfd4j.bench;

import java.util.concurrent.CompletableFuture;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * Benchmark 3: exit-notification latency. Before each operation (not timed) a sleeper (tiny-pause)
 * is started and {@code onExit()} is called; the timed operation is {@code destroyForcibly()} (t0,
 * SIGKILL) up to the completion of that {@code onExit()} future as seen by the benchmark thread (t1).
 * It contains the kill, the kernel's teardown of the child, the wake-up of whoever waits for it
 * (JDK: the child's reaper thread; pidfd4j: the one epoll thread), the reap, and the hand-off of
 * the completion to the common pool.
 */
@State(Scope.Thread)
public class ExitLatencyBenchmark {

    @Param({"jdk", "pidfd"})
    public String contender;

    private Contender c;
    private ProcessBuilder pb;
    private Process child;
    private CompletableFuture<Process> exited;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        c = Contender.of(contender);
        c.verify();
        pb = new ProcessBuilder(NativeTools.tinyPause());
    }

    @Setup(Level.Invocation)
    public void startChild() throws Exception {
        child = c.start(pb);
        exited = child.onExit();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Process exitToOnExit() {
        child.destroyForcibly();
        return exited.join();
    }

    @TearDown(Level.Invocation)
    public void closeChild() throws Exception {
        if (child != null) {
            child.destroyForcibly();  // only matters if the operation failed
            child.waitFor();
            Spawns.closeStreams(child);
            child = null;
        }
    }
}
