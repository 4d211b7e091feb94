package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.pidfd4j.linux.LogCapture;
import io.github.pidfd4j.linux.TestProviders;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * 64 threads spawning at once, with pipes, reading while other children are destroyed under their
 * readers: every byte and every exit code as the child made them, and nothing left behind.
 */
class StormTest {

    /** pidfd4j.storm.rounds: spawns per thread; the soak profile raises it. */
    private static final int ROUNDS = Integer.getInteger("pidfd4j.storm.rounds", 3);
    /** pidfd4j.storm.listings: children that list their descriptors amid the spawning. */
    private static final int LISTINGS = Integer.getInteger("pidfd4j.storm.listings", 20);
    private static final int THREADS = 64;
    /** pidfd4j.storm.killRounds: rounds of 200 children killed at once; the soak profile raises it. */
    private static final int KILL_ROUNDS = Integer.getInteger("pidfd4j.storm.killRounds", 2);

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void sixtyFourThreadsOfSpawnsPipesAndDestroysDuringReads(ProcessProvider provider) throws Exception {
        for (int i = 0; i < 20; i++) {  // warm up: lazily created threads, descriptors and classes
            Proc.run(provider, new ProcessBuilder("true"));
        }
        settle();
        long fds = Proc.openFds();
        java.util.Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
        List<String> pidfd4jBefore = pidfd4jThreads();
        AtomicInteger spawns = new AtomicInteger();
        AtomicInteger destroyed = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger live = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        long t0 = System.nanoTime();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    Random random = new Random(id);
                    for (int i = 0; i < ROUNDS; i++) {
                        live.incrementAndGet();
                        peak.accumulateAndGet(live.get(), Math::max);
                        try {
                            switch ((id + i) % 3) {
                                case 0 -> echoBack(provider, random);
                                case 1 -> exitCodeAndStderr(provider, id, i);
                                default -> destroyDuringRead(provider);
                            }
                        } finally {
                            live.decrementAndGet();
                        }
                        spawns.incrementAndGet();
                        if ((id + i) % 3 == 2) {
                            destroyed.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.MINUTES);  // the JUnit timeout is the guard (180 s, 30 min in the soak profile)
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        settle();
        System.out.printf("[pidfd4j-figure] storm %s: %d threads, %d spawns, %d destroyed during reads, peak %d live, %d ms%n",
                provider, THREADS, spawns.get(), destroyed.get(), peak.get(), millis);
        assertEquals(THREADS * ROUNDS, spawns.get());
        assertTrue(Proc.eventually(5_000, () -> openFds() <= fds), "descriptors: " + fds + " before, " + openFds() + " after");
        // The pool's 64 threads are gone, and pidfd4j's stream closers idle out after 5 s. The JDK's idle
        // reapers (60 s keep-alive) and the common pool's workers may stay; they are the JDK's.
        assertTrue(Proc.eventually(15_000, () -> newThreads(threadsBefore).isEmpty()), "new threads: " + newThreads(threadsBefore));
        List<String> ours = pidfd4jThreads();
        assertTrue(Proc.eventually(10_000, () -> pidfd4jThreads().size() <= pidfd4jBefore.size() + 1),
                "pidfd4j threads before: " + pidfd4jBefore + ", after: " + ours);
        assertEquals(0, Proc.zombies(), "zombies");
        assertEquals(0, TestProviders.watched(), "processes still watched");
    }

    /**
     * Children killed all at once, then waited for one by one, as CI's ManyChildrenApp does under the
     * agent: each waitFor() borrows its child's watch while the watcher handles the other exits, the
     * race in which a warning once got out. Every exit value is SIGKILL's, as under the JDK, nothing
     * stays watched or open, and nothing is said.
     */
    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void childrenKilledAtOnceThenAwaitedOneByOne(ProcessProvider provider) throws Exception {
        settle();
        long fds = Proc.openFds();
        try (LogCapture log = LogCapture.warnings()) {
            for (int round = 0; round < KILL_ROUNDS; round++) {
                List<Process> children = new ArrayList<>();
                try {
                    for (int i = 0; i < 200; i++) {
                        children.add(provider.start(new ProcessBuilder("sleep", "60").redirectInput(new File("/dev/null"))
                                .redirectOutput(Redirect.DISCARD).redirectError(Redirect.DISCARD)));
                    }
                } finally {
                    children.forEach(Process::destroyForcibly);
                }
                Set<Integer> exits = new TreeSet<>();
                for (Process p : children) {
                    exits.add(p.waitFor());
                }
                assertEquals(Set.of(128 + 9), exits, "round " + round);
            }
            settle();
            assertEquals(List.of(), log.said());
        }
        assertEquals(0, TestProviders.watched(), "processes still watched");
        assertTrue(Proc.eventually(5_000, () -> openFds() <= fds), "descriptors: " + fds + " before, " + openFds() + " after");
    }

    /** cat: more than a pipe's buffer in and out at the same time, compared byte for byte. */
    private static void echoBack(ProcessProvider provider, Random random) throws Exception {
        byte[] data = new byte[70_000 + random.nextInt(70_000)];
        random.nextBytes(data);
        Process p = provider.start(new ProcessBuilder("cat"));
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream out = p.getOutputStream()) {
                out.write(data);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] back = p.getInputStream().readAllBytes();
        writer.get(60, TimeUnit.SECONDS);
        assertEquals(0, p.waitFor());
        assertArrayEquals(data, back, "cat's output");
    }

