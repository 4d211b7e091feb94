package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The SpawnOptions API: its value semantics, and who honours or rejects an option. */
class SpawnOptionsTest {

    private static final SpawnOptions KILL = SpawnOptions.defaults().withKillOnParentDeath(true);
    private static final SpawnOptions GROUP = SpawnOptions.defaults().withNewProcessGroup(true);
    private static final SpawnOptions SESSION = SpawnOptions.defaults().withNewSession(true);

    @Test
    void immutableValues() {
        SpawnOptions d = SpawnOptions.defaults();
        assertFalse(d.killOnParentDeath());
        assertTrue(d.isDefault());
        assertTrue(KILL.killOnParentDeath());
        assertFalse(KILL.isDefault());
        assertFalse(d.killOnParentDeath(), "the wither left the defaults alone");
        assertSame(d, d.withKillOnParentDeath(false), "nothing changed: the same instance");
        assertEquals(d, KILL.withKillOnParentDeath(false));
        assertEquals(d.hashCode(), KILL.withKillOnParentDeath(false).hashCode());
        assertEquals(KILL, d.withKillOnParentDeath(true));
        assertEquals(KILL.hashCode(), d.withKillOnParentDeath(true).hashCode());
        assertNotEquals(d, KILL);
        assertNotEquals(KILL, null);
        assertEquals("SpawnOptions[killOnParentDeath=false, newProcessGroup=false, newSession=false]", d.toString());
        assertEquals("SpawnOptions[killOnParentDeath=true, newProcessGroup=false, newSession=false]", KILL.toString());
    }

    @Test
    void groupAndSessionAreValuesOfTheirOwn() {
        SpawnOptions d = SpawnOptions.defaults();
        assertFalse(d.newProcessGroup());
        assertFalse(d.newSession());
        assertTrue(GROUP.newProcessGroup());
        assertFalse(GROUP.newSession());
        assertFalse(GROUP.killOnParentDeath());
        assertTrue(SESSION.newSession());
        assertFalse(SESSION.newProcessGroup(), "implied in the child, not set in the value");
        assertFalse(GROUP.isDefault());
        assertFalse(SESSION.isDefault());
        assertSame(GROUP, GROUP.withNewProcessGroup(true));
        assertSame(SESSION, SESSION.withNewSession(true));
        assertEquals(d, GROUP.withNewProcessGroup(false));
        assertEquals(d, SESSION.withNewSession(false));
        assertEquals(d.hashCode(), SESSION.withNewSession(false).hashCode());
        SpawnOptions all = KILL.withNewProcessGroup(true).withNewSession(true);
        assertEquals(all, SESSION.withNewProcessGroup(true).withKillOnParentDeath(true), "order does not matter");
        assertEquals(all.hashCode(), SESSION.withNewProcessGroup(true).withKillOnParentDeath(true).hashCode());
        assertNotEquals(GROUP, SESSION);
        assertNotEquals(GROUP.hashCode(), SESSION.hashCode());
        assertNotEquals(KILL, GROUP);
        assertEquals("SpawnOptions[killOnParentDeath=false, newProcessGroup=true, newSession=false]", GROUP.toString());
        assertEquals("SpawnOptions[killOnParentDeath=true, newProcessGroup=true, newSession=true]", all.toString());
    }

    /** The cgroup options: one replaces the other, null clears, equality and toString include them. */
    @Test
    void cgroupOptionsReplaceEachOther() {
        SpawnOptions d = SpawnOptions.defaults();
        Path a = Path.of("/sys/fs/cgroup/a");
        SpawnOptions given = d.withCgroup(a);
        SpawnOptions fresh = d.withNewCgroup(a);
        assertEquals(a, given.cgroup().orElseThrow());
        assertTrue(given.newCgroupParent().isEmpty());
        assertEquals(a, fresh.newCgroupParent().orElseThrow());
        assertTrue(fresh.cgroup().isEmpty());
        assertTrue(d.cgroup().isEmpty() && d.newCgroupParent().isEmpty());
        assertEquals(fresh, given.withNewCgroup(a), "the one replaces the other");
        assertEquals(given, fresh.withCgroup(a));
        assertNotEquals(given, fresh);
        assertEquals(d, given.withCgroup(null));
        assertEquals(d, fresh.withNewCgroup(null));
        assertSame(given, given.withCgroup(Path.of("/sys/fs/cgroup/a")));
        assertFalse(given.isDefault());
        assertEquals(given.hashCode(), d.withCgroup(Path.of("/sys/fs/cgroup/a")).hashCode());
        assertEquals("SpawnOptions[killOnParentDeath=true, newProcessGroup=false, newSession=false, cgroup=/sys/fs/cgroup/a]", given.withKillOnParentDeath(true).toString());
        assertEquals("SpawnOptions[killOnParentDeath=false, newProcessGroup=false, newSession=false, newCgroup=/sys/fs/cgroup/a]", fresh.toString());
        assertEquals(a, fresh.withKillOnParentDeath(true).newCgroupParent().orElseThrow(), "kept by the other wither");
    }

