package io.github.pidfd4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JVM that runs the benchmarks (--jvm), as it describes itself: its feature release and its name. */
record TargetJvm(String java, int feature, String description) {

    /** Asks {@code java} for its system properties ({@code -XshowSettings:properties -version}). */
    static TargetJvm probe(String java) throws IOException, InterruptedException {
        Map<String, String> props = properties(java);
        int feature = Integer.parseInt(props.getOrDefault("java.specification.version", "17").replaceFirst("^1\\.", ""));
        String description = props.getOrDefault("java.vm.vendor", "?") + " " + props.getOrDefault("java.runtime.name", "Java")
                + " " + props.getOrDefault("java.runtime.version", props.getOrDefault("java.version", "?"));
        return new TargetJvm(java, feature, description);
    }

    private static Map<String, String> properties(String java) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java, "-XshowSettings:properties", "-version").redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        p.waitFor();
        Map<String, String> m = new LinkedHashMap<>();
        for (String l : lines) {
            int eq = l.indexOf(" = ");
            if (eq > 0) {
                m.putIfAbsent(l.substring(0, eq).trim(), l.substring(eq + 3).trim());
            }
        }
        return m;
    }
}
