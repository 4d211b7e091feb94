package io.github.pidfd4j.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A program whose environment holds bytes its charset cannot decode (UTF-8 text in the POSIX locale, a
 * Latin-1 byte, a name that does not decode, an entry without '=', a duplicate) gives its children the
 * same bytes, in the same order, with the agent as without it: with the environment untouched, only
 * looked at, changed, and given to Runtime.exec. The JVM starts with exactly that environment
 * (spi's rawenv-exec).
 */
class EnvironmentIT {

    private static final Path RAWENV_EXEC = Path.of(System.getProperty("it.rawenv.exec", "target/it/rawenv-exec"));

    static List<Jdk> jdks() {
        return Jdk.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void childrenGetTheJdksBytes(Jdk jdk) throws Exception {
        assertTrue(Files.isExecutable(RAWENV_EXEC), RAWENV_EXEC + " is built by the pom (pre-integration-test)");
        Files.createDirectories(Jvm.WORK);
        Path envFile = Files.write(Jvm.WORK.resolve("raw-environment"), environment());
        ProgramsIT.Pair runs = ProgramsIT.Pair.run(jdk, "EnvironmentBytesApp",
                j -> j.wrapper(RAWENV_EXEC.toString(), envFile.toString()));
        runs.assertSameBehaviourAndSilent();
        runs.assertProcessClasses("untouched", "environment() called", "put", "changed", "Runtime.exec envp");
        // What the JDK gave, so that "the same" means something.
        String jdkOut = text(runs.jdk().behaviour());
        assertTrue(jdkOut.contains("untouched: exit 0 LC_ALL=C|AUTHOR=Jos\u00c3\u00a9 M\u00c3\u00bcller|LATIN=caf\u00e9|"
                + "\u00ff\u00feNAME=odd name|NOEQUALS|DUP=first|DUP=second|"), jdkOut);
        String put = jdkOut.lines().filter(l -> l.startsWith("put: ")).findFirst().orElseThrow();
        assertTrue(put.contains("X=1|") && put.contains("AUTHOR=Jos\u00c3\u00a9 M\u00c3\u00bcller|"), put);
        assertTrue(jdkOut.contains("AUTHOR=Zo?|"), jdkOut);
    }

    private static byte[] environment() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String entry : new String[] {
                "LC_ALL=C",
                "AUTHOR=Jos\u00c3\u00a9 M\u00c3\u00bcller",  // UTF-8 bytes of "José Müller", one char per byte
                "LATIN=caf\u00e9",                           // one Latin-1 byte 0xe9
                "\u00ff\u00feNAME=odd name",                 // a name that does not decode
                "NOEQUALS",                                  // skipped by the JDK's map, kept by exec
                "DUP=first",
                "DUP=second"}) {
            b.writeBytes(entry.getBytes(StandardCharsets.ISO_8859_1));  // ISO-8859-1: char = byte
            b.write(0);
        }
        return b.toByteArray();
    }

    /** Each line's hex turned back into bytes, shown one char per byte, newlines as '|'. */
    private static String text(String behaviour) {
        StringBuilder sb = new StringBuilder();
        for (String line : behaviour.split("\n")) {
            int hexAt = line.lastIndexOf(' ') + 1;
            byte[] bytes = HexFormat.of().parseHex(line.substring(hexAt));
            sb.append(line, 0, hexAt).append(new String(bytes, StandardCharsets.ISO_8859_1).replace('\n', '|')).append('\n');
        }
        return sb.toString();
    }
}