    /** The JDK cannot honour the option: it says so, names it, points to pidfd, and starts nothing. */
    @Test
    void jdkProviderRejectsWhatItCannotHonour(@TempDir Path dir) {
        Path marker = dir.resolve("started");
        ProcessBuilder pb = Proc.sh("touch " + marker);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Contenders.JDK.start(pb, KILL));
        assertEquals("SpawnOptions.killOnParentDeath is not supported by the \"jdk\" process provider: the JDK cannot"
                + " do it; use the \"pidfd\" provider (ProcessProviders.byName(\"pidfd\"), Linux only)", e.getMessage());
        UnsupportedOperationException p = assertThrows(UnsupportedOperationException.class,
                () -> Contenders.JDK.startPipeline(List.of(pb, new ProcessBuilder("cat")), KILL));
        assertEquals(e.getMessage(), p.getMessage());
        assertEquals("SpawnOptions.newProcessGroup is not supported by the \"jdk\" process provider: the JDK cannot"
                + " do it; use the \"pidfd\" provider (ProcessProviders.byName(\"pidfd\"), Linux only)",
                assertThrows(UnsupportedOperationException.class, () -> Contenders.JDK.start(pb, GROUP)).getMessage());
        assertTrue(assertThrows(UnsupportedOperationException.class, () -> Contenders.JDK.start(pb, SESSION))
                .getMessage().startsWith("SpawnOptions.newSession is not supported by the \"jdk\" process provider: "));
        assertTrue(assertThrows(UnsupportedOperationException.class,
                () -> Contenders.JDK.startPipeline(List.of(pb), KILL.withNewSession(true).withNewProcessGroup(true)))
                .getMessage().startsWith("SpawnOptions.killOnParentDeath, SpawnOptions.newProcessGroup, "
                        + "SpawnOptions.newSession are not supported by the \"jdk\" process provider: "));
        assertFalse(Files.exists(marker), "nothing was started");
    }

    /** The process group (field 5) and session (field 6) of /proc/<pid>/stat. */
    private static long[] groupAndSession(long pid) {
        return new long[] {Long.parseLong(Proc.statField(pid, 5)), Long.parseLong(Proc.statField(pid, 6))};
    }

    /** The JDK is the oracle: without the options a child stays in the JVM's process group and session. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void aDefaultChildStaysInTheJvmsGroupAndSession(ProcessProvider provider) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        long[] jvm = groupAndSession(ProcessHandle.current().pid());
        for (SpawnOptions options : List.of(SpawnOptions.defaults(), KILL)) {
            if (!options.isDefault() && provider == Contenders.JDK) {
                continue;  // rejected, see above
            }
            Process p = provider.start(new ProcessBuilder("sleep", "100"), options);
            try {
                assertTrue(Proc.eventually(10_000, () -> "sleep".equals(comm(p.pid()))), "exec'd");
                assertArrayEquals(jvm, groupAndSession(p.pid()), options::toString);
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    /** newProcessGroup: pgid == pid, the JVM's session; newSession: both == pid. On every path, with and without kill on parent death. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void theChildLeadsANewGroupOrSession(ProcessProvider provider) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        long jvmSession = groupAndSession(ProcessHandle.current().pid())[1];
        for (SpawnOptions options : List.of(GROUP, SESSION, GROUP.withNewSession(true), GROUP.withKillOnParentDeath(true),
                SESSION.withKillOnParentDeath(true))) {
            Process p = provider.start(new ProcessBuilder("sleep", "100"), options);
            try {
                assertTrue(Proc.eventually(10_000, () -> "sleep".equals(comm(p.pid()))), "exec'd");
                long session = options.newSession() ? p.pid() : jvmSession;
                assertArrayEquals(new long[] {p.pid(), session}, groupAndSession(p.pid()), options::toString);
                assertEquals(String.valueOf(ProcessHandle.current().pid()), Proc.statField(p.pid(), 4),
                        () -> "the parent is the JVM: " + options);
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
        List<Process> pipe = provider.startPipeline(List.of(new ProcessBuilder("echo", "piped"), new ProcessBuilder("cat")),
                GROUP);
        assertEquals("piped\n", Proc.read(pipe.get(1).getInputStream()));
        for (Process p : pipe) {
            assertEquals(0, p.waitFor());
        }
        // The options change nothing the JDK's API shows: output, exit value, the message of a failed exec.
        Proc.Result r = Proc.run(new Optioned(provider, SESSION), Proc.sh("echo out; echo err >&2; exit 3"));
        assertEquals(new Proc.Result(3, "out\n", "err\n"), r);
        IOException jdk = assertThrows(IOException.class, () -> new ProcessBuilder("pidfd4j-no-such-program").start());
        IOException ours = assertThrows(IOException.class,
                () -> provider.start(new ProcessBuilder("pidfd4j-no-such-program"), GROUP));
        assertEquals(jdk.getMessage(), ours.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void defaultsStartAsWithoutOptions(ProcessProvider provider) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        Proc.Result r = Proc.run(new Optioned(provider, SpawnOptions.defaults()), Proc.sh("echo out; echo err >&2; exit 3"));
        assertEquals(new Proc.Result(3, "out\n", "err\n"), r);
        List<Process> pipe = provider.startPipeline(List.of(new ProcessBuilder("echo", "piped"), new ProcessBuilder("cat")),
                SpawnOptions.defaults());
        assertEquals("piped\n", Proc.read(pipe.get(1).getInputStream()));
    }

    /** With the option the pidfd provider still behaves as the JDK does, pipelines and failures included. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void pidfdHonoursTheOptionWithTheJdksBehaviour(ProcessProvider provider) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        Proc.Result r = Proc.run(new Optioned(provider, KILL), Proc.sh("echo out; echo err >&2; exit 3"));
        assertEquals(new Proc.Result(3, "out\n", "err\n"), r);
        List<Process> pipe = provider.startPipeline(List.of(new ProcessBuilder("echo", "piped"), new ProcessBuilder("cat")), KILL);
        assertEquals("piped\n", Proc.read(pipe.get(1).getInputStream()));
        for (Process p : pipe) {
            assertEquals(0, p.waitFor());
        }
        IOException jdk = assertThrows(IOException.class, () -> new ProcessBuilder("pidfd4j-no-such-program").start());
        IOException ours = assertThrows(IOException.class,
                () -> provider.start(new ProcessBuilder("pidfd4j-no-such-program"), KILL));
        assertEquals(jdk.getMessage(), ours.getMessage());
        // The failure above did not stop the spawner thread.
        assertEquals(0, Proc.run(new Optioned(provider, KILL), new ProcessBuilder("true")).exit());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void nullArgumentsAsTheJdk(ProcessProvider provider) {
        ProcessBuilder pb = new ProcessBuilder("true");
        assertThrows(NullPointerException.class, () -> provider.start(null, SpawnOptions.defaults()));
        assertThrows(NullPointerException.class, () -> provider.start(pb, null));
        assertThrows(NullPointerException.class, () -> provider.startPipeline(null, SpawnOptions.defaults()));
        assertThrows(NullPointerException.class, () -> provider.startPipeline(List.of(pb), null));
        assertThrows(NullPointerException.class, () -> ProcessBuilder.startPipeline(null));  // the oracle
    }

    /** A provider that predates SpawnOptions compiles unchanged, accepts the defaults and rejects the rest. */
    @Test
    void aThirdPartyProviderRejectsOptionsByDefault() throws Exception {
        ProcessProvider legacy = new ProcessProvider() {
            @Override
            public String name() {
                return "legacy";
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
                return SpawnPath.JDK;
            }

            @Override
            public Process start(ProcessBuilder pb) throws IOException {
                return pb.start();
            }

            @Override
            public List<Process> startPipeline(List<ProcessBuilder> builders) throws IOException {
                return ProcessBuilder.startPipeline(builders);
            }
        };
        assertEquals(0, Proc.run(new Optioned(legacy, SpawnOptions.defaults()), new ProcessBuilder("true")).exit());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> legacy.start(new ProcessBuilder("true"), KILL));
        assertEquals("SpawnOptions.killOnParentDeath is not supported by the \"legacy\" process provider", e.getMessage());
        assertThrows(UnsupportedOperationException.class, () -> legacy.startPipeline(List.of(new ProcessBuilder("true")), KILL));
    }

    /** A provider whose start(pb) passes the options, for Proc.run. */
    private static final class Optioned implements ProcessProvider {
        private final ProcessProvider provider;
        private final SpawnOptions options;

        Optioned(ProcessProvider provider, SpawnOptions options) {
            this.provider = provider;
            this.options = options;
        }

        @Override
        public String name() {
            return provider.name();
        }

        @Override
        public boolean isAvailable() {
            return provider.isAvailable();
        }

        @Override
        public Throwable unavailabilityCause() {
            return provider.unavailabilityCause();
        }

        @Override
        public SpawnPath spawnPath() {
            return provider.spawnPath();
        }

        @Override
        public Process start(ProcessBuilder pb) throws IOException {
            return provider.start(pb, options);
        }

        @Override
        public List<Process> startPipeline(List<ProcessBuilder> builders) throws IOException {
            return provider.startPipeline(builders, options);
        }
    }
}
