package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PATH rules (JDK_execvpe): the parent's PATH, EACCES is sticky, a directory is skipped, an empty
 * entry is the child's working directory, a script without "#!" runs with /bin/sh, an unset PATH.
 * Each scenario runs in a child JVM whose PATH is set for it; every contender must give the JDK's answer.
 */
class PathRulesTest {

    @TempDir
    static Path tmp;
    static Path denied;
    static Path allowed;
    static Path work;

    @BeforeAll
    static void layout() throws Exception {
        denied = Files.createDirectories(tmp.resolve("denied"));
        allowed = Files.createDirectories(tmp.resolve("allowed"));
        work = Files.createDirectories(tmp.resolve("work"));
        // "prog": not executable in denied/, executable in allowed/
        Files.writeString(denied.resolve("prog"), "#!/bin/sh\necho denied-prog\n");
        script(allowed.resolve("prog"), "#!/bin/sh\necho allowed-prog \"$@\"\n");
        // "onlydenied": exists, but nowhere executable: EACCES, even though later entries lack it
        Files.writeString(denied.resolve("onlydenied"), "#!/bin/sh\necho x\n");
        // "isdir": a directory in denied/, a program in allowed/
        Files.createDirectories(denied.resolve("isdir"));
        script(allowed.resolve("isdir"), "#!/bin/sh\necho allowed-isdir\n");
        // "noshebang": a script without #!, run by /bin/sh
        script(allowed.resolve("noshebang"), "echo \"sh ran noshebang with $1\"\n");
        // "inwork": only in the child's working directory
        script(work.resolve("inwork"), "#!/bin/sh\necho from-workdir\n");
    }

    private static void script(Path p, String text) throws Exception {
        Files.writeString(p, text);
        assertTrue(p.toFile().setExecutable(true));
    }

    /** Runs the probe with this PATH (null: unset) and returns its lines grouped by scenario. */
    private static Map<String, List<String>> probe(String path, String... programs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                PathRulesProbe.class.getName(), work.toString()));
        cmd.addAll(List.of(programs));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (path == null) {
            pb.environment().remove("PATH");
        } else {
            pb.environment().put("PATH", path);
        }
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes());
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out + err);
        Map<String, List<String>> byScenario = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String scenario = line.substring(line.indexOf(' ') + 1, line.indexOf(" -> "));
            byScenario.computeIfAbsent(scenario, k -> new ArrayList<>()).add(line.substring(line.indexOf(" -> ") + 4));
        }
        return byScenario;
    }

    private static void assertAllLikeTheJdk(Map<String, List<String>> results) {
        assertTrue(!results.isEmpty());
        results.forEach((scenario, answers) -> {
            assertEquals(Contenders.list().size(), answers.size(), scenario);
            for (String answer : answers) {
                assertEquals(answers.get(0), answer, scenario + ": JDK said " + answers.get(0));
            }
        });
    }

    @Test
    void stickyEaccesDirectoriesAndShebanglessScripts() throws Exception {
        Map<String, List<String>> r = probe(denied + ":" + allowed + ":/bin:/usr/bin",
                "prog", "onlydenied", "isdir", "noshebang", "inwork", "pidfd4j-nowhere");
        assertAllLikeTheJdk(r);
        assertEquals("exit 0: allowed-prog arg", r.get("prog").get(0));
        assertTrue(r.get("onlydenied").get(0).startsWith("threw Cannot run program \"onlydenied\""), r.get("onlydenied").get(0));
        assertTrue(r.get("onlydenied").get(0).contains("13"), "EACCES: " + r.get("onlydenied").get(0));
        assertEquals("exit 0: allowed-isdir", r.get("isdir").get(0));
        assertEquals("exit 0: sh ran noshebang with arg", r.get("noshebang").get(0));
        assertTrue(r.get("inwork").get(0).startsWith("threw "), "not on PATH: " + r.get("inwork").get(0));
    }

    @Test
    void anEmptyEntryIsTheChildsWorkingDirectory() throws Exception {
        Map<String, List<String>> r = probe("/bin::/usr/bin", "inwork", "prog");
        assertAllLikeTheJdk(r);
        assertEquals("exit 0: from-workdir", r.get("inwork").get(0));
        assertEquals("exit 0: from-workdir", r.get("inwork (own env)").get(0));
    }

    @Test
    void withoutPath() throws Exception {
        // The JDK searches ":/bin:/usr/bin" with an environment of its own, execvp's "/bin:/usr/bin" otherwise.
        Map<String, List<String>> r = probe(null, "inwork", "true");
        assertAllLikeTheJdk(r);
        assertEquals("exit 0: ", r.get("true").get(0));
        assertTrue(r.get("inwork").get(0).startsWith("threw "), r.get("inwork").get(0));
        assertEquals("exit 0: from-workdir", r.get("inwork (own env)").get(0));
    }
}
