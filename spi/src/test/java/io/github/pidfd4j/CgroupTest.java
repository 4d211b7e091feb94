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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Children born in a cgroup ({@link SpawnOptions#withCgroup}, {@link SpawnOptions#withNewCgroup}) and a
 * kill of the whole tree through {@code cgroup.kill} ({@link ProcessTree}). Each test works in a cgroup
 * it creates under this JVM's own and removes afterwards; where the machine has no writable cgroup v2
 * hierarchy, or no clone3, they are skipped and say why.
 */
class CgroupTest {

    /** Generous bounds: these are conditions polled for, not timings. */
    private static final long BOUND_MILLIS = 10_000;

    private static final ProcessProvider PIDFD = ProcessProviders.byName("pidfd").orElseThrow();

    private Path parent;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void createParent() throws IOException {
        assumeTrue(PIDFD.isAvailable(), () -> "no pidfd provider here: " + PIDFD.unavailabilityCause());
        assumeTrue(PIDFD.spawnPath() == SpawnPath.CLONE3_PIDFD,
                () -> "the cgroup options need clone3, and this JVM spawns through " + PIDFD.spawnPath());
        parent = TestCgroups.create(getClass().getSimpleName() + "-" + System.nanoTime());
    }

    @AfterEach
    void removeParent() throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(60, TimeUnit.SECONDS);
        }
        if (parent != null) {
            TestCgroups.remove(parent);  // kills what a failed test left, then removes every cgroup
        }
    }

    private Process start(ProcessBuilder pb, SpawnOptions options) throws IOException {
        Process p = PIDFD.start(pb, options);
        started.add(p);
        return p;
    }

    private static boolean gone(long pid) {
        char s = Proc.state(pid);
        return s == '?' || s == 'Z';  // this machine's PID 1 may leave orphans as zombies
    }

    /** The test: a shell with two children of its own, each gone after one kill of the tree. */
    @Test
    void killOfTheCgroupLeavesNoSurvivor() throws Exception {
        Process p = start(Proc.sh("sleep 100 & sleep 100 & wait"), SpawnOptions.defaults().withNewCgroup(parent));
        Path own = ProcessTree.cgroup(p).orElseThrow();
        assertEquals(parent, own.getParent(), "the child's cgroup is created under the parent given");
        assertTrue(own.getFileName().toString().startsWith("pidfd4j-" + ProcessHandle.current().pid() + "-"), own::toString);
        assertTrue(Proc.eventually(BOUND_MILLIS, () -> TestCgroups.procs(own).size() == 3),
                () -> "sh and its two sleeps in " + own + ": " + TestCgroups.procs(own));
        List<Long> pids = TestCgroups.procs(own);
        assertTrue(pids.contains(p.pid()), () -> pids + " holds the child " + p.pid());

        assertTrue(ProcessTree.destroyCgroupForcibly(p), "the cgroup was there to kill");

        assertTrue(p.waitFor(BOUND_MILLIS, TimeUnit.MILLISECONDS), "the child dies");
        assertEquals(137, p.exitValue(), "killed by SIGKILL");
        assertTrue(Proc.eventually(BOUND_MILLIS, () -> pids.stream().allMatch(CgroupTest::gone)),
                () -> "survivors: " + pids.stream().filter(pid -> !gone(pid)).toList());
        assertTrue(Proc.eventually(BOUND_MILLIS, () -> !Files.exists(own)), () -> own + " is removed once empty");
        assertTrue(ProcessTree.cgroup(p).isEmpty(), "no cgroup once it is removed");
        assertFalse(ProcessTree.destroyCgroupForcibly(p), "nothing left to kill");
    }

    /** The leader exits first; its child lives on in the cgroup, which stays until that one is killed too. */
    @Test
    void theCgroupOutlivesTheChildUntilItsLastProcessIsGone() throws Exception {
        Process p = start(Proc.sh("sleep 100 & echo $!"), SpawnOptions.defaults().withNewCgroup(parent));
        long orphan = Long.parseLong(new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.US_ASCII)).readLine().trim());
        assertTrue(p.waitFor(BOUND_MILLIS, TimeUnit.MILLISECONDS));
        Path own = ProcessTree.cgroup(p).orElseThrow(() -> new AssertionError("the cgroup stays while sleep lives"));
        assertEquals(List.of(orphan), TestCgroups.procs(own));

        assertTrue(ProcessTree.destroyCgroupForcibly(p), "the reaped child's cgroup is still pidfd4j's to kill");
        assertTrue(Proc.eventually(BOUND_MILLIS, () -> gone(orphan)), "the orphan dies");
        assertTrue(Proc.eventually(BOUND_MILLIS, () -> !Files.exists(own)), () -> own + " is removed once empty");
        assertFalse(ProcessTree.destroyCgroupForcibly(p));
    }

    /** A child that simply exits: its cgroup goes with it. */
    @Test
    void anEmptiedCgroupIsRemoved() throws Exception {
        Process p = start(new ProcessBuilder("true"), SpawnOptions.defaults().withNewCgroup(parent));
        assertEquals(0, p.waitFor());
        assertTrue(Proc.eventually(BOUND_MILLIS, () -> {
            try {
                return TestCgroups.children(parent).isEmpty();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }), () -> "left under " + parent);
    }

    /** destroyCgroup: SIGTERM to each process of the cgroup, not only the child. */
    @Test
    void destroyCgroupSendsSigtermToEveryProcess() throws Exception {
        Process p = start(Proc.sh("sleep 100 & sleep 100 & wait"), SpawnOptions.defaults().withNewCgroup(parent));
        Path own = ProcessTree.cgroup(p).orElseThrow();
        assertTrue(Proc.eventually(BOUND_MILLIS, () -> TestCgroups.procs(own).size() == 3));
        List<Long> pids = TestCgroups.procs(own);

        assertTrue(ProcessTree.destroyCgroup(p));

        assertTrue(p.waitFor(BOUND_MILLIS, TimeUnit.MILLISECONDS), "the child dies");
        assertEquals(143, p.exitValue(), "by SIGTERM");
        assertTrue(Proc.eventually(BOUND_MILLIS, () -> pids.stream().allMatch(CgroupTest::gone)),
                () -> "survivors: " + pids.stream().filter(pid -> !gone(pid)).toList());
        assertTrue(Proc.eventually(BOUND_MILLIS, () -> !Files.exists(own)), () -> own + " is removed once empty");
    }

    /** withCgroup: the child is in the given cgroup from its first instruction (it reads its own cgroup). */
    @Test
    void aChildIsBornInTheCgroupGiven() throws Exception {
        Proc.Result r = Proc.run(new Provider(SpawnOptions.defaults().withCgroup(parent)),
                new ProcessBuilder("cat", "/proc/self/cgroup"));
        assertEquals(0, r.exit(), r.err());
        String line = r.out().lines().filter(l -> l.startsWith("0::")).findFirst().orElseThrow();
        assertEquals(TestCgroups.own().procLine(parent), line);
        assertTrue(TestCgroups.children(parent).isEmpty(), "no cgroup created for a given one");
    }

    /** With kill on parent death the spawn is made by pidfd4j's spawner thread: the cgroup still holds. */
    @Test
    void withKillOnParentDeathToo() throws Exception {
        SpawnOptions options = SpawnOptions.defaults().withKillOnParentDeath(true).withNewCgroup(parent);
        // Lives until its stdin closes: a child that exits at once can be reaped, and its cgroup
        // removed, before the test asks for it (CI saw that once, on JDK 25).
        Process p = start(Proc.sh("cat /proc/self/cgroup; exec cat"), options);
        Path own = ProcessTree.cgroup(p).orElseThrow();
        p.getOutputStream().close();
        String out = Proc.read(p.getInputStream());
        assertEquals(0, p.waitFor());
        assertTrue(out.lines().anyMatch(TestCgroups.own().procLine(own)::equals), out);
        assertTrue(Proc.eventually(BOUND_MILLIS, () -> !Files.exists(own)), () -> own + " is removed once empty");
    }

    /** A pipeline with withNewCgroup: each stage in a cgroup of its own. */
    @Test
    void eachStageOfAPipelineGetsItsOwn() throws Exception {
        // The first stage lives until its stdin closes, so that both cgroups exist while they are asked for.
        List<Process> stages = PIDFD.startPipeline(List.of(Proc.sh("cat /proc/self/cgroup; exec cat"),
                new ProcessBuilder("cat")), SpawnOptions.defaults().withNewCgroup(parent));
        started.addAll(stages);
        Path first = ProcessTree.cgroup(stages.get(0)).orElseThrow();
        Path second = ProcessTree.cgroup(stages.get(1)).orElseThrow();
        assertFalse(first.equals(second), first + " " + second);
        stages.get(0).getOutputStream().close();
        String out = Proc.read(stages.get(1).getInputStream());
        assertTrue(out.lines().anyMatch(TestCgroups.own().procLine(first)::equals), out);
    }

    /** Without the option, the JDK's answer: the child is in the JVM's own cgroup. */
    @Test
    void withoutTheOptionTheChildIsInTheJvmsCgroup() throws Exception {
        String jvm = Files.readAllLines(Path.of("/proc/self/cgroup")).stream().filter(l -> l.startsWith("0::"))
                .findFirst().orElseThrow();
        for (ProcessProvider provider : List.of(PIDFD, ProcessProviders.byName("jdk").orElseThrow())) {
            Proc.Result r = Proc.run(provider, new ProcessBuilder("cat", "/proc/self/cgroup"));
            assertEquals(jvm, r.out().lines().filter(l -> l.startsWith("0::")).findFirst().orElseThrow(),
                    provider::name);
        }
    }

    @Test
    void aRelativePathOrOneOffCgroup2IsRefused() throws Exception {
        Path marker = Files.createTempDirectory("cgroup-test").resolve("ran");
        ProcessBuilder touch = new ProcessBuilder("touch", marker.toString());
        IllegalArgumentException relative = assertThrows(IllegalArgumentException.class,
                () -> start(touch, SpawnOptions.defaults().withCgroup(Path.of("some/cgroup"))));
        assertTrue(relative.getMessage().contains("some/cgroup"), relative::getMessage);
        Path tmp = marker.getParent();
        IllegalArgumentException offMount = assertThrows(IllegalArgumentException.class,
                () -> start(touch, SpawnOptions.defaults().withNewCgroup(tmp)));
        assertTrue(offMount.getMessage().contains(tmp.toString()) && offMount.getMessage().contains("cgroup v2"),
                offMount::getMessage);
        assertFalse(Files.exists(marker), "nothing was started");
        Files.delete(tmp);
    }

    /** Off clone3 (forced here) nothing can place the child at its creation: refused, nothing started. */
    @Test
    void offClone3TheSpawnIsRefused() throws Exception {
        ProcessProvider clone = TestProviders.pidfd(SpawnPath.CLONE_PIDFD);
        assumeTrue(clone.isAvailable(), () -> "clone(CLONE_PIDFD) is refused here: " + clone.unavailabilityCause());
        Path marker = Files.createTempDirectory("cgroup-test").resolve("ran");
        for (SpawnOptions options : List.of(SpawnOptions.defaults().withCgroup(parent),
                SpawnOptions.defaults().withNewCgroup(parent))) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> clone.start(new ProcessBuilder("touch", marker.toString()), options));
            assertTrue(e.getMessage().contains("clone3 with CLONE_INTO_CGROUP (Linux 5.7)")
                    && e.getMessage().contains(SpawnPath.CLONE_PIDFD.toString()), e::getMessage);
        }
        assertFalse(Files.exists(marker), "nothing was started");
        assertTrue(TestCgroups.children(parent).isEmpty(), "no cgroup was created");
        Files.delete(marker.getParent());
    }

    @Test
    void aMissingCgroupIsAnIOExceptionNamingIt() {
        Path missing = parent.resolve("missing");
        IOException e = assertThrows(IOException.class,
                () -> start(new ProcessBuilder("true"), SpawnOptions.defaults().withCgroup(missing)));
        assertTrue(e.getMessage().contains(missing.toString()), e::getMessage);
        IOException under = assertThrows(IOException.class,
                () -> start(new ProcessBuilder("true"), SpawnOptions.defaults().withNewCgroup(missing)));
        assertTrue(under.getMessage().contains(missing.toString()), under::getMessage);
    }

    @Test
    void theJdkProviderRefusesTheOptions() {
        ProcessProvider jdk = ProcessProviders.byName("jdk").orElseThrow();
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> jdk.start(new ProcessBuilder("true"), SpawnOptions.defaults().withNewCgroup(parent)));
        assertTrue(e.getMessage().contains("newCgroup"), e::getMessage);
        e = assertThrows(UnsupportedOperationException.class,
                () -> jdk.start(new ProcessBuilder("true"), SpawnOptions.defaults().withCgroup(parent)));
        assertTrue(e.getMessage().contains("cgroup"), e::getMessage);
    }

    @Test
    void processTreeTellsWhatItCannotDo() throws Exception {
        Process plain = start(new ProcessBuilder("sleep", "100"), SpawnOptions.defaults());
        assertTrue(ProcessTree.cgroup(plain).isEmpty());
        assertThrows(IllegalStateException.class, () -> ProcessTree.destroyCgroupForcibly(plain));
        assertThrows(IllegalStateException.class, () -> ProcessTree.destroyCgroup(plain));
        Process jdk = new ProcessBuilder("true").start();
        jdk.waitFor();
        assertThrows(IllegalArgumentException.class, () -> ProcessTree.cgroup(jdk));
        assertThrows(IllegalArgumentException.class, () -> ProcessTree.destroyCgroupForcibly(jdk));
    }

    /** The pidfd provider with fixed options, for Proc.run. */
    private final class Provider implements ProcessProvider {
        private final SpawnOptions options;

        Provider(SpawnOptions options) {
            this.options = options;
        }

        @Override
        public String name() {
            return "pidfd with " + options;
        }

        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        public Throwable unavailabilityCause() {
            return null;
        }

        @Override
        public SpawnPath spawnPath() {
            return PIDFD.spawnPath();
        }

        @Override
        public Process start(ProcessBuilder pb) throws IOException {
            return CgroupTest.this.start(pb, options);
        }

        @Override
        public List<Process> startPipeline(List<ProcessBuilder> builders) {
            throw new UnsupportedOperationException();
        }
    }
}
