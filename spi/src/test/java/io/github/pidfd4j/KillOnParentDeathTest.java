package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Children that die with their JVM ({@link SpawnOptions#killOnParentDeath()}): a JVM
 * ({@link ParentDeathProbe}) starts {@code sleep 100} children and is killed with SIGKILL; its
 * children must then be dead (gone, or zombies: the PID 1 of some machines, this one's included,
 * does not reap orphans), and without the option they must live on.
 */
class KillOnParentDeathTest {

    /** Generous: the signal is sent as the JVM's last thread exits; the issue asks for a second. */
    private static final long DEATH_BOUND_MILLIS = 5_000;

    private final List<Long> strays = new ArrayList<>();

    @AfterEach
    void killStrays() {
        for (long pid : strays) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** A probe JVM that has started its children, and what it printed. */
    private final class Probe {
        final Process jvm;
        final Map<String, String> said = new LinkedHashMap<>();
        final List<Long> children = new ArrayList<>();
        final Path stderr;

        Probe(List<String> props, String... args) throws Exception {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.addAll(props);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(ParentDeathProbe.class.getName());
            cmd.addAll(List.of(args));
            stderr = Files.createTempFile(Path.of("target").toAbsolutePath(), "parent-death-", ".err");
            jvm = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null && !line.equals("ready"); ) {
                int eq = line.indexOf('=');
                if (line.startsWith("child=")) {
                    long pid = Long.parseLong(line.substring(eq + 1));
                    children.add(pid);
                    strays.add(pid);  // whatever happens, the test kills what is left
                } else if (eq > 0) {
                    said.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            assertEquals(3, children.size(), () -> "the probe did not start its children: " + said + "\n" + err());
            for (long pid : children) {
                assertTrue(alive(pid), pid + " runs before the JVM is killed");
            }
        }

        /** SIGKILL (destroyForcibly), and wait until the JVM is gone. */
        void kill() throws InterruptedException {
            jvm.destroyForcibly();
            assertTrue(jvm.waitFor(60, TimeUnit.SECONDS));
        }

        String err() {
            try {
                return Files.readString(stderr);
            } catch (IOException e) {
                return e.toString();
            }
        }
    }

    /** Running or sleeping: neither gone nor a zombie. */
    private static boolean alive(long pid) {
        char s = Proc.state(pid);
        return s != '?' && s != 'Z';
    }

    private static boolean allDead(List<Long> pids) {
        for (long pid : pids) {
            if (alive(pid)) {
                return false;
            }
        }
        return true;
    }

    /** Kills the probe and asserts its children die; prints how long that took. */
    private static void assertChildrenDieWith(Probe probe, String what) throws Exception {
        probe.kill();
        long killed = System.nanoTime();
        boolean dead = Proc.eventually(DEATH_BOUND_MILLIS, () -> allDead(probe.children));
        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - killed);
        System.out.println("[kill-on-parent-death] " + what + ": children dead " + micros + " us after the JVM was reaped");
        assertTrue(dead, () -> "children still alive " + DEATH_BOUND_MILLIS + " ms after the JVM died: " + states(probe.children)
                + "\n" + probe.err());
    }

    private static String states(List<Long> pids) {
        StringBuilder b = new StringBuilder();
        for (long pid : pids) {
            b.append(pid).append('=').append(Proc.state(pid)).append(' ');
        }
        return b.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void childrenWithTheOptionDieWithTheKilledJvm(ProcessProvider provider) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        Probe probe = new Probe(List.of(), "option", provider.spawnPath().name());
        assertEquals("false", probe.said.get("spawnerBefore"));
        assertEquals("true", probe.said.get("spawner"), "the parent-death spawner runs once the option was used");
        assertChildrenDieWith(probe, provider.spawnPath() + ", per-spawn option");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void childrenWithoutTheOptionLiveOn(ProcessProvider provider) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        Probe probe = new Probe(List.of(), "plain", provider.spawnPath().name());
        assertEquals("false", probe.said.get("spawner"), "no spawner thread for spawns without the option");
        probe.kill();
        // As long as the option's children take to die at most (they die within milliseconds), and more.
        assertFalse(Proc.eventually(1_000, () -> allDead(probe.children)), () -> states(probe.children));
        for (long pid : probe.children) {
            assertTrue(alive(pid), () -> states(probe.children));
        }
    }

    /** -Dpidfd4j.killOnParentDeath=true: spawns without options die with the JVM too. */
    @Test
    void theGlobalPropertyCoversSpawnsWithoutOptions() throws Exception {
        Probe probe = new Probe(List.of("-D" + SpawnOptions.KILL_ON_PARENT_DEATH_PROPERTY + "=true"), "selected");
        assertEquals("pidfd", probe.said.get("provider"));
        assertEquals("true", probe.said.get("spawner"));
        assertChildrenDieWith(probe, "global property");
        assertEquals("", probe.err(), "nothing on stderr");
    }

    /**
     * -Dpidfd4j.autokill=true on a kernel without CLONE_PIDFD_AUTOKILL (before Linux 7.1, as here):
     * the parent-death signal is used instead, and the children still die.
     */
    @Test
    void theAutokillPropertyFallsBackToTheParentDeathSignal() throws Exception {
        assumeTrue(!io.github.pidfd4j.linux.TestProviders.autokillSupported(), "this kernel has CLONE_PIDFD_AUTOKILL");
        Probe probe = new Probe(List.of("-Dpidfd4j.autokill=true", "-D" + SpawnOptions.KILL_ON_PARENT_DEATH_PROPERTY + "=true"),
                "selected");
        assertEquals("CLONE3_PIDFD", probe.said.get("path"), "the path on which autokill would be used");
        assertEquals("true", probe.said.get("spawner"), "the fallback: the parent-death spawner");
        assertChildrenDieWith(probe, "autokill requested, fallback");
    }

    /** An invalid value: one warning, and the property is ignored. */
    @Test
    void anInvalidValueIsIgnoredWithAWarning() throws Exception {
        Probe probe = new Probe(List.of("-D" + SpawnOptions.KILL_ON_PARENT_DEATH_PROPERTY + "=yes"), "selected");
        assertEquals("false", probe.said.get("spawner"));
        probe.kill();
        String err = probe.err();
        assertEquals(1, count(err, "ignoring -Dpidfd4j.killOnParentDeath=yes: expected true or false"), err);
        assertFalse(Proc.eventually(1_000, () -> allDead(probe.children)), () -> states(probe.children));
    }

    /** Where the JDK spawns, the property cannot be honoured: one warning, not a failure per spawn. */
    @Test
    void theJdkProviderWarnsOnceThatItCannotHonourTheProperty() throws Exception {
        Probe probe = new Probe(List.of("-D" + SpawnOptions.KILL_ON_PARENT_DEATH_PROPERTY + "=true",
                "-D" + ProcessProviders.PROVIDER_PROPERTY + "=jdk"), "selected");
        assertEquals("jdk", probe.said.get("provider"));
        probe.kill();
        String err = probe.err();
        assertEquals(1, count(err, "-Dpidfd4j.killOnParentDeath=true cannot be honoured: the \"jdk\" process provider"
                + " starts the processes; the children it starts will outlive this JVM"), err);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }

    /**
     * The parent-death signal follows the thread that created the child: a child started with the
     * option from a thread that has since ended must still run while the JVM does.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void aChildOfAnEndedThreadLivesWhileTheJvmDoes(ProcessProvider provider) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        Process[] child = new Process[1];
        String[] task = new String[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                task[0] = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();  // "<pid>/task/<tid>"
                child[0] = provider.start(new ProcessBuilder("sleep", "100"), SpawnOptions.defaults().withKillOnParentDeath(true));
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        t.join();
        assertEquals(null, failure[0]);
        Process p = child[0];
        try {
            // The kernel sends the signal as the thread exits, before its /proc entry goes: wait for that.
            Path taskDir = Path.of("/proc").resolve(task[0]);
            assertTrue(Proc.eventually(10_000, () -> !Files.exists(taskDir)), taskDir + " is still there");
            assertFalse(p.waitFor(1, TimeUnit.SECONDS), "the child died with the thread that started it");
            assertTrue(alive(p.pid()));
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /**
     * A spawn, once handed to the spawner thread, cannot be recalled: an interrupted caller still gets
     * its process, and keeps its interrupt.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void anInterruptedCallerGetsItsProcessAndKeepsTheInterrupt(ProcessProvider provider) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        Thread.currentThread().interrupt();
        Process p;
        try {
            p = provider.start(new ProcessBuilder("true"), SpawnOptions.defaults().withKillOnParentDeath(true));
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt is kept");
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
    }
}
