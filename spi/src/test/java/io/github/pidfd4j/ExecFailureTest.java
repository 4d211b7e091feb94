package io.github.pidfd4j;

import static io.github.pidfd4j.Proc.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way a start can fail gives exactly the exception the JDK gives for the same ProcessBuilder:
 * type, message (byte for byte, in the running JDK's format) and cause; and leaves nothing behind.
 */
class ExecFailureTest {

    @TempDir
    static Path tmp;

    static Stream<Arguments> failures() throws Exception {
        Path notExecutable = Files.writeString(tmp.resolve("not-executable"), "#!/bin/sh\necho hi\n");
        Path aFile = Files.writeString(tmp.resolve("a-file"), "x");
        List<Object[]> cases = new ArrayList<>();
        cases.add(new Object[] {"missing program", (Function<Path, ProcessBuilder>) d -> new ProcessBuilder("pidfd4j-no-such-program")});
        cases.add(new Object[] {"missing absolute program", (Function<Path, ProcessBuilder>) d -> new ProcessBuilder("/no/such/program", "arg")});
        cases.add(new Object[] {"missing relative program", (Function<Path, ProcessBuilder>) d -> new ProcessBuilder("./nothing-here").directory(tmp.toFile())});
        cases.add(new Object[] {"not executable", (Function<Path, ProcessBuilder>) d -> new ProcessBuilder(notExecutable.toString())});
        cases.add(new Object[] {"a directory", (Function<Path, ProcessBuilder>) d -> new ProcessBuilder(tmp.toString())});
        cases.add(new Object[] {"missing directory", (Function<Path, ProcessBuilder>) d -> new ProcessBuilder("true").directory(new File("/no/such/dir"))});
        cases.add(new Object[] {"directory is a file", (Function<Path, ProcessBuilder>) d -> new ProcessBuilder("true").directory(aFile.toFile())});
        cases.add(new Object[] {"empty directory name", (Function<Path, ProcessBuilder>) d -> new ProcessBuilder("true").directory(new File(""))});
        cases.add(new Object[] {"empty program", (Function<Path, ProcessBuilder>) d -> new ProcessBuilder("")});
        cases.add(new Object[] {"NUL in an argument", (Function<Path, ProcessBuilder>) d -> new ProcessBuilder("echo", "a\u0000b")});
        cases.add(new Object[] {"null argument", (Function<Path, ProcessBuilder>) d -> new ProcessBuilder(Arrays.asList("echo", null))});
        cases.add(new Object[] {"empty command", (Function<Path, ProcessBuilder>) d -> new ProcessBuilder(new ArrayList<String>())});
        return Contenders.all().flatMap(p -> cases.stream().map(c -> Arguments.of(p, c[0], c[1])));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("failures")
    void sameExceptionAsTheJdk(ProcessProvider provider, String what, Function<Path, ProcessBuilder> builder)
            throws Exception {
        Throwable expected = thrown(Contenders.JDK, builder.apply(tmp));
        thrown(provider, builder.apply(tmp));  // warm up: lazily opened jars and the like
        long fds = Proc.openFds();
        Throwable actual = thrown(provider, builder.apply(tmp));
        assertEquals(expected.getClass(), actual.getClass(), what);
        assertEquals(expected.getMessage(), actual.getMessage(), what);
        if (expected.getCause() == null) {
            assertEquals(null, actual.getCause(), what);
        } else {
            assertNotNull(actual.getCause(), what);
            assertEquals(expected.getCause().getClass(), actual.getCause().getClass(), what);
            assertEquals(expected.getCause().getMessage(), actual.getCause().getMessage(), what);
        }
        assertEquals(0, Proc.zombies(), "a failed child is reaped before start() throws");
        assertTrue(Proc.eventually(2000, () -> openFds() <= fds), "no descriptor is left behind by a failed start");
    }

    private static long openFds() {
        try {
            return Proc.openFds();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Throwable thrown(ProcessProvider provider, ProcessBuilder pb) {
        try {
            Process p = provider.start(pb);
            p.destroyForcibly();
            fail("started: " + pb.command());
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void aScriptWithoutShebangRunsWithBinSh(ProcessProvider provider) throws Exception {
        Path script = Files.writeString(tmp.resolve("no-shebang-" + provider.spawnPath()), "echo \"sh ran me with $# args: $1\"\n");
        assertTrue(script.toFile().setExecutable(true));
        Proc.Result r = run(provider, new ProcessBuilder(script.toString(), "first", "second"));
        assertEquals("sh ran me with 2 args: first\n", r.out());
        assertEquals(0, r.exit());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void theParentsPathFindsPrograms(ProcessProvider provider) throws Exception {
        assertEquals("found\n", run(provider, new ProcessBuilder("echo", "found")).out());
        // The child's PATH does not change where the program is looked for.
        ProcessBuilder pb = new ProcessBuilder("printenv", "PATH");
        pb.environment().put("PATH", "/nonexistent");
        Proc.Result r = run(provider, pb);
        assertEquals("/nonexistent\n", r.out());
        assertEquals(0, r.exit());
    }
}
