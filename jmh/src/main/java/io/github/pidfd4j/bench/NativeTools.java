package io.github.pidfd4j.bench;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The programs built by {@code src/main/c/build.sh} into {@code jmh/target/native}: the C reference
 * {@code cref} and the static children {@code tiny-true} and {@code tiny-pause}. Found through the
 * system property {@value #PROPERTY}, else beside the benchmarks jar (or classes folder), else in
 * {@code jmh/target/native} under the working directory.
 */
public final class NativeTools {

    /** Names the folder of the native programs. */
    public static final String PROPERTY = "pidfd4j.bench.native";

    private NativeTools() {
    }

    public static Path dir() {
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        try {
            Path here = Path.of(NativeTools.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path beside = here.getParent().resolve("native");
            if (Files.isDirectory(beside)) {
                return beside;
            }
        } catch (URISyntaxException | RuntimeException ignored) {
            // fall through
        }
        return Path.of("jmh", "target", "native").toAbsolutePath();
    }

    public static String cref() {
        return program("cref");
    }

    public static String tinyTrue() {
        return program("tiny-true");
    }

    public static String tinyPause() {
        return program("tiny-pause");
    }

    /** What {@code @Param("program")} names: {@code true} is /bin/true, {@code tiny} is tiny-true. */
    public static String program(String param) {
        switch (param) {
            case "true": return "/bin/true";
            case "tiny": return tinyTrue();
            default: break;
        }
        File f = dir().resolve(param).toFile();
        if (!f.canExecute()) {
            throw new IllegalStateException(f + " does not exist or is not executable;"
                    + " build the jmh module (mvn -B -pl jmh -am package) or set -D" + PROPERTY);
        }
        return f.getPath();
    }
}
