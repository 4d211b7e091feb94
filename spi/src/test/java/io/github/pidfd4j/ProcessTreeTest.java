package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.pidfd4j.linux.TestProviders;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ProcessTree}: a group signal reaches every descendant that stayed in the child's group, and
 * is never sent once pidfd4j has reaped the leader. A feature the JDK lacks: the evidence is read from
 * /proc, not from pidfd4j. Each test runs through the pidfd (Linux 6.9+, where this kernel has it) and
 * through kill(-pgid) under the reap lock (the way of older kernels, forced here).
 */
class ProcessTreeTest {

    private static final int SIGKILL = 9;
    private static final int SIGTERM = 15;
    private static final SpawnOptions GROUP = SpawnOptions.defaults().withNewProcessGroup(true);
    private static final SpawnOptions SESSION = SpawnOptions.defaults().withNewSession(true);

    /** How the group is signalled: the public API (the pidfd flag where the kernel has it) or kill(-pgid). */
    enum Way {
        API, KILL_PGID;

        boolean signal(Process p, int sig) {
            if (this == KILL_PGID) {
                return TestProviders.signalGroupWithoutPidfd(p, sig);
            }
            return sig == SIGKILL ? ProcessTree.destroyGroupForcibly(p) : ProcessTree.destroyGroup(p);
        }
    }

    static Stream<Arguments> pathsAndWays() {
        List<Arguments> all = new ArrayList<>();
        Contenders.pidfd().forEach(provider -> {
            for (Way way : Way.values()) {
                all.add(Arguments.of(provider, way));
            }
        });
        return all.stream();
    }

