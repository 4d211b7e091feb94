package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Selection and fallback, each in a fresh JVM (selection and the probe happen once per JVM): the
 * system properties, and sandboxes that refuse clone3, CLONE_PIDFD or pidfds altogether (a seccomp
 * filter, as Docker's or an old kernel would).
 */
class ProviderSelectionTest {

    private static final Path SECCOMP_RUN = Path.of(System.getProperty("pidfd4j.test.bin", "target/test-bin"), "seccomp-run");

    /** The output of SelectionProbe as key=value, plus "stderr". */
    private static Map<String, String> probe(String sandbox, String... props) throws Exception {
        return probe(sandbox, Map.of(), props);
    }

    private static Map<String, String> probe(String sandbox, Map<String, String> env, String... props) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (sandbox != null) {
            cmd.add(SECCOMP_RUN.toString());
            cmd.add(sandbox);
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(List.of(props));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(SelectionProbe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes());
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out + err);
        Map<String, String> result = new HashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                result.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        result.put("stderr", err);
        return result;
    }

    /**
     * The path a child JVM on this machine picks: it inherits the test JVM's sandbox, whose own probe
     * of each path tells (PidfdSpecificTest checks those probes against the kernel and seccomp state).
     */
    private static String bestPathHere() {
        // clone3 is tried unforced only on x86_64 (Pidfd.CLONE3_BY_DEFAULT: the aarch64 entry is untested)
        return Contenders.PIDFD_CLONE3.isAvailable() && "amd64".equals(System.getProperty("os.arch")) ? "CLONE3_PIDFD"
                : Contenders.PIDFD.isAvailable() ? "CLONE_PIDFD" : "CLONE_THEN_PIDFD_OPEN";
    }

    private static void assertSpawnsWork(Map<String, String> r) {
        assertEquals("spawned/3", r.get("run"));
        assertEquals("piped", r.get("pipeline"));
        assertTrue(r.get("failure").startsWith("Cannot run program \"pidfd4j-no-such-program\": "), r.get("failure"));
    }

    @Test
    void byDefaultTheBestAvailable() throws Exception {
        Map<String, String> r = probe(null);
        assertEquals("pidfd", r.get("provider"));
        assertEquals(bestPathHere(), r.get("path"));
        assertSpawnsWork(r);
        assertEquals("", r.get("stderr"), "nothing on stderr");
    }

    @Test
    void aStaleLibraryElsewhereIsNeverLoaded(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // A libpidfd4j.so of another ABI where every search would find it first: the JVM's library path,
        // the dynamic linker's path. The bundled one is still used.
        Path src = Files.writeString(dir.resolve("stale.c"), "int pidfd4j_abi_version(void) { return 999; }\n");
        Process cc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", dir.resolve("libpidfd4j.so").toString(), src.toString())
                .inheritIO().start();
        assertEquals(0, cc.waitFor());
        Map<String, String> r = probe(null, Map.of("LD_LIBRARY_PATH", dir.toString()), "-Djava.library.path=" + dir);
        assertEquals("pidfd", r.get("provider"));
        assertEquals(bestPathHere(), r.get("path"));
        assertSpawnsWork(r);
    }

    @Test
    void thePropertyChoosesTheJdk() throws Exception {
        Map<String, String> r = probe(null, "-Dpidfd4j.provider=jdk");
        assertEquals("jdk", r.get("provider"));
        assertEquals("JDK", r.get("path"));
        assertSpawnsWork(r);
    }

    @Test
    void anUnknownProviderIsNamedInAWarningAndTheBestIsUsed() throws Exception {
        Map<String, String> r = probe(null, "-Dpidfd4j.provider=bogus");
        assertEquals("pidfd", r.get("provider"));
        assertTrue(r.get("stderr").contains("unknown process provider \"bogus\""), r.get("stderr"));
        assertTrue(r.get("stderr").contains("[pidfd, jdk]"), r.get("stderr"));
    }

    @Test
    void theSpawnPathCanBeForced() throws Exception {
        // clone3 is tried unforced only on x86_64 (Pidfd.CLONE3_BY_DEFAULT)
        List<String> tried = "amd64".equals(System.getProperty("os.arch"))
                ? List.of("CLONE3_PIDFD", "CLONE_PIDFD", "CLONE_THEN_PIDFD_OPEN") : List.of("CLONE_PIDFD", "CLONE_THEN_PIDFD_OPEN");
        for (String path : tried) {
            Map<String, String> r = probe(null, "-Dpidfd4j.spawnPath=" + path.toLowerCase().replace('_', '-'));
            assertEquals("pidfd", r.get("provider"), path);
            assertEquals(path, r.get("path"));
            assertSpawnsWork(r);
            assertEquals("", r.get("stderr"), "nothing on stderr");
        }
    }

    @Test
    void autoreapRequestedWhereTheKernelLacksItSpawnsAsBefore() throws Exception {
        // CLONE_AUTOREAP is Linux 7.1: on older kernels the property changes nothing that shows
        // (SpawnFlagsTest ties the probe's answer to the kernel version).
        Map<String, String> r = probe(null, "-Dpidfd4j.autoreap=true");
        assertEquals("pidfd", r.get("provider"));
        assertEquals(bestPathHere(), r.get("path"));
        assertSpawnsWork(r);  // exit code 3 included
        assertEquals("", r.get("stderr"), "a quiet fallback");
    }

    @Test
    void whereClone3IsRefusedWithEnosysClonePidfdIsUsed() throws Exception {
        // Docker's default seccomp profile.
        assertTrue(Files.isExecutable(SECCOMP_RUN), SECCOMP_RUN + " was built");
        Map<String, String> r = probe("no-clone3");
        assertEquals("pidfd", r.get("provider"));
        assertEquals("CLONE_PIDFD", r.get("path"));
        assertSpawnsWork(r);
        assertEquals("", r.get("stderr"), "a quiet fallback");
    }

    @Test
    void whereClone3IsRefusedWithEpermClonePidfdIsUsed() throws Exception {
        // Older Docker profiles answered clone3 with EPERM.
        Map<String, String> r = probe("clone3-eperm");
        assertEquals("pidfd", r.get("provider"));
        assertEquals("CLONE_PIDFD", r.get("path"));
        assertSpawnsWork(r);
        assertEquals("", r.get("stderr"), "a quiet fallback");
    }

    @Test
    void aForcedClone3WhereItIsRefusedNamesTheRefusal() throws Exception {
        Map<String, String> r = probe("no-clone3", "-Dpidfd4j.spawnPath=clone3-pidfd");
        assertEquals("jdk", r.get("provider"));
        assertTrue(r.get("cause.pidfd").contains("CLONE3_PIDFD: clone3(CLONE_PIDFD) failed with errno 38"), r.get("cause.pidfd"));
        assertTrue(r.get("cause.pidfd").contains("CLONE_PIDFD: not tried"), r.get("cause.pidfd"));
        assertSpawnsWork(r);
    }

    @Test
    void theOldNameOfTheSecondPathStillWorksQuietly() throws Exception {
        Map<String, String> r = probe(null, "-Dpidfd4j.spawnPath=pidfd-open");
        assertEquals("CLONE_THEN_PIDFD_OPEN", r.get("path"));
        assertEquals("", r.get("stderr"), "nothing on stderr");
    }

    @Test
    void aPathWhoseProbeChildDiesOnTheWayIsNotUsed() throws Exception {
        // Every clone succeeds, but the probe child is killed before it ends (a stand-in for a broken
        // clone entry that crashes it): no path may pass as working, and the cause says why.
        Map<String, String> r = probe("probe-child-killed");
        assertEquals("jdk", r.get("provider"));
        String cause = r.get("cause.pidfd");
        // clone3 is tried unforced only on x86_64 (Pidfd.CLONE3_BY_DEFAULT)
        List<String> tried = "amd64".equals(System.getProperty("os.arch"))
                ? List.of("CLONE3_PIDFD", "CLONE_PIDFD", "CLONE_THEN_PIDFD_OPEN") : List.of("CLONE_PIDFD", "CLONE_THEN_PIDFD_OPEN");
        for (String path : tried) {
            assertTrue(cause.contains(path + ": the probe child did not run to its end: it ended with 159 (killed by signal 31)"
                    + " instead of exit code 97"), cause);
        }
        assertSpawnsWork(r);
    }

    @Test
    void whereClone3AndClonePidfdAreRefusedPidfdOpenIsUsed() throws Exception {
        assertTrue(Files.isExecutable(SECCOMP_RUN), SECCOMP_RUN + " was built");
        Map<String, String> r = probe("no-clone-pidfd");
        assertEquals("pidfd", r.get("provider"));
        assertEquals("CLONE_THEN_PIDFD_OPEN", r.get("path"));
        assertSpawnsWork(r);
        assertEquals("", r.get("stderr"), "a quiet fallback");
    }

    @Test
    void whereNoPidfdWorksTheJdkIsUsedAndAnExplicitRequestSaysWhy() throws Exception {
        Map<String, String> r = probe("no-pidfd");
        assertEquals("jdk", r.get("provider"));
        assertTrue(r.get("cause.pidfd").contains("pidfds are unusable here"), r.get("cause.pidfd"));
        // Which step failed on each path, not only the errno.
        assertTrue(r.get("cause.pidfd").contains("clone3(CLONE_PIDFD) failed with errno 38 (Function not implemented)"),
                r.get("cause.pidfd"));
        assertTrue(r.get("cause.pidfd").contains("clone(CLONE_PIDFD) failed with errno 1 (Operation not permitted)"),
                r.get("cause.pidfd"));
        assertTrue(r.get("cause.pidfd").contains("pidfd_open in the child failed with errno 38 (Function not implemented)"),
                r.get("cause.pidfd"));
        assertSpawnsWork(r);
        assertFalse(r.get("stderr").contains("pidfd4j"), "not requested: no warning");

        Map<String, String> asked = probe("no-pidfd", "-Dpidfd4j.provider=pidfd");
        assertEquals("jdk", asked.get("provider"));
        String err = asked.get("stderr");
        assertTrue(err.contains("process provider \"pidfd\" was requested with -Dpidfd4j.provider but is unavailable"), err);
        assertEquals(err.indexOf("was requested"), err.lastIndexOf("was requested"), "said once");
        assertSpawnsWork(asked);
    }
}
