package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.pidfd4j.linux.TestProviders;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ExitInfo}: a feature the JDK lacks, so these run on the pidfd contenders and check values
 * that a provider which filled nothing in (or the wrong field) would fail.
 */
class ExitInfoTest {

    /** Burns some tens of milliseconds of CPU in the shell itself (no child of its own). */
    private static final String BURN = "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done";

    private static ExitInfo exitOf(Process p) throws Exception {
        return ExitInfo.of(p).get(30, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void cpuTimesOfABusyChildArePlausible(ProcessProvider provider) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        Process p = provider.start(new ProcessBuilder("/bin/sh", "-c", BURN));
        ExitInfo exit = exitOf(p);
        assertEquals(0, p.waitFor());
        assertEquals(p.pid(), exit.pid());
        assertTrue(exit.isStatusKnown());
        assertEquals(OptionalInt.of(0), exit.exitCode());
        Duration user = exit.userCpuDuration().orElseThrow();
        Duration system = exit.systemCpuDuration().orElseThrow();
        Duration cpu = user.plus(system);
        System.out.printf("[pidfd4j-figure] busy child %s: %s%n", provider, exit);
        assertTrue(user.compareTo(Duration.ofMillis(1)) > 0, () -> "user CPU of a busy loop: " + exit);
        // The child ran at most wall time on each core (plus the clock's granularity).
        Duration bound = exit.wallDuration().multipliedBy(Runtime.getRuntime().availableProcessors())
                .plusMillis(20);
        assertTrue(cpu.compareTo(bound) <= 0, () -> "CPU " + cpu + " over wall x cores: " + exit);
        // The kernel's figure for a small child is the JVM's own peak (inherited at the exec): not told.
        assertTrue(exit.peakResidentBytes().isEmpty(), () -> "a shell's peak RSS is the JVM's, not its own: " + exit);
    }

    @Test  // one path: the figure is the kernel's, whatever the clone; touching the memory takes seconds here
    void theOwnPeakOfAChildLargerThanTheJvmIsTold() throws Exception {
        ProcessProvider provider = Contenders.anyPidfd();
        long jvmPeak = Long.parseLong(Proc.status(ProcessHandle.current().pid(), "VmHWM").replace("kB", "").trim()) * 1024;
        // dd reads into one buffer of this size, which becomes resident: 256 MB above the JVM's own peak
        // (which grows over the suite: 490 MB after the load tests here), so the figure is the child's.
        long size = Math.max(256L << 20, jvmPeak + (256L << 20)) & ~((1L << 20) - 1);
        assumeTrue(size <= (2L << 30), () -> "this JVM's own peak is too large for the test: " + jvmPeak);
        Process p = provider.start(new ProcessBuilder("dd", "if=/dev/zero", "of=/dev/null", "bs=" + size, "count=1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD));
        ExitInfo exit = exitOf(p);
        assertEquals(0, p.waitFor());
        long rss = exit.peakResidentBytes().orElseThrow(() -> new AssertionError("no peak for a child of " + size + " bytes: " + exit));
        assertTrue(rss >= size && rss < size + (256L << 20), () -> "the peak RSS of dd bs=" + size + ": " + exit);
        assertEquals(0, rss % 1024, "ru_maxrss is in KiB");
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void exitCodeAndWallTime(ProcessProvider provider) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        Process p = provider.start(new ProcessBuilder("/bin/sh", "-c", "sleep 0.2; exit 42"));
        ExitInfo exit = exitOf(p);
        assertEquals(42, exit.exitValue());
        assertEquals(OptionalInt.of(42), exit.exitCode());
        assertEquals(OptionalInt.empty(), exit.signal());
        assertFalse(exit.coreDumped());
        assertTrue(exit.wallDuration().compareTo(Duration.ofMillis(200)) >= 0, () -> "wall time of a 0.2 s sleep: " + exit);
        assertEquals(p.exitValue(), exit.exitValue());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void aKilledChildShowsItsSignal(ProcessProvider provider) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        Process p = provider.start(new ProcessBuilder("sleep", "60"));
        CompletableFuture<ExitInfo> future = ExitInfo.of(p);
        assertFalse(future.isDone(), "not before the exit");
        p.destroyForcibly();
        ExitInfo exit = future.get(30, TimeUnit.SECONDS);
        assertEquals(OptionalInt.of(9), exit.signal());
        assertEquals(OptionalInt.empty(), exit.exitCode());
        assertEquals(128 + 9, exit.exitValue());
        assertEquals(p.waitFor(), exit.exitValue());
        assertTrue(exit.isStatusKnown());
        assertTrue(exit.toString().contains("signal=9"), exit::toString);
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void aValueLookedUpTwiceIsEqualButTheFuturesAreTheCallers(ProcessProvider provider) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        Process p = provider.start(new ProcessBuilder("true"));
        CompletableFuture<ExitInfo> first = ExitInfo.of(p);
        first.cancel(false);  // the caller's own future: the next lookup is unaffected
        p.waitFor();
        CompletableFuture<ExitInfo> second = ExitInfo.of(p);
        assertNotSame(first, second);
        ExitInfo a = second.get(30, TimeUnit.SECONDS);
        ExitInfo b = exitOf(p);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(a.toString(), b.toString());
        assertNotEquals(a, exitOf(provider.start(new ProcessBuilder("true"))));
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void dependentsDoNotRunOnTheWatcher(ProcessProvider provider) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        Process p = provider.start(new ProcessBuilder("sleep", "0.2"));
        String thread = ExitInfo.of(p).thenApply(e -> Thread.currentThread().getName()).get(30, TimeUnit.SECONDS);
        assertFalse(thread.startsWith("pidfd4j"), thread);
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void aChildReapedElsewhereHasItsStatusButNoUsage(ProcessProvider provider) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        assumeTrue(TestProviders.kernelKeepsExitStatus(), "kernel without PIDFD_INFO_EXIT (Linux 6.15+)");
        Proc.run(provider, new ProcessBuilder("true"));  // past pidfd4j's one-time SIGCHLD reset
        ExitInfo exit;
        // With SIGCHLD ignored, Linux reaps the child itself: waitid has no rusage for us.
        com.sun.jna.Pointer previous = Libc.C.signal(Libc.SIGCHLD, Libc.SIG_IGN);
        try {
            exit = exitOf(provider.start(new ProcessBuilder("/bin/sh", "-c", "exit 7")));
        } finally {
            Libc.C.signal(Libc.SIGCHLD, previous);
        }
        assertTrue(exit.isStatusKnown());
        assertEquals(OptionalInt.of(7), exit.exitCode());
        assertTrue(exit.userCpuDuration().isEmpty(), exit::toString);
        assertTrue(exit.systemCpuDuration().isEmpty(), exit::toString);
        assertTrue(exit.peakResidentBytes().isEmpty(), exit::toString);
    }

    @Test
    void aJdkProcessIsRefusedWithItsClassNamed() throws Exception {
        Process p = Contenders.JDK.start(new ProcessBuilder("true"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExitInfo.of(p));
        assertTrue(e.getMessage().contains(p.getClass().getName()), e::getMessage);
        p.waitFor();
        assertThrows(NullPointerException.class, () -> ExitInfo.of((Process) null));
    }
}
