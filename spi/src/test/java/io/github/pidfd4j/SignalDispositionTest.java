package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The child's signal dispositions before exec, each way pidfd4j's child resets them: on the clone3
 * tier the kernel does it (CLONE_CLEAR_SIGHAND, Linux 5.5) and the child only resets SIGPIPE; on the
 * clone tiers (and clone3 before 5.5) the child reads its own /proc/self/status (only caught signals
 * and an ignored SIGPIPE cost a syscall) or, without /proc, makes one rt_sigaction per signal. Every
 * way an ignored signal stays ignored across exec (as exec itself keeps it, and as the JDK's children
 * show; see ChildEnvironmentTest), except SIGPIPE.
 */
class SignalDispositionTest {

    interface Ns extends Library {
        Ns C = Native.load("c", Ns.class);

        int unshare(int flags);

        int mount(String source, String target, String type, long flags, Pointer data);
    }

    private static final int CLONE_NEWNS = 0x00020000;
    private static final long MS_REC = 0x4000;
    private static final long MS_PRIVATE = 0x40000;
    private static final int SIGWINCH = 28;
    private static final long SIGPIPE_BIT = 1L << (13 - 1);

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void aSignalTheJvmIgnoresStaysIgnoredInTheChild(ProcessProvider provider) throws Exception {
        assertEquals(expectedIgnored(), withSigwinchIgnored(() -> childIgnored(provider)));
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void theSameWithoutProcInTheSpawningThreadsMountNamespace(ProcessProvider provider) throws Exception {
        Proc.run(provider, new ProcessBuilder("true"));  // one-time initialisation (it reads /proc) done here
        long ignored = withSigwinchIgnored(() -> {
            // unshare(CLONE_NEWNS) moves only the calling thread: a thread of its own hides /proc
            // from itself and from the children it spawns, and the test thread still reads theirs.
            CompletableFuture<Process> spawned = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    if (Ns.C.unshare(CLONE_NEWNS) != 0
                            || Ns.C.mount(null, "/", null, MS_REC | MS_PRIVATE, null) != 0
                            || Ns.C.mount("none", "/proc", "tmpfs", 0, null) != 0) {
                        spawned.complete(null);  // not root: skipped below
                        return;
                    }
                    assertFalse(Files.exists(Path.of("/proc/self/status")), "/proc hidden in this thread");
                    spawned.complete(provider.start(new ProcessBuilder("sleep", "60")));
                } catch (Throwable e) {
                    spawned.completeExceptionally(e);
                }
            }, "no /proc");
            t.start();
            Process p = spawned.get(30, TimeUnit.SECONDS);
            t.join();
            assumeTrue(p != null, "needs CAP_SYS_ADMIN for a mount namespace without /proc");
            return ignoredAfterExec(p);
        });
        assertEquals(expectedIgnored(), ignored);
    }

    /** The JVM's ignored signals now, with SIGWINCH, minus SIGPIPE (which pidfd4j gives back, as JDK 25). */
    private static long expectedIgnored() throws Exception {
        return withSigwinchIgnored(() -> Long.parseUnsignedLong(Proc.status(ProcessHandle.current().pid(), "SigIgn"), 16))
                & ~SIGPIPE_BIT;
    }

    private static long childIgnored(ProcessProvider provider) throws Exception {
        return ignoredAfterExec(provider.start(new ProcessBuilder("sleep", "60")));
    }

    private static long ignoredAfterExec(Process p) throws Exception {
        try {
            assertTrue(Proc.eventually(10_000, () -> "sleep".equals(comm(p.pid()))), "exec'd");
            long ignored = Long.parseUnsignedLong(Proc.status(p.pid(), "SigIgn"), 16);
            assertTrue((ignored & (1L << (SIGWINCH - 1))) != 0, "SIGWINCH still ignored");
            return ignored;
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    private interface Body {
        long run() throws Exception;
    }

    private static long withSigwinchIgnored(Body body) throws Exception {
        Pointer previous = Libc.C.signal(SIGWINCH, Libc.SIG_IGN);
        try {
            return body.run();
        } finally {
            Libc.C.signal(SIGWINCH, previous);
        }
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
        } catch (Exception e) {
            return null;
        }
    }
}
