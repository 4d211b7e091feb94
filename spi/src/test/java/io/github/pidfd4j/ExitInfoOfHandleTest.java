package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ExitInfo#of(ProcessHandle)}: the exit status of processes that are not pidfd4j's children,
 * which the JDK reports as 0. The processes watched are grandchildren: a shell started by pidfd4j
 * starts them and waits for them, so their own parent reaps them and the kernel keeps their status
 * for the pidfd (Linux 6.15+).
 */
class ExitInfoOfHandleTest {

    @TempDir
    Path dir;

    /** Linux 6.15+ keeps the status of a process reaped by its own parent for a pidfd (PIDFD_INFO_EXIT). */
    private static boolean kernelKeepsTheStatus() {
        String[] v = System.getProperty("os.version").split("[.-]");
        int major = Integer.parseInt(v[0]);
        int minor = Integer.parseInt(v[1]);
        return major > 6 || (major == 6 && minor >= 15);
    }

    /**
     * A shell (pidfd4j's child) that starts {@code grandchild} in the background, prints its pid and
     * waits for it; returns the shell, whose first line of output was read into {@code pid[0]}.
     */
    private static Process shellWaitingFor(String grandchild, long[] pid) throws Exception {
        Process shell = Contenders.anyPidfd().start(Proc.sh(grandchild + " & echo $!; wait $!"));
        BufferedReader out = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8));
        pid[0] = Long.parseLong(out.readLine().trim());
        return shell;
    }

    @Test
    void theExitCodeOfAGrandchildIsKnown() throws Exception {
        assumeTrue(kernelKeepsTheStatus(), "PIDFD_INFO_EXIT needs Linux 6.15+: " + System.getProperty("os.version"));
        Path go = dir.resolve("go");
        long[] pid = new long[1];
        // It exits only once the test has asked (the file appears): no race with the open.
        Process shell = shellWaitingFor("sh -c 'while [ ! -e " + go + " ]; do sleep 0.02; done; exit 7'", pid);
        ProcessHandle grandchild = ProcessHandle.of(pid[0]).orElseThrow();
        Instant started = grandchild.info().startInstant().orElseThrow();
        CompletableFuture<ExitInfo> future = ExitInfo.of(grandchild);
        assertFalse(future.isDone(), "completed while the grandchild runs: " + future);
        Files.createFile(go);
        ExitInfo exit = future.get(30, TimeUnit.SECONDS);
        System.out.printf("[pidfd4j-figure] grandchild exit 7: %s%n", exit);
        assertEquals(pid[0], exit.pid());
        assertTrue(exit.isStatusKnown(), exit::toString);
        assertEquals(OptionalInt.of(7), exit.exitCode());
        assertEquals(7, exit.exitValue());
        assertTrue(exit.signal().isEmpty(), exit::toString);
        assertTrue(exit.userCpuDuration().isEmpty() && exit.systemCpuDuration().isEmpty()
                && exit.peakResidentBytes().isEmpty(), exit::toString);
        Duration lived = Duration.between(started, Instant.now());
        assertTrue(exit.wallDuration().compareTo(Duration.ZERO) > 0 && exit.wallDuration().compareTo(lived) <= 0,
                () -> "wall time from its start to its exit: " + exit + ", lived at most " + lived);
        assertEquals(7, shell.waitFor(), "the shell's wait reported the same status");
    }

    @Test
    void aGrandchildKilledByASignalReportsTheSignal() throws Exception {
        assumeTrue(kernelKeepsTheStatus(), "PIDFD_INFO_EXIT needs Linux 6.15+: " + System.getProperty("os.version"));
        long[] pid = new long[1];
        Process shell = shellWaitingFor("sleep 100", pid);
        ProcessHandle grandchild = ProcessHandle.of(pid[0]).orElseThrow();
        CompletableFuture<ExitInfo> future = ExitInfo.of(grandchild);
        assertTrue(grandchild.destroyForcibly());
        ExitInfo exit = future.get(30, TimeUnit.SECONDS);
        assertTrue(exit.isStatusKnown(), exit::toString);
        assertEquals(OptionalInt.of(9), exit.signal());
        assertEquals(128 + 9, exit.exitValue());
        assertTrue(exit.exitCode().isEmpty(), exit::toString);
        assertEquals(128 + 9, shell.waitFor());
    }

    @Test
    void aChildTheJdkStartedIsWatchedAsAnyOtherProcess() throws Exception {
        assumeTrue(kernelKeepsTheStatus(), "PIDFD_INFO_EXIT needs Linux 6.15+: " + System.getProperty("os.version"));
        Process p = Contenders.JDK.start(Proc.sh("read x; exit 5"));
        CompletableFuture<ExitInfo> future = ExitInfo.of(p.toHandle());
        p.getOutputStream().close();
        assertEquals(5, p.waitFor());
        ExitInfo exit = future.get(30, TimeUnit.SECONDS);  // the JDK reaped it: the kernel kept the status
        assertEquals(OptionalInt.of(5), exit.exitCode(), exit::toString);
    }

    @Test
    void aPidfd4jChildsHandleGivesWhatItsProcessGives() throws Exception {
        Process p = Contenders.anyPidfd().start(Proc.sh("exit 4"));
        ExitInfo byHandle = ExitInfo.of(p.toHandle()).get(30, TimeUnit.SECONDS);
        assertEquals(ExitInfo.of(p).get(30, TimeUnit.SECONDS), byHandle);
        assertEquals(OptionalInt.of(4), byHandle.exitCode());
        assertTrue(byHandle.userCpuDuration().isPresent(), () -> "reaped by pidfd4j, with its usage: " + byHandle);
    }

    @Test
    void aProcessAlreadyGoneHasAnUnknownStatusAtOnce() throws Exception {
        long[] pid = new long[1];
        Process shell = shellWaitingFor("sh -c 'exit 3'", pid);
        ProcessHandle grandchild = ProcessHandle.of(pid[0]).orElse(null);
        assertEquals(3, shell.waitFor());  // the shell reaped it before exiting
        assumeTrue(grandchild != null, "the grandchild was gone before its handle was taken");
        CompletableFuture<ExitInfo> future = ExitInfo.of(grandchild);
        assertTrue(future.isDone(), "nothing to wait for");
        ExitInfo exit = future.get();
        assertFalse(exit.isStatusKnown(), exit::toString);
        assertEquals(0, exit.exitValue());
        assertEquals(Duration.ZERO, exit.wallDuration());
    }

    @Test
    void aHandleWhosePidNowNamesAnotherProcessIsNotWatchedAsIt() throws Exception {
        Process p = Contenders.anyPidfd().start(new ProcessBuilder("sleep", "100"));
        try {
            ProcessHandle live = p.toHandle();
            // A handle of an earlier process with the same pid: its start instant is not the live one's.
            Instant earlier = live.info().startInstant().orElseThrow().minusSeconds(3600);
            ProcessHandle stale = staleHandle(live.pid(), earlier);
            CompletableFuture<ExitInfo> future = ExitInfo.of(stale);
            assertTrue(future.isDone(), "the process it named is gone");
            assertFalse(future.get().isStatusKnown(), () -> future.join().toString());
            assertTrue(p.isAlive());
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    /** A handle naming {@code pid} with its own start instant, as the JDK's handle of an earlier owner. */
    private static ProcessHandle staleHandle(long pid, Instant start) {
        ProcessHandle.Info info = (ProcessHandle.Info) Proxy.newProxyInstance(ExitInfoOfHandleTest.class.getClassLoader(),
                new Class<?>[] {ProcessHandle.Info.class},
                (proxy, m, args) -> m.getName().equals("startInstant") ? Optional.of(start) : Optional.empty());
        return (ProcessHandle) Proxy.newProxyInstance(ExitInfoOfHandleTest.class.getClassLoader(),
                new Class<?>[] {ProcessHandle.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "pid" -> pid;
                    case "info" -> info;
                    case "isAlive" -> true;  // as a JDK handle of a pid in use would say, coarse as its check is
                    case "hashCode" -> Long.hashCode(pid);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "stale handle of pid " + pid;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    @Test
    void theCurrentProcessIsRefusedAsByOnExit() {
        assertThrows(IllegalStateException.class, () -> ProcessHandle.current().onExit());
        assertThrows(IllegalStateException.class, () -> ExitInfo.of(ProcessHandle.current()));
        assertThrows(NullPointerException.class, () -> ExitInfo.of((ProcessHandle) null));
    }
}
