package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.pidfd4j.linux.TestProviders;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Many spawns, sequential and concurrent: no descriptor, thread or zombie may accumulate. */
class LoadTest {

    /** pidfd4j.sequentialSpawns: 10,000 by default; the soak profile raises it. */
    private static final int SEQUENTIAL = Integer.getInteger("pidfd4j.sequentialSpawns", 10_000);

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void sequentialSpawnsLeaveNothingBehind(ProcessProvider provider) throws Exception {
        for (int i = 0; i < 50; i++) {  // warm up: lazily created threads, descriptors and classes
            provider.start(new ProcessBuilder("true")).waitFor();
        }
        settle();
        long fds = Proc.openFds();
        int threads = threads();
        List<String> pidfd4jBefore = pidfd4jThreads();
        // The full count on the path this machine uses; the fallback tiers share everything but the
        // clone call, so a fifth of it shows any accumulation there and keeps mvn verify in budget.
        int n = provider != Contenders.JDK && provider.spawnPath() == ProcessProviders.provider().spawnPath()
                ? SEQUENTIAL : Math.min(SEQUENTIAL, 2_000);
        for (int i = 0; i < n; i++) {
            Process p = provider.start(new ProcessBuilder("true"));
            assertEquals(0, p.waitFor());
        }
        settle();
        // Streams of exited children are closed on other threads a moment after the exit: wait for it.
        assertTrue(Proc.eventually(20_000, () -> openFds() <= fds), "descriptors: " + fds + " before, " + openFds() + " after " + n + " spawns");
        // Other tests' idle JDK reapers come and go (60 s keep-alive); a leak would be thousands.
        assertTrue(threads() <= threads + 4, "threads: " + threads + " before, " + threads() + " after " + n + " spawns");
        List<String> ours = pidfd4jThreads();
        assertTrue(ours.size() <= pidfd4jBefore.size() + 1, "pidfd4j threads before: " + pidfd4jBefore + ", after: " + ours);
        assertEquals(0, Proc.zombies(), "zombies");
        assertEquals(0, TestProviders.watched(), "processes still watched");
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void concurrentSpawnsFromManyThreads(ProcessProvider provider) throws Exception {
        int threads = 16;
        int each = 40;
        settle();
        long fds = Proc.openFds();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        String tag = id + "/" + i;
                        Proc.Result r = Proc.run(provider, new ProcessBuilder("/bin/sh", "-c", "echo \"$0\"; exit $1", tag, Integer.toString(i % 7)));
                        assertEquals(tag + "\n", r.out());
                        assertEquals(i % 7, r.exit());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        settle();
        assertTrue(Proc.eventually(20_000, () -> openFds() <= fds), "descriptors: " + fds + " before, " + openFds() + " after");
        assertEquals(0, Proc.zombies());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void forgottenProcessesAreStillReaped(ProcessProvider provider) throws Exception {
        settle();
        long fds = Proc.openFds();
        for (int i = 0; i < 200; i++) {
            provider.start(new ProcessBuilder("true"));  // never waited for, never closed
        }
        System.gc();
        assertTrue(Proc.eventually(20_000, () -> Proc.zombies() == 0 && TestProviders.watched() == 0), "all reaped");
        assertTrue(Proc.eventually(20_000, () -> openFds() <= fds), "descriptors: " + fds + " before, " + openFds() + " after");
    }

    /**
     * Until every child is reaped. Streams still being closed on other threads only raise a count taken
     * now, so a baseline stays honest, and the checks after a run wait for the closing (eventually).
     */
    private static void settle() throws InterruptedException {
        Proc.eventually(5_000, () -> TestProviders.watched() == 0 && Proc.zombies() == 0);
    }

    private static long openFds() {
        try {
            return Proc.openFds();
        } catch (java.io.IOException e) {
            return Long.MAX_VALUE;
        }
    }

    private static List<String> pidfd4jThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith("pidfd4j-")).sorted().toList();
    }

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }
}
