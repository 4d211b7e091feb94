package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No other local user can substitute the native code pidfd4j runs: every file a JVM using pidfd4j
 * maps as code lives in a directory only root or that JVM's user can write, is never deleted while
 * mapped, and hostile temporary and home directories change nothing of that. Each case is a fresh
 * JVM ({@link NativeLoadingProbe}) with a hostile {@code java.io.tmpdir}, {@code HOME} and
 * {@code XDG_CACHE_HOME}, whose {@code /proc/self/maps} is checked after a spawn.
 */
class NativeLoadingTest {

    private static final int NOBODY = 65534;

    private Path root;

    @BeforeEach
    void createRoot() throws IOException {
        root = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "native-loading-");
    }

    @AfterEach
    void deleteRoot() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A directory every user may write to: sticky (like /tmp) or not. */
    private Path worldWritable(String name, boolean sticky) throws Exception {
        Path d = Files.createDirectory(root.resolve(name));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        if (sticky) {
            run("chmod", "1777", d.toString());
        }
        return d;
    }

    @Test
    void sharedTmpAndHomeMapNothingFromThem() throws Exception {
        Path tmp = worldWritable("tmp", true);
        Path home = worldWritable("home", false);
        // Pre-created as an attacker would, for JNA's cache under a shared HOME.
        Files.createDirectories(home.resolve(".cache/JNA/temp"));
        run("chmod", "-R", "777", home.resolve(".cache").toString());

        Map<String, String> r = probe(tmp, home);
        assertEquals("pidfd", r.get("provider"), r.toString());
        Path dir = tmp.toRealPath().resolve("pidfd4j-" + uid());
        assertTrue(mapped(r).stream().anyMatch(m -> m.startsWith(dir + "/libpidfd4j-")),
                "libpidfd4j.so is loaded from " + dir + ": " + mapped(r));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS)));
        // No JNA: nothing unpacked into the shared home, no "ldconfig -p" run through the JDK.
        try (Stream<Path> files = Files.walk(home)) {
            assertEquals(List.of(), files.filter(Files::isRegularFile).toList());
        }
        assertEquals("0", r.get("reapers"), "a JDK process reaper: something spawned through the JDK");
    }

    @Test
    void aSecondJvmReusesTheCheckedCopy() throws Exception {
        Path tmp = worldWritable("tmp", true);
        Path home = worldWritable("home", false);
        Map<String, String> first = probe(tmp, home);
        Map<String, String> second = probe(tmp, home);
        assertEquals(libraryPath(first), libraryPath(second));
    }

    @Test
    void aDirectorySquattedByAnotherUserIsNotUsed() throws Exception {
        Path tmp = worldWritable("tmp", true);
        Path home = worldWritable("home", false);
        // Another user made pidfd4j's directory first, open to all, and planted a library in it.
        Path squat = Files.createDirectory(tmp.resolve("pidfd4j-" + uid()));
        Files.writeString(squat.resolve("libpidfd4j.so"), "not a library");
        run("chmod", "-R", "777", squat.toString());
        run("chown", "-R", NOBODY + ":" + NOBODY, squat.toString());

        Map<String, String> r = probe(tmp, home);
        assertEquals("pidfd", r.get("provider"), r.toString());
        assertFalse(libraryPath(r).startsWith(squat.toRealPath() + "/"), libraryPath(r));
    }

    @Test
    void aSymbolicLinkInPlaceOfTheDirectoryIsNotFollowed() throws Exception {
        Path tmp = worldWritable("tmp", true);
        Path home = worldWritable("home", false);
        Path elsewhere = worldWritable("elsewhere", false);
        Files.createSymbolicLink(tmp.resolve("pidfd4j-" + uid()), elsewhere);

        Map<String, String> r = probe(tmp, home);
        assertEquals("pidfd", r.get("provider"), r.toString());
        try (Stream<Path> files = Files.list(elsewhere)) {
            assertEquals(List.of(), files.toList(), "nothing written through the link");
        }
    }

    @Test
    void aTmpdirOthersCanRenameInIsRefusedWithTheReason() throws Exception {
        Path tmp = worldWritable("tmp", false);  // not sticky: anyone may rename our directory away
        Path home = worldWritable("home", false);
        Map<String, String> r = probe(tmp, home);
        assertEquals("jdk", r.get("provider"), r.toString());
        assertTrue(r.get("pidfdCause").contains("writable by other users"), r.get("pidfdCause"));
        assertTrue(r.get("pidfdCause").contains("pidfd4j.nativeDir"), r.get("pidfdCause"));
    }

    @Test
    void aConfiguredDirectoryIsCreatedPrivate() throws Exception {
        Path tmp = worldWritable("tmp", false);
        Path home = worldWritable("home", false);
        Path own = root.resolve("own/native");
        Files.createDirectories(own.getParent());
        Map<String, String> r = probe(tmp, home, "-Dpidfd4j.nativeDir=" + own);
        assertEquals("pidfd", r.get("provider"), r.toString());
        assertTrue(libraryPath(r).startsWith(own.toRealPath() + "/"), libraryPath(r));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(own)));
    }

    /** As another user, nothing can be added to or replaced in the directory the code is loaded from. */
    @Test
    void anotherUserCannotWriteWhereTheLibraryLives() throws Exception {
        assumeTrue(uid() == 0 && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs root and setpriv to act as a second user");
        Path tmp = worldWritable("tmp", true);
        Path home = worldWritable("home", false);
        Path lib = Path.of(libraryPath(probe(tmp, home)));
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
                "/bin/sh", "-c", "echo evil > \"$1\"/planted; cp /bin/true \"$2\"", "sh",
                lib.getParent().toString(), lib.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertTrue(out.contains("Permission denied"), out);
        try (Stream<Path> files = Files.list(lib.getParent())) {
            assertEquals(List.of(lib), files.toList());
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static List<String> mapped(Map<String, String> r) {
        List<String> maps = new ArrayList<>();
        r.forEach((k, v) -> {
            if (k.startsWith("map.")) {
                maps.add(v);
            }
        });
        return maps;
    }

    private static String libraryPath(Map<String, String> r) {
        return mapped(r).stream().filter(m -> m.contains("/libpidfd4j")).findFirst()
                .orElseThrow(() -> new AssertionError("libpidfd4j not mapped: " + mapped(r)));
    }

    /**
     * Every executable mapping (checked for every probe run): not deleted, and no user but root and the JVM's own can write the
     * file or any directory above it (unless sticky, where others cannot rename our entries).
     */
    private static void assertMappedCodeIsPrivate(Map<String, String> r) throws IOException {
        assertTrue(r.containsKey("exit"), "the probe did not get as far as its spawn: " + r);
        assertEquals("0", r.get("exit"), r.toString());
        List<String> maps = mapped(r);
        assertFalse(maps.isEmpty(), r.toString());
        int uid = uid();
        for (String m : maps) {
            assertFalse(m.endsWith("(deleted)"), "mapped, then deleted (its name can be reused): " + m);
            for (Path p = Path.of(m); p != null; p = p.getParent()) {
                Map<String, Object> a = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
                int owner = (Integer) a.get("uid");
                int mode = (Integer) a.get("mode");
                assertTrue(owner == 0 || owner == uid, m + ": " + p + " is owned by uid " + owner);
                assertTrue((mode & 022) == 0 || (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && (mode & 01000) != 0),
                        m + ": " + p + " is writable by others, mode " + Integer.toOctalString(mode));
            }
        }
    }

    private static int uid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    /** Runs the probe; the executable mappings are checked while it is still alive. */
    private static Map<String, String> probe(Path tmp, Path home, String... props) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Djava.io.tmpdir=" + tmp);
        cmd.addAll(List.of(props));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(NativeLoadingProbe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", home.toString());
        pb.environment().put("XDG_CACHE_HOME", home.resolve(".cache").toString());
        pb.environment().put("TMPDIR", tmp.toString());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        Map<String, String> result = new LinkedHashMap<>();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null && !line.equals("done"); ) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    result.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            assertMappedCodeIsPrivate(result);
        } finally {
            p.getOutputStream().close();  // the probe exits
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        }
        assertEquals(0, p.exitValue(), result.toString());
        return result;
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    }
}
