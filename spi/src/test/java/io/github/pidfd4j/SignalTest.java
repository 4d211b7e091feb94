package io.github.pidfd4j;

import static io.github.pidfd4j.Proc.run;
import static io.github.pidfd4j.Proc.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Signals sent to children from outside: stop and continue, and every death by a signal. Expected: the JDK's. */
class SignalTest {

    private static final boolean JDK17 = Runtime.version().feature() < 25;

    /**
     * Every signal whose default action terminates (signal(7): Term and Core), SIGKILL included, and the
     * real-time signals 34 to 64 (glibc keeps 32 and 33 for itself).
     */
    private static final int[] TERMINATING = IntStream.concat(
            IntStream.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 24, 25, 26, 27, 29, 30, 31),
            IntStream.rangeClosed(34, 64)).toArray();

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void everyDeathBySignalIs128PlusTheSignal(ProcessProvider provider) throws Exception {
        for (int sig : TERMINATING) {
            if (Proc.inheritedIgnored(sig)) {
                continue;  // ignored in every child (ChildEnvironmentTest): nothing to die of
            }
            int exit = run(provider, sh("kill -" + sig + " $$; exit 99")).exit();
            // A JDK 17 child starts with SIGQUIT blocked (ChildEnvironmentTest): it survives it and exits
            // 99. pidfd4j's children, and JDK 25's, die of it like of any other.
            boolean survives = provider == Contenders.JDK && JDK17 && sig == 3;
            assertEquals(survives ? 99 : 128 + sig, exit, "signal " + sig);
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void aStoppedChildIsAliveUntilContinuedAndThenExitsWithItsOwnCode(ProcessProvider provider) throws Exception {
        Process p = provider.start(sh("read line; exit 42"));
        CompletableFuture<Process> onExit = p.onExit();
        assertEquals(0, Libc.C.kill((int) p.pid(), Libc.SIGSTOP));
        assertTrue(Proc.eventually(10_000, () -> Proc.state(p.pid()) == 'T'), "stopped: " + Proc.state(p.pid()));
        // A stop is a state change that waitid(WEXITED) and a pidfd's readiness must not take for an exit.
        assertFalse(p.waitFor(300, TimeUnit.MILLISECONDS), "a stopped child has not exited");
        assertTrue(p.isAlive());
        assertFalse(onExit.isDone());
        // Its input arrives while it is stopped; it can only act on it once continued.
        OutputStream in = p.getOutputStream();
        in.write("go\n".getBytes());
        in.close();
        assertFalse(p.waitFor(300, TimeUnit.MILLISECONDS), "still stopped");
        assertEquals('T', Proc.state(p.pid()));
        assertEquals(0, Libc.C.kill((int) p.pid(), Libc.SIGCONT));
        assertEquals(42, p.waitFor());
        assertEquals(p, onExit.get(10, TimeUnit.SECONDS));
        assertFalse(p.isAlive());
        assertEquals(42, p.exitValue());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void stopContinueRepeatedlyWhileItRunsLosesNothing(ProcessProvider provider) throws Exception {
        // Stops and continues in a burst while the child writes: every byte still arrives, the code is its own.
        Process p = provider.start(sh("i=0; while [ $i -lt 2000 ]; do echo $i; i=$((i+1)); done; exit 7"));
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> Proc.read(p.getInputStream()));
        for (int i = 0; i < 50 && p.isAlive(); i++) {
            Libc.C.kill((int) p.pid(), Libc.SIGSTOP);
            Libc.C.kill((int) p.pid(), Libc.SIGCONT);
        }
        assertEquals(7, p.waitFor());
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            expected.append(i).append('\n');
        }
        assertEquals(expected.toString(), out.get(60, TimeUnit.SECONDS));
    }
}
