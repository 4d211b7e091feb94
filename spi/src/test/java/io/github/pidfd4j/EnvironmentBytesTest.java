package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A child's environment, byte for byte as the JDK gives it, when the JVM's own environment holds
 * bytes its charset cannot decode: UTF-8 text in the POSIX locale, a Latin-1 byte in UTF-8, a name
 * that does not decode, an entry without '=', a duplicate name. Unchanged variables must keep their
 * raw bytes, changed ones get the JDK's encoding, in the JDK's order; an untouched environment is
 * inherited whole. The JVM runs with exactly that environment (rawenv-exec); /usr/bin/env shows
 * what each contender's child got.
 */
class EnvironmentBytesTest {

    private static final Path RAWENV_EXEC = Path.of(System.getProperty("pidfd4j.test.bin", "target/test-bin"), "rawenv-exec");

    @TempDir
    static Path tmp;

    /** The JVM's environment: entries as raw bytes, each ending in NUL. */
    private static byte[] environment(String locale) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String entry : new String[] {
                "LC_ALL=" + locale,
                "AUTHOR=Jos\u00c3\u00a9 M\u00c3\u00bcller",  // UTF-8 bytes of "José Müller", one char per byte
                "LATIN=caf\u00e9",                           // one Latin-1 byte 0xe9
                "\u00ff\u00feNAME=odd name",                 // a name no charset here decodes
                "NOEQUALS",                                  // skipped by the JDK's map, kept by exec
                "DUP=first",
                "DUP=second",
                "PLAIN=text"}) {
            b.writeBytes(entry.getBytes(StandardCharsets.ISO_8859_1));  // ISO-8859-1: char = byte
            b.write(0);
        }
        return b.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"C", "C.UTF-8"})
    void unchangedVariablesKeepTheirBytes(String locale) throws Exception {
        assertTrue(Files.isExecutable(RAWENV_EXEC), RAWENV_EXEC + " is built by the pom (test-compile)");
        Path envFile = Files.write(tmp.resolve("env-" + locale), environment(locale));
        List<String> cmd = List.of(RAWENV_EXEC.toString(), envFile.toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                EnvironmentBytesProbe.class.getName());
        Process p = new ProcessBuilder(cmd).start();
        byte[] errBytes = p.getErrorStream().readAllBytes();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String err = new String(errBytes, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out + err);
        assertEquals("", err);

        Map<String, List<String[]>> byScenario = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.split(" ", -1);
            byScenario.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new String[] {f[1], f[2]});
        }
        assertEquals(6, byScenario.size(), out);
        List<String> unlikeTheJdk = new ArrayList<>();
        byScenario.forEach((scenario, answers) -> {
            assertEquals(Contenders.list().size(), answers.size(), scenario);
            String jdk = answers.get(0)[1];
            for (String[] a : answers) {
                if (!jdk.equals(a[1])) {
                    unlikeTheJdk.add(scenario + ", " + a[0] + ":\n  JDK: " + escaped(jdk) + "\n  got: " + escaped(a[1]));
                }
            }
        });
        assertEquals(List.of(), unlikeTheJdk);

        // The JDK's answers themselves, so that the comparison above proves something.
        String untouched = text(byScenario.get("untouched").get(0)[1]);
        assertTrue(untouched.contains("NOEQUALS\n") && untouched.contains("DUP=second\n"), untouched);
        String put = text(byScenario.get("put").get(0)[1]);
        assertTrue(put.contains("AUTHOR=Jos\u00c3\u00a9 M\u00c3\u00bcller\n"), put);
        assertTrue(put.contains("LATIN=caf\u00e9\n") && put.contains("\u00ff\u00feNAME=odd name\n"), put);
        assertFalse(put.contains("NOEQUALS") || put.contains("DUP=second"), put);
        String decoded = text(byScenario.get("put-back-the-decoded-value").get(0)[1]);
        assertFalse(decoded.contains("LATIN=caf\u00e9\n"), "the JDK re-encodes a value put back: " + decoded);
    }

    /** The bytes with everything but printable ASCII as \\xHH. */
    private static String escaped(String hex) {
        StringBuilder sb = new StringBuilder();
        for (byte b : HexFormat.of().parseHex(hex)) {
            sb.append(b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : b == '\n' ? "|" : String.format("\\x%02x", b & 0xff));
        }
        return sb.toString();
    }

    /** Hex of raw bytes as a readable string, one char per byte (ISO-8859-1). */
    private static String text(String hex) {
        return new String(HexFormat.of().parseHex(hex), StandardCharsets.ISO_8859_1);
    }
}
