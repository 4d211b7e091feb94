package io.github.pidfd4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An unchanged program under the agent with {@code -Dpidfd4j.destroyTree=true} destroys a shell that
 * started two children of its own: none of the three survives, and the shell's own cgroup (where this
 * machine lets the JVM create one) is removed once empty. Without the property, as with the JDK, the
 * shell's children live on.
 */
class DestroyTreeIT {

    private static final String PROPERTY = "-Dpidfd4j.destroyTree=true";
    private static final long BOUND_MILLIS = 10_000;

    private final List<Long> strays = new ArrayList<>();
    private Path leftBehind;

    static List<Jdk> jdks() {
        return Jdk.all();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (long pid : strays) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (leftBehind != null && Files.isDirectory(leftBehind)) {  // a failed test's cgroup: kill, then remove
            Files.writeString(leftBehind.resolve("cgroup.kill"), "1");
            Poll.until(BOUND_MILLIS, () -> leftBehind.toFile().delete());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void destroyForciblyKillsTheWholeTree(Jdk jdk) throws Exception {
        Tree t = run(Jvm.on(jdk).agent().option(PROPERTY), "forcibly");
        assertEquals("137", t.exit, t::toString);
        assertNoSurvivor(t);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void destroySendsSigtermToTheWholeTree(Jdk jdk) throws Exception {
        Tree t = run(Jvm.on(jdk).agent().option(PROPERTY), "destroy");
        assertEquals("143", t.exit, t::toString);
        assertNoSurvivor(t);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void withoutThePropertyTheShellsChildrenLiveOn(Jdk jdk) throws Exception {
        Tree t = run(Jvm.on(jdk).agent(), "forcibly");
        assertEquals("137", t.exit, t::toString);
        assertFalse(Poll.until(500, () -> t.descendants.stream().anyMatch(DestroyTreeIT::gone)), t::toString);
        assertEquals(t.jvmCgroup, t.cgroup, "in the JVM's own cgroup, as with the JDK");
    }

    /** A program with pidfd4j-spi on its class path asks ProcessTree about the agent's child: the agent's copy answers. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void processTreeReachesTheAgentsCgroup(Jdk jdk) throws Exception {
        String[] nativeAccess = jdk.feature() >= 22 ? new String[] {"--enable-native-access=ALL-UNNAMED"} : new String[0];
        Jvm.Result with = Jvm.on(jdk).agent().option(PROPERTY).option(nativeAccess).libs("pidfd4j-spi")
                .main("CgroupTreeApp").run();
        Jvm.Result without = Jvm.on(jdk).agent().option(nativeAccess).libs("pidfd4j-spi").main("CgroupTreeApp").run();
        for (Jvm.Result r : List.of(with, without)) {
            Map<String, String> tree = r.evidenceOne("tree");
            strays.add(Long.parseLong(tree.get("child")));
            for (String d : tree.get("descendants").split(",")) {
                strays.add(Long.parseLong(d));
            }
        }
        String cgroup = with.evidenceOne("tree").get("cgroup");
        System.out.printf("[pidfd4j-it] %s CgroupTreeApp under the agent: %s %s%n", jdk, with.evidenceOne("tree"),
                with.evidenceOne("kill"));
        if (cgroup.equals("none")) {
            // No cgroup per child on this machine: the agent's copy still answered (no own cgroup).
            assertEquals("IllegalStateException", with.evidenceOne("kill").get("refused"), with::toString);
        } else {
            leftBehind = Path.of(cgroup);
            assertEquals("true", with.evidenceOne("kill").get("sent"), with::toString);
            assertEquals("137", with.evidenceOne("exit").get("value"), with::toString);
            List<Long> tree = new ArrayList<>();
            for (String d : with.evidenceOne("tree").get("descendants").split(",")) {
                tree.add(Long.parseLong(d));
            }
            assertTrue(Poll.until(BOUND_MILLIS, () -> tree.stream().allMatch(DestroyTreeIT::gone)), with::toString);
            assertEquals("true", with.evidenceOne("cgroup").get("removed"), with::toString);
        }
        assertEquals("", with.stderr(), with::toString);
        assertEquals("none", without.evidenceOne("tree").get("cgroup"), without::toString);
        assertEquals("IllegalStateException", without.evidenceOne("kill").get("refused"), without::toString);
    }

    private record Tree(String output, long child, List<Long> descendants, String cgroup, String jvmCgroup,
                        String exit) {
        @Override
        public String toString() {
            return output;
        }
    }

    private Tree run(Jvm jvm, String how) throws Exception {
        Jvm.Running r = jvm.main("TreeApp").start();
        try {
            r.awaitLine("ready");
            Map<String, String> tree = r.sofar().evidenceOne("tree");
            long child = Long.parseLong(tree.get("child"));
            strays.add(child);
            List<Long> descendants = new ArrayList<>();
            for (String d : tree.get("descendants").split(",")) {
                descendants.add(Long.parseLong(d));
            }
            strays.addAll(descendants);
            assertEquals(2, descendants.size(), r.sofar()::toString);
            String cgroup = tree.get("cgroup");
            String jvmCgroup = cgroupOf(r.process.pid());
            Path dir = cgroupDirectory(cgroup);
            if (!cgroup.equals(jvmCgroup) && dir != null) {
                leftBehind = dir;
            }
            r.send(how);
            r.awaitLine("destroyed");
            Jvm.Result sofar = r.sofar();
            assertEquals(ProgramsIT.PIDFD_PROCESS, sofar.evidenceOne("child").get("class"), sofar::toString);
            Tree t = new Tree(sofar.toString(), child, descendants, cgroup, jvmCgroup,
                    sofar.evidenceOne("destroyed").get("exit"));
            if (jvm.command().contains(PROPERTY) && !cgroup.equals(jvmCgroup)) {
                // The cgroup way: the shell's own cgroup under the JVM's, removed once empty, while the JVM runs.
                assertTrue(cgroup.startsWith(jvmCgroup.equals("/") ? "/pidfd4j-" : jvmCgroup + "/pidfd4j-"), t::toString);
                assertTrue(Poll.until(BOUND_MILLIS, () -> dir != null && !Files.exists(dir)), () -> dir + " remains\n" + t);
            }
            return t;
        } finally {
            r.process.destroyForcibly();
            Jvm.Result result = r.finish();
            assertEquals("", result.stderr(), result::toString);  // the agent prints nothing
        }
    }

    private static void assertNoSurvivor(Tree t) throws InterruptedException {
        List<Long> all = new ArrayList<>(t.descendants);
        all.add(t.child);
        assertTrue(Poll.until(BOUND_MILLIS, () -> all.stream().allMatch(DestroyTreeIT::gone)),
                () -> "survivors: " + all.stream().filter(p -> !gone(p)).toList() + "\n" + t);
    }

    private static String cgroupOf(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/cgroup")).stream().filter(l -> l.startsWith("0::"))
                .map(l -> l.substring(3)).findFirst().orElse("none");
    }

    /** The directory of a cgroup v2 path on a cgroup2 mount that shows the whole hierarchy, or null. */
    private static Path cgroupDirectory(String cgroup) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            int dash = line.indexOf(" - ");
            String[] f = line.substring(0, Math.max(dash, 0)).split(" ");
            if (dash > 0 && line.substring(dash + 3).startsWith("cgroup2 ") && f[3].equals("/")) {
                return cgroup.equals("/") ? Path.of(f[4]) : Path.of(f[4], cgroup.substring(1));
            }
        }
        return null;
    }

    /** Gone, or a zombie: this machine's PID 1 may leave orphans unreaped. */
    private static boolean gone(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
        } catch (IOException e) {
            return true;
        }
    }
}
