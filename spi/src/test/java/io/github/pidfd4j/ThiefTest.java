package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.pidfd4j.linux.TestProviders;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Children reaped by someone else: native code in the same JVM calling waitpid(-1), or SIGCHLD set to
 * SIG_IGN so that Linux reaps them itself. pidfd4j must still report every child's own exit code
 * (through its pidfd, PIDFD_INFO_EXIT); the JDK then reports 0, which is counted and printed only.
 */
class ThiefTest {

    /** pidfd4j.thief.spawns: children per provider and fault; the soak profile raises it. */
    private static final int SPAWNS = Integer.getInteger("pidfd4j.thief.spawns", 200);
    private static final int BATCH = 16;

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void aNativeWaitpidMinusOneThiefTakesNoExitCodeAway(ProcessProvider provider) throws Exception {
        assumeTrue(provider == Contenders.JDK || TestProviders.kernelKeepsExitStatus(), "kernel without PIDFD_INFO_EXIT (Linux 6.15+)");
        Set<Long> stolen = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        Thread thief = new Thread(() -> {
            int[] status = new int[1];
            while (!stop.get()) {
                int pid = Libc.C.waitpid(-1, status, 0);  // blocks until any child of the JVM exits
                if (pid > 0) {
                    stolen.add((long) pid);
                } else {
                    LockSupport.parkNanos(200_000);  // ECHILD: no child at the moment
                }
            }
        }, "waitpid(-1) thief");
        thief.setDaemon(true);
        thief.start();
        int wrong;
        List<Long> ours = new ArrayList<>();
        try {
            wrong = spawnAndCount(provider, ours);
        } finally {
            stop.set(true);
            // A blocked waitpid(-1) returns at the next exit of any child: give it one (the JDK's
            // works on every machine).
            while (thief.isAlive()) {
                Contenders.JDK.start(new ProcessBuilder("true")).waitFor();
                thief.join(100);
            }
        }
        long stolenOfOurs = ours.stream().filter(stolen::contains).count();
        System.out.printf("[pidfd4j-figure] waitpid(-1) thief %s: %d spawns, %d reaped by the thief, %d wrong exit codes%n",
                provider, SPAWNS, stolenOfOurs, wrong);
        if (provider != Contenders.JDK) {
            assertEquals(0, wrong, "wrong exit codes out of " + SPAWNS + " (" + stolenOfOurs + " stolen)");
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void withSigchldIgnoredNoExitCodeIsLost(ProcessProvider provider) throws Exception {
        assumeTrue(provider == Contenders.JDK || TestProviders.kernelKeepsExitStatus(), "kernel without PIDFD_INFO_EXIT (Linux 6.15+)");
        Proc.run(provider, new ProcessBuilder("true"));  // past pidfd4j's one-time SIGCHLD reset (as the JDK's)
        int wrong;
        // With SIGCHLD ignored, Linux reaps every child at its exit: no one can wait for it (ECHILD).
        com.sun.jna.Pointer previous = Libc.C.signal(Libc.SIGCHLD, Libc.SIG_IGN);
        try {
            long ignored = Long.parseUnsignedLong(Proc.status(ProcessHandle.current().pid(), "SigIgn"), 16);
            assertEquals(1L << (Libc.SIGCHLD - 1), ignored & (1L << (Libc.SIGCHLD - 1)), "SIGCHLD ignored");
            wrong = spawnAndCount(provider, new ArrayList<>());
        } finally {
            Libc.C.signal(Libc.SIGCHLD, previous);
        }
        System.out.printf("[pidfd4j-figure] SIGCHLD=SIG_IGN %s: %d spawns, all reaped by the kernel, %d wrong exit codes%n",
                provider, SPAWNS, wrong);
        if (provider != Contenders.JDK) {
            assertEquals(0, wrong, "wrong exit codes out of " + SPAWNS);
        }
    }

    /** Starts SPAWNS children in batches, each with its own code (1 to 255); returns how many were reported wrong. */
    private static int spawnAndCount(ProcessProvider provider, List<Long> pids) throws Exception {
        int wrong = 0;
        for (int i = 0; i < SPAWNS; i += BATCH) {
            List<Process> batch = new ArrayList<>();
            for (int j = i; j < Math.min(SPAWNS, i + BATCH); j++) {
                batch.add(provider.start(new ProcessBuilder("/bin/sh", "-c", "exit " + (1 + j % 255))));
            }
            for (int j = 0; j < batch.size(); j++) {
                Process p = batch.get(j);
                pids.add(p.pid());
                int code = p.waitFor();
                // onExit() and exitValue() tell the same code as waitFor().
                assertEquals(code, p.onExit().get().exitValue());
                if (code != 1 + (i + j) % 255) {
                    wrong++;
                }
            }
        }
        return wrong;
    }
}
