package io.github.pidfd4j.bench;

import io.github.pidfd4j.ProcessProvider;
import io.github.pidfd4j.ProcessProviders;
import io.github.pidfd4j.bench.Benchmark.JvmHeap;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Whether a contender can run here, asked once before its jobs: a job whose contender cannot run
 * reports its rows as not run, with the reason, instead of failing.
 */
final class Preflight {

    private final TargetJvm jvm;
    private final JvmFlags flags;
    private final String agentJar;
    private final Path logs;
    private String agentProblem;  // decided before the first agent job

    Preflight(TargetJvm jvm, JvmFlags flags, String agentJar, Path logs) {
        this.jvm = jvm;
        this.flags = flags;
        this.agentJar = agentJar;
        this.logs = logs;
    }

    /** Why this contender cannot run here, or null. */
    String problem(Contender c) {
        switch (c) {
            case AGENT:
                if (agentProblem == null) {
                    try {
                        agentProblem = agentJar == null
                                ? "agent jar not found (build it: mvn -B -pl agent -am package -DskipTests)"
                                : verifyInFork(Contender.AGENT);
                    } catch (IOException | InterruptedException e) {
                        agentProblem = "could not check the agent: " + e;
                    }
                    if (agentProblem == null) {
                        agentProblem = "";
                    }
                }
                return agentProblem.isEmpty() ? null : agentProblem;
            case PIDFD: {
                ProcessProvider p = ProcessProviders.byName("pidfd").orElse(null);
                if (p == null) {
                    return "the pidfd provider is not on the class path";
                }
                return p.isAvailable() ? null : "the pidfd provider is unavailable: " + p.unavailabilityCause();
            }
            case C_REFERENCE: {
                File f = NativeTools.dir().resolve("cref").toFile();
                return f.canExecute() ? null : f + " is missing (build the jmh module)";
            }
            default:
                return null;
        }
    }

    /** Runs {@code --verify <contender>} in a JVM set up as that contender; null if it passes. */
    private String verifyInFork(Contender c) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(jvm.java());
        cmd.addAll(flags.of(c, JvmHeap.DEFAULT));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchMain.class.getName(), "--verify", c.id()));
        Path log = logs.resolve("verify-" + c.id() + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
            return "a JVM with " + c.jvmArgs(agentJar) + " did not start within 2 minutes";
        }
        if (p.exitValue() == 0) {
            return null;
        }
        List<String> lines = Files.readAllLines(log);
        String last = lines.isEmpty() ? "exit value " + p.exitValue() : lines.get(lines.size() - 1);
        return "a JVM with " + c.jvmArgs(agentJar) + " failed its check: " + last + " (see " + log + ")";
    }

    /** agent/target/pidfd4j-agent-*.jar under the working directory or above the benchmarks jar. */
    static String findAgentJar() {
        List<Path> roots = new ArrayList<>();
        roots.add(Path.of("").toAbsolutePath());
        try {
            Path jar = Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = jar.getParent(); p != null; p = p.getParent()) {
                roots.add(p);
            }
        } catch (Exception ignored) {
            // the working directory only
        }
        for (Path root : roots) {
            File dir = root.resolve("agent").resolve("target").toFile();
            // the main artifact only: not original-*, *-sources, *-javadoc or other classifiers
            File[] jars = dir.listFiles((d, n) -> n.matches("pidfd4j-agent-[0-9][0-9.]*(-SNAPSHOT)?\\.jar"));
            if (jars != null && jars.length > 0) {
                Arrays.sort(jars);
                return jars[0].getPath();
            }
        }
        return null;
    }
}
