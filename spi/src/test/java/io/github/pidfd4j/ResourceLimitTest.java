package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * At the process limit (EAGAIN) and the descriptor limit (EMFILE) a start fails with exactly the JDK's
 * message: on 17 {@code error=11, ...} and {@code error=24, ...}; on 25 {@code posix_spawn failed,
 * error: 11 (...)} and {@code Bad file descriptor, error: 24 (...)}, each followed by the "Possible
 * reasons" text, or, with {@code -Djdk.lang.Process.launchMechanism=FORK}, {@code fork failed} and no such
 * text. Each limit is provoked in a child JVM ({@link ResourceLimitProbe}).
 */
class ResourceLimitTest {

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @TempDir
    static Path tmp;

    @ParameterizedTest(name = "launchMechanism={0}")
    @ValueSource(strings = {"default", "FORK"})
    void atTheProcessLimitTheJdksMessage(String mechanism) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit(1) to lower RLIMIT_NPROC");
        List<String> cmd = new ArrayList<>();
        List<String> classpath = List.of(System.getProperty("java.class.path").split(":"));
        if (ROOT) {
            // Root ignores RLIMIT_NPROC: run the JVM as nobody, on a copy of the class path it can read.
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "runs as root and has no setpriv(1) to drop to nobody");
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
            classpath = NobodyClasspath.get();
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));  // its working directory
        }
        Map<String, List<String[]>> r = probe(cmd, classpath, mechanism, "nproc");
        List<String[]> answers = r.get("nproc");
        String jdk = answers.get(0)[1];
        assumeTrue(!jdk.equals("started"), "the JDK could still fork under RLIMIT_NPROC 0 (CAP_SYS_RESOURCE?)");
        assertTrue(jdk.contains("11"), "EAGAIN: " + jdk);
        assertAllLikeTheJdk(r);
    }

    @ParameterizedTest(name = "launchMechanism={0}")
    @ValueSource(strings = {"default", "FORK"})
    void atTheDescriptorLimitTheJdksMessage(String mechanism) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit(1) to set RLIMIT_NOFILE");
        // Soft and hard: HotSpot raises the soft limit to the hard one at startup (MaxFDLimit).
        Map<String, List<String[]>> r = probe(List.of("/usr/bin/prlimit", "--nofile=256:256"),
                List.of(System.getProperty("java.class.path").split(":")), mechanism, "nofile");
        assertTrue(r.get("nofile-0").get(0)[1].contains("24"), "EMFILE: " + r.get("nofile-0").get(0)[1]);
        // With a few descriptors free, pidfd4j (fewer descriptors per spawn) starts where the JDK cannot;
        // wherever both fail, they must say the same. pidfd4j fails in its pipes first, then in the clone.
        Map<String, List<String[]>> bothFailed = new LinkedHashMap<>();
        r.forEach((attempt, answers) -> {
            if (answers.stream().noneMatch(a -> a[1].equals("started"))) {
                bothFailed.put(attempt, answers);
            }
        });
        assertTrue(bothFailed.size() >= 7, "pidfd4j needs 7 descriptors (3 pipes, the pidfd): " + bothFailed.keySet());
        assertAllLikeTheJdk(bothFailed);
    }

    private static void assertAllLikeTheJdk(Map<String, List<String[]>> results) {
        List<String> unlike = new ArrayList<>();
        results.forEach((attempt, answers) -> {
            assertEquals(Contenders.list().size(), answers.size(), attempt);
            for (String[] a : answers) {
                if (!a[1].equals(answers.get(0)[1])) {
                    unlike.add(attempt + " " + a[0] + ":\n  JDK: " + answers.get(0)[1] + "\n  got: " + a[1]);
                }
            }
        });
        assertEquals(List.of(), unlike);
    }

    private static Map<String, List<String[]>> probe(List<String> wrapper, List<String> classpath, String mechanism,
                                                     String what) throws Exception {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (!mechanism.equals("default")) {
            cmd.add("-Djdk.lang.Process.launchMechanism=" + mechanism);  // the JDK's words name the mechanism
        }
        cmd.addAll(List.of(
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-Xlog:disable", "-Xlog:all=error:stderr",  // not "Failed to start thread" warnings on stdout
                "-cp", String.join(":", classpath),
                ResourceLimitProbe.class.getName(), what));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().put("HOME", tmp.toString());
        Process p = pb.start();
        byte[] errBytes = p.getErrorStream().readAllBytes();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String err = new String(errBytes, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), cmd + "\n" + out + err);
        Map<String, List<String[]>> byAttempt = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (!line.startsWith(what)) {
                continue;
            }
            String[] f = line.split(" ", 3);
            byAttempt.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new String[] {f[1], f[2]});
        }
        return byAttempt;
    }
}
