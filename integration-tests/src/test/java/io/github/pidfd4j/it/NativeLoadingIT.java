package io.github.pidfd4j.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent brings native code into every JVM it is attached to: none of it may come from a place
 * another local user can write. A JVM with a shared (sticky, world-writable) temporary directory and
 * a world-writable home, including JNA's pre-created cache directory, starts a process under the
 * agent; every file its {@code /proc/self/maps} shows as code must be writable only by root or the
 * JVM's user, all the way up, and none may have been deleted while mapped.
 */
class NativeLoadingIT {

    static List<Jdk> jdks() {
        return Jdk.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theAgentMapsCodeOnlyFromPrivateDirectories(Jdk jdk) throws Exception {
        Path base = Files.createTempDirectory(Jvm.WORK.toAbsolutePath().getParent(), "hostile-");
        Path tmp = Files.createDirectory(base.resolve("tmp"));
        Path home = Files.createDirectories(base.resolve("home/.cache/JNA/temp")).getParent().getParent().getParent();
        chmod("1777", tmp);
        for (Path p : List.of(home, home.resolve(".cache"), home.resolve(".cache/JNA"), home.resolve(".cache/JNA/temp"))) {
            chmod("777", p);
        }
        Jvm.Result r = Jvm.on(jdk).agent().option("-Djava.io.tmpdir=" + tmp)
                .env("HOME", home.toString()).env("XDG_CACHE_HOME", home.resolve(".cache").toString())
                .env("TMPDIR", tmp.toString()).main("MappedCodeApp").run();
        List<String> mapped = r.evidence("mapped").stream().map(m -> m.get("path")).toList();
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Path privateDir = tmp.toRealPath().resolve("pidfd4j-" + uid);
        assertAll(
                () -> assertEquals(0, r.exitCode(), r::toString),
                () -> assertTrue(r.stderr().isEmpty(), r::toString),
                () -> assertTrue(r.behaviour().contains("exit 0"), r::toString),
                () -> assertTrue(r.evidenceOne("spawned").get("class").contains("pidfd4j"), r::toString),
                () -> assertEquals("0", r.evidenceOne("reapers").get("count"), r::toString),
                () -> assertTrue(mapped.stream().anyMatch(m -> m.startsWith(privateDir + "/")),
                        () -> "libpidfd4j.so not in the private directory: " + mapped),
                () -> {
                    for (String m : mapped) {
                        assertPrivate(m, uid);
                    }
                },
                () -> {
                    try (Stream<Path> files = Files.walk(home)) {
                        assertEquals(List.of(), files.filter(Files::isRegularFile).toList(), "written to the shared home");
                    }
                });
    }

    private static void assertPrivate(String mapping, int uid) throws IOException {
        assertFalse(mapping.endsWith("(deleted)"), "mapped, then deleted (its name can be reused): " + mapping);
        for (Path p = Path.of(mapping); p != null; p = p.getParent()) {
            Map<String, Object> a = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            int owner = (Integer) a.get("uid");
            int mode = (Integer) a.get("mode");
            assertTrue(owner == 0 || owner == uid, mapping + ": " + p + " is owned by uid " + owner);
            assertTrue((mode & 022) == 0 || (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && (mode & 01000) != 0),
                    mapping + ": " + p + " is writable by others, mode " + Integer.toOctalString(mode));
        }
    }

    private static void chmod(String mode, Path p) throws Exception {
        Process c = new ProcessBuilder("chmod", mode, p.toString()).inheritIO().start();
        assertEquals(0, c.waitFor());
    }
}
