package io.github.pidfd4j;

import static io.github.pidfd4j.Proc.run;
import static io.github.pidfd4j.Proc.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** java.lang.Process methods: exit values, waiting, liveness, destroy, toString. Expected: the JDK's. */
class ProcessMethodsTest {

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void exitValuesZeroTo255(ProcessProvider provider) throws Exception {
        List<Process> started = new ArrayList<>();
        for (int code = 0; code <= 255; code++) {
            started.add(provider.start(sh("exit " + code)));
        }
        for (int code = 0; code <= 255; code++) {
            Process p = started.get(code);
            assertEquals(code, p.waitFor(), "waitFor of exit " + code);
            assertEquals(code, p.exitValue());
            assertFalse(p.isAlive());
            assertEquals("Process[pid=" + p.pid() + ", exitValue=" + code + "]", p.toString());
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void signalDeathsReport128PlusSignal(ProcessProvider provider) throws Exception {
        // SIGHUP 1, SIGINT 2, SIGKILL 9, SIGSEGV 11 (core), SIGTERM 15. Not SIGQUIT: JDK 17 leaves it
        // blocked in its children (see ChildEnvironmentTest).
        for (int sig : new int[] {1, 2, 9, 11, 15}) {
            if (Proc.inheritedIgnored(sig)) {
                continue;  // ignored in every child (ChildEnvironmentTest): nothing to die of
            }
            assertEquals(128 + sig, run(provider, sh("kill -" + sig + " $$")).exit(), "signal " + sig);
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void destroyIsSigtermAndDestroyForciblyIsSigkill(ProcessProvider provider) throws Exception {
        Process p = provider.start(new ProcessBuilder("sleep", "60"));
        assertTrue(p.supportsNormalTermination());
        p.destroy();
        assertEquals(143, p.waitFor());
        Process q = provider.start(sh("trap '' TERM; echo ready; exec sleep 60"));
        assertEquals('r', q.getInputStream().read(), "the trap is set");
        q.destroy();
        assertFalse(q.waitFor(300, TimeUnit.MILLISECONDS), "SIGTERM is ignored by this child");
        assertSame(q, q.destroyForcibly());
        assertEquals(137, q.waitFor());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void aliveUntilExitThenExitValue(ProcessProvider provider) throws Exception {
        Process p = provider.start(new ProcessBuilder("cat"));
        assertTrue(p.isAlive());
        IllegalThreadStateException e = assertThrows(IllegalThreadStateException.class, p::exitValue);
        assertEquals("process hasn't exited", e.getMessage());
        assertEquals("Process[pid=" + p.pid() + ", exitValue=\"not exited\"]", p.toString());
        assertTrue(p.pid() > 0);
        p.getOutputStream().close();
        assertEquals(0, p.waitFor());
        assertFalse(p.isAlive());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void waitForWithTimeout(ProcessProvider provider) throws Exception {
        Process p = provider.start(new ProcessBuilder("cat"));
        long t0 = System.nanoTime();
        assertFalse(p.waitFor(200, TimeUnit.MILLISECONDS));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(190), "waited the timeout");
        assertFalse(p.waitFor(0, TimeUnit.SECONDS), "zero timeout: no wait");
        assertFalse(p.waitFor(-5, TimeUnit.SECONDS), "negative timeout: no wait");
        p.getOutputStream().close();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(p.waitFor(0, TimeUnit.SECONDS), "exited: true whatever the timeout");
        assertTrue(p.waitFor(-1, TimeUnit.SECONDS));
        // The unit is converted first: a null unit is an NPE even after the exit.
        assertThrows(NullPointerException.class, () -> p.waitFor(1, null));
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void waitingIsInterruptible(ProcessProvider provider) throws Exception {
        Process p = provider.start(new ProcessBuilder("sleep", "60"));
        try {
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, p::waitFor);
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> p.waitFor(Long.MAX_VALUE, TimeUnit.NANOSECONDS));
            Thread self = Thread.currentThread();
            CompletableFuture.runAsync(() -> {
                try {
                    // Interrupt a waitFor that is already blocked, not one about to start.
                    if (Proc.eventually(30_000, () -> Proc.waiting(self))) {
                        self.interrupt();
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThrows(InterruptedException.class, () -> p.waitFor(60, TimeUnit.SECONDS));
            assertTrue(p.isAlive());
        } finally {
            Thread.interrupted();
            p.destroyForcibly().waitFor();
        }
        // Once exited, an interrupt does not matter: the value is there.
        Thread.currentThread().interrupt();
        try {
            assertEquals(137, p.waitFor());
            assertTrue(p.waitFor(1, TimeUnit.SECONDS));
        } finally {
            Thread.interrupted();
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void onExitCompletesWithTheSameProcess(ProcessProvider provider) throws Exception {
        for (int code : new int[] {0, 1, 10}) {
            Process p = provider.start(sh("exit " + code));
            CompletableFuture<Process> f1 = p.onExit();
            CompletableFuture<Process> f2 = p.onExit();
            assertFalse(f1 == f2, "a new future per call");
            assertSame(p, f1.get(30, TimeUnit.SECONDS));
            assertSame(p, f2.get(30, TimeUnit.SECONDS));
            assertEquals(code, p.exitValue(), "the exit value is set when onExit completes");
            assertSame(p, p.onExit().get(30, TimeUnit.SECONDS), "and after the exit too");
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void destroyAfterExitIsHarmless(ProcessProvider provider) throws Exception {
        Process p = provider.start(sh("exit 5"));
        assertEquals(5, p.waitFor());
        for (int i = 0; i < 3; i++) {
            p.destroy();
            p.destroyForcibly();
            p.toHandle().destroy();
        }
        assertEquals(5, p.exitValue(), "a late destroy changes nothing");
        assertFalse(p.toHandle().isAlive());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void destroyRacingTheExitNeverThrowsAndReportsOneOfTheTwoOutcomes(ProcessProvider provider) throws Exception {
        for (int i = 0; i < 50; i++) {
            Process p = provider.start(new ProcessBuilder("true"));
            if ((i & 1) == 0) {
                Thread.onSpinWait();  // let some of them exit first
            }
            p.destroyForcibly();
            int v = p.waitFor();
            assertTrue(v == 0 || v == 137, "exit or SIGKILL, got " + v);
        }
    }
}
