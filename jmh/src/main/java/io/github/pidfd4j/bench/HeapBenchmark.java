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
 * Benchmark 5: heap-size sensitivity. The same spawn + wait as benchmark 1, of the static
 * tiny-true (so that the spawn itself dominates), in a JVM whose heap is small or large and fully
 * touched ({@code -Xms} = {@code -Xmx}, {@code -XX:+AlwaysPreTouch}): FORK copies the page tables of
 * the whole heap, so its cost grows with it; vfork-like paths must stay flat. {@code heap} only
 * labels the run: {@link BenchMain} passes the matching flags, and the set-up checks them.
 */
@State(Scope.Thread)
public class HeapBenchmark {

    @Param({"jdk", "pidfd"})
    public String contender;

    /** The heap of this run, e.g. {@code 256m} or {@code 4g}; the JVM must have been started with it. */
    @Param({"256m"})
    public String heap;

    private Contender c;
    private ProcessBuilder pb;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        long expected = parseSize(heap);
        long max = Runtime.getRuntime().maxMemory();
        if (Math.abs(max - expected) > expected / 8) {
            throw new IllegalStateException("heap=" + heap + " but this JVM has -Xmx of " + (max >> 20)
                    + " MB; run through BenchMain, or pass -Xms" + heap + " -Xmx" + heap + " -XX:+AlwaysPreTouch");
        }
        c = Contender.of(contender);
        c.verify();
        pb = new ProcessBuilder(NativeTools.tinyTrue());
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Process spawnWait() throws Exception {
        return Spawns.startAndWait(pb, c);
    }

    /** "256m", "4g", "512k" or a number of bytes. */
    static long parseSize(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        long mul = 1;
        switch (t.charAt(t.length() - 1)) {
            case 'k': mul = 1L << 10; break;
            case 'm': mul = 1L << 20; break;
            case 'g': mul = 1L << 30; break;
            default: break;
        }
        return Long.parseLong(mul == 1 ? t : t.substring(0, t.length() - 1)) * mul;
    }
}