    /** A code of its own, some stdout and stderr. */
    private static void exitCodeAndStderr(ProcessProvider provider, int id, int i) throws Exception {
        int code = (id * 31 + i) % 256;
        Proc.Result r = Proc.run(provider, new ProcessBuilder("/bin/sh", "-c", "echo out $0; echo err $0 >&2; exit $1",
                id + "/" + i, Integer.toString(code)));
        assertEquals("out " + id + "/" + i + "\n", r.out());
        assertEquals("err " + id + "/" + i + "\n", r.err());
        assertEquals(code, r.exit());
    }

    /** destroy() while another thread is blocked reading the child's output: SIGTERM's 143, the bytes so far. */
    private static void destroyDuringRead(ProcessProvider provider) throws Exception {
        Process p = provider.start(new ProcessBuilder("/bin/sh", "-c", "echo ready; exec sleep 60"));
        InputStream in = p.getInputStream();
        byte[] ready = new byte[6];
        assertEquals(6, in.readNBytes(ready, 0, 6));
        assertEquals("ready\n", new String(ready));
        AtomicBoolean reading = new AtomicBoolean();
        CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
            reading.set(true);
            try {
                return in.read();  // blocks until the child is gone: then end of stream, as with the JDK
            } catch (IOException e) {
                return -2;  // "Stream closed", if the stream was drained and closed first (the JDK may too)
            }
        });
        Proc.eventually(1_000, reading::get);
        p.destroy();
        assertEquals(143, p.waitFor());
        int last = reader.get(60, TimeUnit.SECONDS);
        assertTrue(last == -1 || last == -2, "read after destroy: " + last);
        p.getOutputStream().close();
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void childrenSeeOnlyTheirStandardDescriptorsWhileOthersSpawnWithPipes(ProcessProvider provider) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> noise = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                noise.add(pool.submit(() -> {
                    while (!stop.get()) {
                        Process p = provider.start(new ProcessBuilder("cat"));
                        p.getOutputStream().write('x');
                        p.getOutputStream().close();
                        assertEquals('x', p.getInputStream().read());
                        assertEquals(0, p.waitFor());
                    }
                    return null;
                }));
            }
            // ls opens one descriptor of its own (3) to read the directory; no pipe end of a sibling spawned
            // at the same moment may leak into it.
            for (int i = 0; i < LISTINGS; i++) {
                assertEquals("0\n1\n2\n3\n", Proc.run(provider, new ProcessBuilder("ls", "/proc/self/fd")).out(), "round " + i);
            }
            stop.set(true);
            for (Future<?> f : noise) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
    }

    /**
     * Until every child is reaped. Streams still being closed on other threads only raise a count taken
     * now, so a baseline stays honest, and the checks after a run wait for the closing (eventually).
     */
    private static void settle() throws InterruptedException {
        Proc.eventually(10_000, () -> TestProviders.watched() == 0 && Proc.zombies() == 0);
    }

    private static long openFds() {
        try {
            return Proc.openFds();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    private static List<String> pidfd4jThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith("pidfd4j-")).sorted().toList();
    }

    private static List<String> newThreads(java.util.Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t)).map(Thread::getName)
                .filter(n -> !n.startsWith("process reaper") && !n.startsWith("ForkJoinPool.commonPool-worker")).sorted().toList();
    }
}
