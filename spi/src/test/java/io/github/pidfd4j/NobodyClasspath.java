package io.github.pidfd4j;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The test class path copied where uid 65534 can read it, for child JVMs run as nobody (root ignores
 * RLIMIT_NPROC): root's {@code ~/.m2} is not readable by others, and neither is a checkout in a
 * private directory such as {@code mktemp -d}. Copied once per test JVM, removed at its exit.
 */
final class NobodyClasspath {

    private static List<String> copy;

    private NobodyClasspath() {
    }

    /**
     * A directory of its own that every user can read but only root can write (pidfd4j refuses to load
     * native code below a directory that others can write, so world-writable would make it unusable).
     */
    static Path directory() throws IOException {
        Path dir = Files.createTempDirectory("pidfd4j-nobody-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        deleteAtExit(dir);
        return dir;
    }

    static synchronized List<String> get() throws IOException {
        if (copy == null) {
            Path base = directory();
            List<String> entries = new ArrayList<>();
            int i = 0;
            for (String element : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path from = Path.of(element);
                if (!Files.exists(from)) {
                    continue;
                }
                Path to = base.resolve(i++ + "-" + from.getFileName());
                try (Stream<Path> files = Files.walk(from)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Path target = to.resolve(from.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(target);
                        } else {
                            Files.createDirectories(target.getParent());
                            Files.copy(f, target);
                        }
                    }
                }
                entries.add(to.toString());
            }
            try (Stream<Path> files = Files.walk(base)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
            copy = List.copyOf(entries);
        }
        return copy;
    }

    private static void deleteAtExit(Path dir) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory left behind: nothing to report at exit
            }
        }));
    }
}