    /** The pids of the processes in process group pgid, from /proc (zombies included). */
    private static List<Long> members(long pgid) throws IOException {
        List<Long> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path dir : (Iterable<Path>) procs::iterator) {
                String name = dir.getFileName().toString();
                if (name.chars().allMatch(Character::isDigit)) {
                    String group = Proc.statField(Long.parseLong(name), 5);
                    if (String.valueOf(pgid).equals(group)) {
                        found.add(Long.parseLong(name));
                    }
                }
            }
        }
        return found;
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean goneOrZombie(long pid) {
        char state = Proc.state(pid);
        return state == '?' || state == 'Z';
    }

    /** Starts sh with two sleeps in the background; returns once all three run in the child's group. */
    private static List<Long> startTree(ProcessProvider provider, SpawnOptions options, Process[] started) throws Exception {
        Process p = provider.start(Proc.sh("sleep 100 & sleep 100 & wait"), options);
        started[0] = p;
        List<Long> group = new ArrayList<>();
        assertTrue(Proc.eventually(30_000, () -> {
            try {
                group.clear();
                group.addAll(members(p.pid()));
            } catch (IOException e) {
                return false;
            }
            return group.size() == 3 && group.stream().filter(pid -> pid != p.pid()).allMatch(pid -> "sleep".equals(comm(pid)));
        }), () -> "sh and its two sleeps in group " + p.pid() + ": " + group);
        return group;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("pathsAndWays")
    void aForcedGroupKillLeavesNoSurvivor(ProcessProvider provider, Way way) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        for (SpawnOptions options : List.of(GROUP, SESSION)) {
            Process[] started = new Process[1];
            List<Long> tree = startTree(provider, options, started);
            Process p = started[0];
            try {
                if (options.newSession()) {
                    for (long pid : tree) {
                        assertEquals(String.valueOf(p.pid()), Proc.statField(pid, 6), "the child's session: " + pid);
                    }
                }
                assertTrue(way.signal(p, SIGKILL), "sent");
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                assertEquals(137, p.exitValue(), "the leader died of SIGKILL");
                // The sleeps were reparented when sh died: dead means gone or a zombie, since reaping them is
                // their new parent's job (init or a subreaper, which on some machines never reaps), not pidfd4j's.
                assertTrue(Proc.eventually(30_000, () -> tree.stream().allMatch(ProcessTreeTest::goneOrZombie)),
                        () -> "no survivor of " + tree + ": states " + tree.stream().map(Proc::state).toList());
                assertFalse(way.signal(p, SIGKILL), "reaped: nothing more is sent");
            } finally {
                p.destroyForcibly().waitFor();
                for (long pid : tree) {
                    ProcessHandle.of(pid).filter(h -> String.valueOf(p.pid()).equals(Proc.statField(pid, 5)))
                            .ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("pathsAndWays")
    void aGroupTermEndsTheTreeAsKillTermWould(ProcessProvider provider, Way way) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        Process[] started = new Process[1];
        List<Long> tree = startTree(provider, GROUP.withKillOnParentDeath(true), started);
        Process p = started[0];
        try {
            assertTrue(way.signal(p, SIGTERM), "sent");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(143, p.exitValue(), "the leader died of SIGTERM");
            assertTrue(Proc.eventually(30_000, () -> tree.stream().allMatch(ProcessTreeTest::goneOrZombie)),
                    () -> "no survivor of " + tree + ": states " + tree.stream().map(Proc::state).toList());
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /** Once pidfd4j has reaped the leader the group id may be reused: nothing is sent, to no one. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("pathsAndWays")
    void afterTheLeadersReapNothingIsSent(ProcessProvider provider, Way way) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        // sh starts a sleep in the background (same group: no job control) and exits at once.
        Process p = provider.start(Proc.sh("sleep 100 >/dev/null & echo $!"), GROUP);
        long survivor;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            survivor = Long.parseLong(out.readLine().strip());
        }
        try {
            p.onExit().get(30, TimeUnit.SECONDS);
            assertEquals(String.valueOf(p.pid()), Proc.statField(survivor, 5), "the sleep is in the leader's group");
            assertFalse(way.signal(p, SIGKILL), "the leader was reaped: not sent");
            if (way == Way.API) {
                assertFalse(ProcessTree.destroyGroup(p));
            }
            // A SIGKILL sent would have it dead or a zombie within moments; give it a generous while.
            assertFalse(Proc.eventually(1_000, () -> goneOrZombie(survivor)), "the group member was not signalled");
            assertEquals(String.valueOf(p.pid()), Proc.statField(survivor, 5), "still alive, still in the group");
        } finally {
            ProcessHandle.of(survivor).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aChildNotLeadingAGroupIsRefusedAndItsGroupLeftAlone() throws Exception {
        Process p = Contenders.anyPidfd().start(new ProcessBuilder("sleep", "100"), SpawnOptions.defaults());
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ProcessTree.destroyGroupForcibly(p));
            assertTrue(e.getMessage().contains("withNewProcessGroup"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> ProcessTree.destroyGroup(p));
            assertThrows(IllegalArgumentException.class, () -> TestProviders.signalGroupWithoutPidfd(p, SIGKILL));
            assertTrue(p.isAlive(), "the child (in the JVM's group) got nothing");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aProcessPidfd4jDidNotStartIsRefused() throws Exception {
        Process jdk = Contenders.JDK.start(new ProcessBuilder("sleep", "100"));
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcessTree.destroyGroup(jdk));
            assertTrue(e.getMessage().contains("not started by pidfd4j"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ProcessTree.destroyGroupForcibly(jdk));
            assertTrue(jdk.isAlive());
        } finally {
            jdk.destroyForcibly().waitFor();
        }
        assertThrows(NullPointerException.class, () -> ProcessTree.destroyGroup(null));
        assertThrows(NullPointerException.class, () -> ProcessTree.destroyGroupForcibly(null));
    }

    /** Says which way the API takes here, so that a run on an older kernel shows what it tested. */
    @Test
    void theApiUsesThePidfdWhereTheKernelHasTheFlag() {
        Contenders.anyPidfd();
        String release = System.getProperty("os.version");
        System.out.println("[pidfd4j] group signals on Linux " + release + ": "
                + (TestProviders.groupSignalThroughPidfd() ? "pidfd_send_signal(PIDFD_SIGNAL_PROCESS_GROUP)" : "kill(-pgid)"));
        String[] v = release.split("[.-]");
        boolean atLeast69 = Integer.parseInt(v[0]) > 6 || Integer.parseInt(v[0]) == 6 && Integer.parseInt(v[1]) >= 9;
        if (atLeast69) {
            assertTrue(TestProviders.groupSignalThroughPidfd(), "Linux 6.9+ has PIDFD_SIGNAL_PROCESS_GROUP");
        }
    }
}
