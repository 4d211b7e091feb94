package io.github.pidfd4j.bench;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Benchmark 7, start-up (not JMH): what a JVM pays for pidfd4j before its steady state. Each
 * measurement is a fresh JVM whose {@code main} ({@link StartupProgram}) starts {@code /bin/true}
 * once and waits for it, or does nothing; {@code rusage-run} (src/main/c/rusage-run.c) starts that
 * JVM and reports what the operating system accounted to it: CPU time (user + system, the JVM and
 * the processes it reaped), wall time from fork to reap, and peak resident memory ({@code ru_maxrss}).
 * So the numbers do not depend on how pidfd4j binds its native code, nor on this harness.
 *
 * <p>The variants ({@link Variant}) run interleaved, one JVM of each per round, so that drift of a
 * shared machine affects all alike; after {@link Profile#startupWarmups} discarded rounds (page
 * cache), {@link Profile#startupRuns} measured ones. Each row holds every run; its score is the
 * median. {@link StartupGoals} compares them with the issue's goals.
 */
final class Startup {

    static final String CPU = Startup.class.getName() + ".cpu";
    static final String WALL = Startup.class.getName() + ".wall";
    static final String RSS = Startup.class.getName() + ".rss";
    /** The JSON mode of the rows; they carry every run as JMH's {@code rawData}. */
    static final String MODE = "startup";
    static final String SPAWNS = "spawns";

    /** Who runs in the measured JVM. The contender says when it is selected and why it cannot run. */
    enum Variant {
        JDK("jdk", null, Contender.JDK),
        NOOP_AGENT("noop-agent", "do-nothing agent", Contender.JDK),
        AGENT_DISABLED("agent-disabled", "pidfd4j agent, enabled=false", Contender.AGENT),
        AGENT("agent", null, Contender.AGENT),
        LIBRARY("pidfd", null, Contender.PIDFD);

        final String id;
        /** The chart label of ids that are not contenders; null for those that are. */
        final String label;
        final Contender contender;

        Variant(String id, String label, Contender contender) {
            this.id = id;
            this.label = label;
            this.contender = contender;
        }
    }

    /** One measured configuration: a variant, and how many processes its {@code main} starts (1 or 0). */
    record Case(Variant variant, int spawns) {
        /** What this case is compared against, or null. */
        Case baseline() {
            switch (variant) {
                case NOOP_AGENT: return new Case(Variant.JDK, spawns);
                case AGENT_DISABLED: case AGENT: return new Case(Variant.NOOP_AGENT, spawns);
                case LIBRARY: return new Case(Variant.JDK, spawns);
                default: return null;
            }
        }

        @Override
        public String toString() {
            return variant.id + "/" + spawns;
        }
    }

    /** Every case, in the order they run in each round. */
    static final List<Case> CASES = List.of(
            new Case(Variant.JDK, 1), new Case(Variant.NOOP_AGENT, 1), new Case(Variant.AGENT_DISABLED, 1),
            new Case(Variant.AGENT, 1), new Case(Variant.LIBRARY, 1),
            new Case(Variant.JDK, 0), new Case(Variant.NOOP_AGENT, 0), new Case(Variant.AGENT, 0));

    private final Profile profile;
    private final String jvm;
    private final List<String> jvmArgs;
    private final String agentJar;
    private final Path logs;
    private final Function<Contender, String> problem;

    /**
     * @param jvmArgs the flags every benchmarked JVM gets (heap, native access)
     * @param problem why a contender cannot run here, or null (agent jar missing, provider unavailable)
     */
    Startup(Profile profile, String jvm, List<String> jvmArgs, String agentJar, Path logs,
            Function<Contender, String> problem) {
        this.profile = profile;
        this.jvm = jvm;
        this.jvmArgs = List.copyOf(jvmArgs);
        this.agentJar = agentJar;
        this.logs = logs;
        this.problem = problem;
    }

    /** The cases of the selected contenders, each with what it is compared against. */
    static List<Case> selected(List<Contender> contenders) {
        Set<Case> want = new LinkedHashSet<>();
        for (Case c : CASES) {
            if (contenders.contains(c.variant.contender)) {
                for (Case x = c; x != null; x = x.baseline()) {
                    want.add(x);
                }
            }
        }
        List<Case> out = new ArrayList<>();
        for (Case c : CASES) {  // in the catalogue's order
            if (want.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    List<Row> run(List<Contender> contenders) throws IOException, InterruptedException {
        List<Case> cases = new ArrayList<>(selected(contenders));
        List<Row> rows = new ArrayList<>();
        for (Case c : List.copyOf(cases)) {
            String why = problem.apply(c.variant.contender);
            if (why != null) {
                rows.addAll(notRun(c, why));
                cases.remove(c);
            }
        }
        Path noopJar = NoopAgent.writeJar(logs.resolve("startup"));
        Map<Case, List<long[]>> runs = new LinkedHashMap<>();
        for (Case c : cases) {
            runs.put(c, new ArrayList<>());
            Files.deleteIfExists(log(c));
        }
        for (int round = 0; round < profile.startupWarmups + profile.startupRuns; round++) {
            for (Case c : cases) {
                long[] r = measure(c, noopJar);
                if (round >= profile.startupWarmups) {
                    runs.get(c).add(r);
                }
            }
        }
        for (Case c : cases) {
            List<Double> cpu = new ArrayList<>();
            List<Double> wall = new ArrayList<>();
            List<Double> rss = new ArrayList<>();
            for (long[] r : runs.get(c)) {
                wall.add(r[0] / 1e9);
                cpu.add((r[1] + r[2]) / 1e6);
                rss.add(r[3] / 1024.0);
            }
            long printed = Files.exists(log(c)) ? Files.size(log(c)) : 0;
            // The measured JVMs print nothing; if one did (a warning, the agent), say so on its rows.
            String note = printed == 0 ? null : "the JVM printed " + printed + " bytes (" + log(c) + ")";
            for (Row r : List.of(row(CPU, c, "s", cpu), row(WALL, c, "s", wall), row(RSS, c, "MB", rss))) {
                rows.add(note == null ? r : r.withNote(note));
            }
        }
        return rows;
    }

    private static Row row(String bench, Case c, String unit, List<Double> samples) {
        return Row.ofSamples(bench, Map.of(SPAWNS, String.valueOf(c.spawns)), c.variant.id, MODE, unit, samples);
    }

    List<Row> notRun(List<Contender> contenders, String why) {
        List<Row> rows = new ArrayList<>();
        for (Case c : selected(contenders)) {
            rows.addAll(notRun(c, why));
        }
        return rows;
    }

    private static List<Row> notRun(Case c, String why) {
        Map<String, String> p = Map.of(SPAWNS, String.valueOf(c.spawns));
        return List.of(Row.notRun(CPU, p, c.variant.id, MODE, "s", why), Row.notRun(WALL, p, c.variant.id, MODE, "s", why),
                Row.notRun(RSS, p, c.variant.id, MODE, "MB", why));
    }

    private Path log(Case c) {
        return logs.resolve("startup-" + c.variant.id + "-" + c.spawns + ".log");
    }

    /** The command line of the measured JVM. */
    List<String> command(Case c, Path noopJar) {
        List<String> cmd = new ArrayList<>();
        cmd.add(jvm);
        cmd.addAll(jvmArgs);
        switch (c.variant) {
            case NOOP_AGENT: cmd.add("-javaagent:" + noopJar); break;
            case AGENT_DISABLED: cmd.add("-javaagent:" + agentJar + "=enabled=false"); break;
            case AGENT: cmd.add("-javaagent:" + agentJar); break;
            default: break;
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), StartupProgram.class.getName()));
        if (c.spawns == 0) {
            cmd.add("none");
        } else {
            cmd.add(c.variant == Variant.LIBRARY ? "library" : "jdk");
            boolean pidfd4j = c.variant == Variant.LIBRARY || c.variant == Variant.AGENT;
            cmd.add(pidfd4j ? "pidfd4j" : "jdk");
        }
        return cmd;
    }

    /** One fresh JVM: {wall ns, user µs, system µs, max rss kB}. */
    private long[] measure(Case c, Path noopJar) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(NativeTools.program("rusage-run"));
        cmd.add(log(c).toString());
        cmd.addAll(command(c, noopJar));
        Path out = Files.createTempFile("rusage-run", ".out");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(out.toFile())
                    .redirectError(Redirect.appendTo(logs.resolve("startup.log").toFile()))
                    .start();
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);  // the JVM under test first
                p.destroyForcibly().waitFor();
                throw new IOException("start-up " + c + ": the JVM did not exit within 3 minutes; see " + log(c));
            }
            String line = Files.readString(out, StandardCharsets.US_ASCII).trim();
            String[] f = line.split("\\s+");
            if (p.exitValue() != 0 || f.length != 6 || !f[0].equals("R")) {
                throw new IOException("start-up " + c + ": rusage-run exited with " + p.exitValue() + " and printed \""
                        + line + "\"; see " + logs.resolve("startup.log"));
            }
            if (!f[1].equals("0")) {
                throw new IOException("start-up " + c + ": the JVM exited with " + f[1] + "; see " + log(c));
            }
            return new long[] {Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5])};
        } finally {
            Files.deleteIfExists(out);
        }
    }

    // ---- how the report shows it -----------------------------------------------------------------

    static Benchmark.Placement describe(Row r) {
        String what = r.benchmark.equals(CPU) ? "start-up: CPU (user+sys)"
                : r.benchmark.equals(WALL) ? "start-up: wall time" : "start-up: peak memory (ru_maxrss)";
        boolean one = !"0".equals(r.params.get(SPAWNS));
        return new Benchmark.Placement(7, what, one ? "main starts /bin/true once" : "main starts nothing", one ? 0 : 1);
    }

    /** Where a variant that is not a contender goes in the table: between the library and the agent. */
    static int contenderOrder(String id) {
        return id.equals(Variant.NOOP_AGENT.id) ? Contender.PIDFD.ordinal() * 10 + 5
                : id.equals(Variant.AGENT_DISABLED.id) ? Contender.PIDFD.ordinal() * 10 + 6 : -1;
    }

    /** The label of a variant that is not a contender, or null. */
    static String label(String id) {
        for (Variant v : Variant.values()) {
            if (v.id.equals(id) && v.label != null) {
                return v.label;
            }
        }
        return null;
    }
}
