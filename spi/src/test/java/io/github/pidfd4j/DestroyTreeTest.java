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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code -Dpidfd4j.destroyTree=true} ({@link SpawnOptions#DESTROY_TREE_PROPERTY}) in a child JVM
 * ({@link DestroyTreeProbe}) that spawns a shell with two children of its own, as an unchanged program
 * would, and destroys it: with the property, none of the three survives, by cgroup where this JVM may
 * create one, else by process group; without it, as with the JDK, the shell's children live on.
 */
class DestroyTreeTest {

    private static final long BOUND_MILLIS = 10_000;

    private final List<Long> strays = new ArrayList<>();
    private Path parent;
    private Path leftBehind;

    @AfterEach
    void cleanUp() throws IOException {
        for (long pid : strays) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (parent != null) {
            TestCgroups.remove(parent);
        }
        if (leftBehind != null) {
            TestCgroups.remove(leftBehind);  // the probe's cgroup, if it failed before removing it
        }
    }

    /** What the probe printed. */
    private record Said(List<String> lines) {
        String get(String key) {
            return lines.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + key + " in " + lines));
        }

        List<Long> all(String key) {
            return lines.stream().filter(l -> l.startsWith(key + "=")).map(l -> Long.parseLong(l.substring(key.length() + 1)))
                    .toList();
        }

        List<String> logs() {
            return lines.stream().filter(l -> l.startsWith("log=")).toList();
        }
    }

    private Said probe(String how, String... props) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(List.of(props));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(DestroyTreeProbe.class.getName());
        cmd.add(how);
        Path stderr = Files.createTempFile(Path.of("target").toAbsolutePath(), "destroy-tree-", ".err");
        Process jvm = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        List<String> lines = new ArrayList<>();
        BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            lines.add(line);
            if (line.startsWith("child=") || line.startsWith("descendant=")) {
                strays.add(Long.parseLong(line.substring(line.indexOf('=') + 1)));  // killed whatever happens
            }
        }
        assertTrue(jvm.waitFor(60, TimeUnit.SECONDS));
        String err = Files.readString(stderr);
        Files.delete(stderr);
        assertEquals(0, jvm.exitValue(), () -> lines + "\n" + err);
        Said said = new Said(lines);
        assertEquals(2, said.all("descendant").size(), () -> "the shell started its two sleeps: " + lines);
        return said;
    }

    private static boolean gone(long pid) {
        char s = Proc.state(pid);
        return s == '?' || s == 'Z';  // this machine's PID 1 may leave orphans as zombies
    }

    private static void assertNoSurvivor(Said said) throws InterruptedException {
        List<Long> tree = new ArrayList<>(said.all("descendant"));
        tree.add(Long.parseLong(said.get("child")));
        assertTrue(Proc.eventually(BOUND_MILLIS, () -> tree.stream().allMatch(DestroyTreeTest::gone)),
                () -> "survivors: " + tree.stream().filter(pid -> !gone(pid)).toList() + " of " + said.lines());
    }

    private Path cgroupParent() throws IOException {
        assumeTrue(ProcessProviders.byName("pidfd").orElseThrow().spawnPath() == SpawnPath.CLONE3_PIDFD,
                "the cgroup way needs clone3");
        parent = TestCgroups.create(getClass().getSimpleName() + "-" + System.nanoTime());
        return parent;
    }

    private static void assertTheLogSays(Said said, String what) {
        List<String> logs = said.logs().stream().filter(l -> l.contains("destroyTree")).toList();
        assertEquals(1, logs.size(), () -> "one line says how: " + said.logs());
        assertTrue(logs.get(0).contains(what), logs::toString);
    }

    @Test
    void destroyForciblyKillsTheTreeThroughItsCgroup() throws Exception {
        Path under = cgroupParent();
        Said said = probe("forcibly", "-Dpidfd4j.destroyTree=true", "-Dpidfd4j.cgroupParent=" + under);
        assertTheLogSays(said, "every child is spawned into a new cgroup under " + under);
        assertEquals(under, Path.of(said.get("cgroup")).getParent(), said::toString);
        assertEquals("137", said.get("exit"));
        assertNoSurvivor(said);
        assertEquals("true", said.get("cgroupRemoved"), "the child's cgroup is removed once empty");
        assertTrue(TestCgroups.children(under).isEmpty());
    }

    @Test
    void destroySendsSigtermToTheTreeThroughItsCgroup() throws Exception {
        Path under = cgroupParent();
        Said said = probe("destroy", "-Dpidfd4j.destroyTree=true", "-Dpidfd4j.cgroupParent=" + under);
        assertEquals("143", said.get("exit"));
        assertNoSurvivor(said);
        assertEquals("true", said.get("cgroupRemoved"));
    }

    /** Without -Dpidfd4j.cgroupParent: under the JVM's own cgroup v2. */
    @Test
    void theDefaultParentIsTheJvmsOwnCgroup() throws Exception {
        cgroupParent();  // skips where this JVM may not create a cgroup in its own
        Said said = probe("forcibly", "-Dpidfd4j.destroyTree=true");
        if (!said.get("cgroup").equals("none")) {
            leftBehind = Path.of(said.get("cgroup"));
        }
        Path own = TestCgroups.own().directory();  // the probe JVM's, which is this one's
        assertEquals(own, Path.of(said.get("cgroup")).getParent(), said::toString);
        assertNoSurvivor(said);
        assertEquals("true", said.get("cgroupRemoved"));
    }

    /** Off clone3 (forced here) no child can be born in a cgroup: each leads a new process group instead. */
    @Test
    void destroyForciblyKillsTheTreeThroughItsProcessGroupOffClone3() throws Exception {
        Said said = probe("forcibly", "-Dpidfd4j.destroyTree=true", "-Dpidfd4j.spawnPath=clone-pidfd");
        assertTheLogSays(said, "every child leads a new process group");
        assertEquals(said.get("child"), said.get("pgid"), "the child leads its own group");
        assertEquals("none", said.get("cgroup"));
        assertEquals("137", said.get("exit"));
        assertNoSurvivor(said);
    }

    /** Where the cgroup parent cannot be used (here: not on a cgroup v2 mount), the process group, saying why. */
    @Test
    void destroySendsSigtermToTheProcessGroupWhereNoCgroupCanBeMade() throws Exception {
        Said said = probe("destroy", "-Dpidfd4j.destroyTree=true", "-Dpidfd4j.cgroupParent=/tmp");
        assertTheLogSays(said, "every child leads a new process group");
        assertTheLogSays(said, "/tmp");
        assertEquals(said.get("child"), said.get("pgid"));
        assertEquals("143", said.get("exit"));
        assertNoSurvivor(said);
    }

    /** The JDK's behaviour stays without the property: the shell dies, its children live on. */
    @Test
    void withoutThePropertyOnlyTheChildDies() throws Exception {
        Said said = probe("forcibly");
        assertEquals("none", said.get("cgroup"));
        assertEquals("137", said.get("exit"));
        for (long pid : said.all("descendant")) {
            assertFalse(gone(pid), () -> pid + " lives on, as with the JDK: " + said.lines());
        }
        assertTrue(said.logs().stream().noneMatch(l -> l.contains("destroyTree")), said::toString);
    }
}
