package io.github.pidfd4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The native spawn flags (LinuxNative.SPAWN_*) on the path this machine uses: what the spawn block
 * carries reaches the child, and a flag the path cannot honour fails the spawn instead of being
 * ignored. (That children of the flag die with the JVM is tested with a killed child JVM elsewhere.)
 */
class SpawnFlagsTest {

    private static final Redirect[] INHERIT = {Redirect.INHERIT, Redirect.INHERIT, Redirect.INHERIT};

    private static int path() {
        assumeTrue(Pidfd.isAvailable(), () -> "no pidfds here: " + Pidfd.unavailabilityCause());
        return Pidfd.nativePath();
    }

    private static Process start(int flags, String... cmd) throws IOException {
        return PidfdLauncher.start(path(), flags, cmd, null, null, INHERIT, false, null);
    }

    @Test
    void aChildWithKillOnParentDeathRunsItsProgram() throws Exception {
        Process p = start(LinuxNative.SPAWN_KILL_ON_PARENT_DEATH, "sh", "-c", "exit 7");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(7, p.exitValue());
    }

    @Test
    void killOnParentDeathSurvivesTheThreadThatAskedForIt() throws Exception {
        // PR_SET_PDEATHSIG's "parent" is the thread that cloned the child, so the launcher hands spawns
        // with the flag to ParentDeathSpawner, whose thread lives as long as the JVM: the child of a
        // thread that has ended lives on. (That the signal is armed, children dying with a killed JVM,
        // is KillOnParentDeathTest's.)
        Process spawned = startFromEndedThread(LinuxNative.SPAWN_KILL_ON_PARENT_DEATH);
        try {
            assertTrue(!spawned.waitFor(1, TimeUnit.SECONDS), "the child died with the thread that asked for it");
        } finally {
            spawned.destroyForcibly().waitFor();
        }
    }

    private static Process startFromEndedThread(int flags) throws Exception {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(start(flags, "sleep", "60"));
            } catch (IOException | RuntimeException e) {
                result.set(e);
            }
        });
        t.start();
        t.join();
        if (result.get() instanceof Exception e) {
            throw e;
        }
        return (Process) result.get();
    }

    @Test
    void anUnknownFlagFailsTheSpawnWithEinval() {
        IOException e = assertThrows(IOException.class, () -> start(1 << 30, "true"));
        assertTrue(e.getMessage().contains(String.valueOf(LinuxNative.EINVAL)), e.getMessage());
    }

    /** The running kernel's version as major * 1000 + minor. */
    private static int kernel() {
        String[] v = System.getProperty("os.version").split("[.-]");
        return Integer.parseInt(v[0]) * 1000 + Integer.parseInt(v[1]);
    }

    @Test
    void theClone3FlagsOfLinux71AreMissingOnOlderKernels() throws Exception {
        // So that this machine's fallback cannot silently pass for the flags' path, or the other way round.
        assumeTrue(Pidfd.isAvailable());
        assumeTrue(kernel() < 7001, "Linux 7.1+: the flags may work here");
        assertFalse(Pidfd.autoreapSupported());
        assertFalse(Pidfd.autokillSupported());
        String autoreap = Pidfd.clone3FlagUnavailability(LinuxNative.SPAWN_AUTOREAP);
        String autokill = Pidfd.clone3FlagUnavailability(LinuxNative.SPAWN_AUTOKILL);
        if (new PidfdProcessProvider(io.github.pidfd4j.SpawnPath.CLONE3_PIDFD).isAvailable()) {
            // The kernel's own answer to an unknown clone3 flag, named with the flags asked for.
            assertEquals("clone3(CLONE_PIDFD | CLONE_AUTOREAP) failed with errno 22 (Invalid argument)", autoreap);
            assertEquals("clone3(CLONE_PIDFD | CLONE_AUTOREAP | CLONE_PIDFD_AUTOKILL) failed with errno 22 (Invalid argument)",
                    autokill);
            // And a spawn that asks for them anyway fails rather than running without them.
            IOException e = assertThrows(IOException.class, () -> PidfdLauncher.start(LinuxNative.PATH_CLONE3,
                    LinuxNative.SPAWN_AUTOREAP, new String[] {"true"}, null, null, INHERIT, false, null));
            assertTrue(e.getMessage().contains(String.valueOf(LinuxNative.EINVAL)), e.getMessage());
        } else {
            assertTrue(autoreap != null && autokill != null, autoreap + ", " + autokill);
        }
    }

    @Test
    void aClone3ChildRunsWithEveryNonClone3Flag() throws Exception {
        assumeTrue(new PidfdProcessProvider(io.github.pidfd4j.SpawnPath.CLONE3_PIDFD).isAvailable(), "clone3 refused here");
        Process p = PidfdLauncher.start(LinuxNative.PATH_CLONE3, LinuxNative.SPAWN_KILL_ON_PARENT_DEATH,
                new String[] {"sh", "-c", "exit 9"}, null, null, INHERIT, false, null);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(9, p.exitValue());
    }

    @Test
    void theClone3FlagsFailOffTheClone3Path() {
        for (int path : new int[] {LinuxNative.PATH_CLONE_PIDFD, LinuxNative.PATH_CLONE_THEN_PIDFD_OPEN}) {
            for (int flag : new int[] {LinuxNative.SPAWN_AUTOREAP, LinuxNative.SPAWN_AUTOKILL, LinuxNative.SPAWN_INTO_CGROUP}) {
                assumeTrue(Pidfd.isAvailable());
                IOException e = assertThrows(IOException.class, () -> PidfdLauncher.start(path, flag,
                        new String[] {"true"}, null, null, INHERIT, false, null), "path " + path + ", flag " + flag);
                assertTrue(e.getMessage().contains(String.valueOf(LinuxNative.EINVAL)), e.getMessage());
                int[] out = new int[3];
                assertEquals(LinuxNative.EINVAL, LinuxNative.pidfd4j_probe(path, flag, out), "probe: path " + path);
                assertEquals(LinuxNative.STAGE_CLONE, out[1]);
            }
        }
    }

    @Test
    void aProbeChildThatWorksEndsWithItsOwnExitCode() {
        // The probe tells a child that ran to its end (exit 97) from one that crashed on the way;
        // ProviderSelectionTest kills it on the way and sees every path refused.
        assumeTrue(Pidfd.isAvailable());
        for (int path : new int[] {LinuxNative.PATH_CLONE3, LinuxNative.PATH_CLONE_PIDFD, LinuxNative.PATH_CLONE_THEN_PIDFD_OPEN}) {
            int[] out = new int[3];
            int err = LinuxNative.pidfd4j_probe(path, 0, out);
            if (err != 0) {
                continue;  // refused here (a seccomp filter): ProviderSelectionTest covers the fallback
            }
            assertEquals(LinuxNative.PROBE_CHILD_EXIT, out[2], "probe child's end, path " + path);
        }
    }
}
