package io.github.pidfd4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.github.pidfd4j.Contenders;
import io.github.pidfd4j.Proc;
import io.github.pidfd4j.ProcessProvider;
import io.github.pidfd4j.ProcessProviders;
import io.github.pidfd4j.SpawnPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Where the pidfd provider differs from the JDK on purpose: threads, descriptors, stolen children. */
class PidfdSpecificTest {

    /** A foreign reaper: plain libc, as a native library in the same process would call it. */
    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int waitpid(int pid, int[] status, int options);
    }

    @Test
    void theBestProviderHereIsPidfdOnTheBestPathThisMachineAllows() {
        // CLONE3_PIDFD where clone3 is allowed; a sandbox that refuses it (Docker's seccomp profile) gets
        // CLONE_PIDFD, and one that refuses that too CLONE_THEN_PIDFD_OPEN. Whether the probes may say
        // no is the next test's concern.
        assumeTrue(Contenders.PIDFD_OPEN.isAvailable(), () -> "no pidfds here: " + Contenders.PIDFD_OPEN.unavailabilityCause());
        SpawnPath best = Contenders.PIDFD_CLONE3.isAvailable() && Pidfd.CLONE3_BY_DEFAULT ? SpawnPath.CLONE3_PIDFD
                : Contenders.PIDFD.isAvailable() ? SpawnPath.CLONE_PIDFD : SpawnPath.CLONE_THEN_PIDFD_OPEN;
        assertEquals("pidfd", ProcessProviders.provider().name());
        assertEquals(best, ProcessProviders.provider().spawnPath());
        assertTrue(ProcessProviders.provider().isAvailable());
        assertEquals(null, ProcessProviders.provider().unavailabilityCause());
        assertEquals(List.of("pidfd", "jdk"), ProcessProviders.all().stream().map(ProcessProvider::name).toList());
    }

    @Test
    void theSpawnPathProbesSayNoOnlyWhereASeccompFilterCouldRefuse() throws IOException {
        // Tests of a refused path skip (SkipWhereRefused), so the probes must not say no where nothing
        // can refuse: Linux 5.4+ (CLONE_PIDFD, waitid(P_PIDFD)) without a seccomp filter on this JVM.
        assumeTrue(Proc.status(ProcessHandle.current().pid(), "Seccomp").equals("0"),
                "under a seccomp filter: only the probe can tell what it refuses");
        String[] v = System.getProperty("os.version").split("[.-]");
        int version = Integer.parseInt(v[0]) * 1000 + Integer.parseInt(v[1]);
        assumeTrue(version >= 5004, "kernel " + System.getProperty("os.version") + " before 5.4: CLONE_PIDFD may be missing");
        assertEquals(null, Contenders.PIDFD.unavailabilityCause(), "CLONE_PIDFD on " + System.getProperty("os.version"));
        // clone3 (5.3) needs the child's entry, written for these two architectures only.
        if (List.of("amd64", "x86_64", "aarch64").contains(System.getProperty("os.arch"))) {
            assertEquals(null, Contenders.PIDFD_CLONE3.unavailabilityCause(), "CLONE3_PIDFD on " + System.getProperty("os.version"));
        }
        assertEquals(null, Contenders.PIDFD_OPEN.unavailabilityCause(), "CLONE_THEN_PIDFD_OPEN on " + System.getProperty("os.version"));
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void oneWatcherThreadForAllChildrenWhereTheJdkHasOneReaperEach(ProcessProvider provider) throws Exception {
        int n = 100;
        int before = threads();
        List<Process> pidfd = start(provider, n);
        int withPidfd = threads();
        List<Process> jdk = start(Contenders.JDK, n);
        int withJdk = threads();
        try {
            assertTrue(withPidfd - before <= 2, "pidfd: " + before + " -> " + withPidfd + " threads for " + n + " children");
            // The JDK parks one "process reaper" per live child (idle ones from before are reused).
            long reapers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("process reaper")).count();
            assertTrue(reapers >= n, "jdk: " + reapers + " reaper threads for " + n + " children, " + withJdk + " threads");
            assertEquals(1, Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("pidfd4j-watcher")).count());
        } finally {
            for (Process p : pidfd) {
                p.destroyForcibly();
            }
            for (Process p : jdk) {
                p.destroyForcibly();
            }
            for (Process p : pidfd) {
                p.waitFor();
            }
            for (Process p : jdk) {
                p.waitFor();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void everyDescriptorIsCloseOnExecAndThePidfdGoesWithTheChild(ProcessProvider provider) throws Exception {
        List<String> before = fds("anon_inode:[pidfd]");
        Process p = provider.start(new ProcessBuilder("cat"));
        List<String> pidfds = fds("anon_inode:[pidfd]");
        pidfds.removeAll(before);
        assertEquals(1, pidfds.size(), "one pidfd per live child");
        assertTrue(isCloexec(pidfds.get(0)), "the pidfd is close-on-exec");
        // Our ends of the three pipes are close-on-exec from birth (the JDK's are not: JDK-8377907).
        List<String> pipes = fds("pipe:");
        long ours = pipes.stream().filter(fd -> !isCloexec(fd)).count();
        Process jdk = Contenders.JDK.start(new ProcessBuilder("cat"));
        try {
            long withJdk = fds("pipe:").stream().filter(fd -> !isCloexec(fd)).count();
            assertEquals(3, withJdk - ours, "the JDK's three pipe ends are not close-on-exec");
        } finally {
            jdk.destroyForcibly().waitFor();
        }
        p.getOutputStream().close();
        assertEquals(0, p.waitFor());
        assertTrue(Proc.eventually(2000, () -> fds("anon_inode:[pidfd]").size() == before.size()), "pidfd closed at the reap");
    }

    @Test
    void theProbeTellsWhetherTheKernelKeepsAReapedChildsStatus() {
        // The stolen-status tests skip when the probe says no: so the probe must not say no where
        // the kernel has PIDFD_INFO_EXIT (6.15+), nor yes where it cannot have it.
        String[] v = System.getProperty("os.version").split("[.-]");
        int version = Integer.parseInt(v[0]) * 1000 + Integer.parseInt(v[1]);
        assertEquals(version >= 6015, Pidfd.exitStatusKept(), "kernel " + System.getProperty("os.version"));
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void aStolenExitStatusIsStillReported(ProcessProvider provider) throws Exception {
        // Some native code reaps our child behind our back (waitpid on its pid). The JDK then reports
        // 0 (or the right value, if its reaper wins the race). Through the pidfd, Linux 6.15+ still
        // tells the status (PIDFD_INFO_EXIT); the timing is exact either way.
        Process probe = provider.start(new ProcessBuilder("true"));
        probe.waitFor();
        assumeTrue(Pidfd.exitStatusKept(), "kernel without PIDFD_INFO_EXIT (Linux 6.15+)");
        for (int i = 0; i < 5; i++) {
            Process p = provider.start(Proc.sh("sleep 0.1; exit 7"));
            int[] status = new int[1];
            CompletableFuture<Integer> thief = CompletableFuture.supplyAsync(() -> LibC.INSTANCE.waitpid((int) p.pid(), status, 0));
            int stolen = thief.get(10, TimeUnit.SECONDS);
            assertTrue(stolen == p.pid() || stolen == -1, "waitpid returned " + stolen);
            assertEquals(7, p.waitFor(), "exit value after " + (stolen == p.pid() ? "a stolen reap" : "our own reap"));
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void blockingOnExitDependentsDelayNothingElse(ProcessProvider provider) throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        Process slow = provider.start(new ProcessBuilder("sleep", "0.2"));
        // Attached before the exit, so it runs on the thread that completes onExit(), and blocks it.
        CompletableFuture<Void> blocked = slow.onExit().thenRun(release::join);
        assertFalse(blocked.isDone());
        slow.waitFor();
        try {
            for (int i = 0; i < 20; i++) {
                Process p = provider.start(new ProcessBuilder("true"));
                long t0 = System.nanoTime();
                assertEquals(p, p.onExit().get(10, TimeUnit.SECONDS));
                assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 5000);
                assertEquals(0, p.exitValue());
            }
            assertFalse(blocked.isDone());
        } finally {
            release.complete(null);
        }
        blocked.get(10, TimeUnit.SECONDS);
    }

    /** Live threads of the JVM, in every thread group. */
    private static int threads() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static List<Process> start(ProcessProvider provider, int n) throws IOException {
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ps.add(provider.start(new ProcessBuilder("sleep", "60").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))));
        }
        return ps;
    }

    /** Numbers of this JVM's descriptors whose link starts with the prefix. */
    private static List<String> fds(String prefix) {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return new ArrayList<>(s.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().startsWith(prefix);
                } catch (IOException e) {
                    return false;
                }
            }).map(p -> p.getFileName().toString()).toList());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean isCloexec(String fd) {
        try {
            String flags = Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)).stream()
                    .filter(l -> l.startsWith("flags:")).findFirst().orElseThrow().substring(6).trim();
            return (Integer.parseInt(flags, 8) & 02000000) != 0;
        } catch (IOException e) {
            return true;  // gone meanwhile
        }
    }

    @Test
    void theAgentsOnExitHookLeavesChildrenPidfd4jDidNotSpawnToTheJdk() throws Exception {
        // spawn=off: the JDK's reaper records the exit in its Process after it completes its future; a
        // pidfd completed at the exit, before that (31 and 54 of 400 rounds disagreed with isAlive()).
        Process jdkChild = new ProcessBuilder("sleep", "60").start();
        try {
            assertEquals(null, AgentSupport.completion(jdkChild.pid(), false), "the JDK's own completion");
        } finally {
            jdkChild.destroyForcibly().waitFor();
        }
    }

    @Test
    void theAgentsOnExitOfANonChildWaitsUntilItsParentReapsIt() throws Exception {
        // The JDK's handle says alive while a zombie is unreaped (/proc/<pid> is still there), so onExit()
        // must not complete before the reap. dash reaps its background job only in "wait".
        Process sh = new ProcessBuilder("/bin/sh", "-c", "sleep 0.05 & echo $!; read x; wait").start();
        long pid = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(sh.getInputStream()))
                .readLine().trim());
        CompletableFuture<Integer> exited = AgentSupport.completion(pid, false);
        assertTrue(Proc.eventually(10_000, () -> state(pid) == 'Z'), "the grandchild became a zombie");
        Thread.sleep(200);
        assertFalse(exited.isDone(), "completed while a zombie, which the JDK's handle reports alive");
        sh.getOutputStream().write('\n');
        sh.getOutputStream().close();  // the parent reaps it now
        assertEquals(0, exited.get(20, TimeUnit.SECONDS));
        assertTrue(ProcessHandle.of(pid).isEmpty(), "gone once onExit() completed");
        assertEquals(0, sh.waitFor());
    }

    private static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException e) {
            return '?';
        }
    }
}
