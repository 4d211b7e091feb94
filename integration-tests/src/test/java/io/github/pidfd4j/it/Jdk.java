package io.github.pidfd4j.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** A JDK the programs run on: 17 and 25, from -Dit.jdk17.home and -Dit.jdk25.home. */
record Jdk(int feature, Path home) {

    static List<Jdk> all() {
        return List.of(of(17), of(25));
    }

    static Jdk of(int feature) {
        String configured = System.getProperty("it.jdk" + feature + ".home");
        Path home = configured == null || configured.isBlank() ? null : Path.of(configured);
        if ((home == null || !Files.isExecutable(home.resolve("bin/java")))
                && Runtime.version().feature() == feature) {
            home = Path.of(System.getProperty("java.home"));  // the JDK running the tests is one
        }
        return new Jdk(feature, home);
    }

    Path java() {
        return home.resolve("bin/java");
    }

    Path tool(String name) {
        return home.resolve("bin").resolve(name);
    }

    boolean isPresent() {
        return home != null && Files.isExecutable(java());
    }

    /** Skips the calling test, with a message in the build log, when this JDK is not installed. */
    void assumePresent() {
        if (!isPresent()) {
            String message = "SKIPPED on JDK " + feature + ": no JDK " + feature + " at "
                    + (home == null ? "(unset)" : home) + " (set -Dpidfd4j.jdk" + feature + ".home)";
            System.out.println("[pidfd4j-it] " + message);
            Assumptions.abort(message);
        }
    }

    @Override
    public String toString() {
        return "JDK " + feature;
    }
}
