package io.github.pidfd4j;

import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Run in a child JVM by {@link EnvironmentBytesTest}, with an environment of raw bytes. For each way
 * of changing a ProcessBuilder's environment and each contender, starts {@code /usr/bin/env} and
 * prints its output's bytes in hex: {@code <scenario> <spawn path> <hex>}.
 */
public final class EnvironmentBytesProbe {

    private EnvironmentBytesProbe() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Consumer<Map<String, String>>> scenarios = new java.util.LinkedHashMap<>();
        scenarios.put("untouched", null);  // environment() never called
        scenarios.put("put", env -> env.put("X", "1"));
        scenarios.put("change-and-remove", env -> {
            env.put("AUTHOR", "Zo\u00eb");  // not ASCII: '?' in the POSIX locale, as the JDK encodes it
            env.remove("DUP");
        });
        scenarios.put("put-back-the-decoded-value", env -> env.put("LATIN", env.get("LATIN")));
        scenarios.put("remove-the-undecodable-name", env -> env.keySet().removeIf(k -> k.endsWith("NAME")));
        scenarios.put("clear", env -> {
            env.clear();
            env.put("ONLY", "\u00e9");
        });
        for (Map.Entry<String, Consumer<Map<String, String>>> s : scenarios.entrySet()) {
            for (ProcessProvider provider : Contenders.list()) {
                ProcessBuilder pb = new ProcessBuilder("/usr/bin/env");
                if (s.getValue() != null) {
                    s.getValue().accept(pb.environment());
                }
                Process p = provider.start(pb);
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new AssertionError("env failed: " + new String(p.getErrorStream().readAllBytes()));
                }
                System.out.println(s.getKey() + " " + provider.spawnPath() + " " + HexFormat.of().formatHex(out));
            }
        }
    }
}
