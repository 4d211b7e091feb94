package io.github.pidfd4j.bench;

import io.github.pidfd4j.ProcessProvider;
import io.github.pidfd4j.ProcessProviders;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.Statistics;

/**
 * The one command: runs every benchmark for every contender (each JMH benchmark in its own forked
 * JVM per contender, with the same flags except what the contender needs), the C reference and the
 * footprint harness, then prints the comparison table and writes, under the output folder:
 * {@code jmh-result.json} (JMH's own JSON), {@code results.json} (every row, C reference and
 * footprint included, in JMH's shape), {@code report.txt}, {@code report.md}, {@code chart.svg} and
 * {@code logs/}.
 */
public final class BenchMain {

    private static final String USAGE = String.join("\n",
            "usage: bench [--full] [--only REGEX] [--contenders LIST] [--jvm JAVA] [--agent JAR] [--out DIR]",
            "  --full            the full profile (" + Profile.FULL + ")",
            "                    default: the short one (" + Profile.SHORT + ")",
            "  --smoke           a few hundred milliseconds per benchmark, to check that everything runs",
            "  --only REGEX      only the jobs whose name matches, e.g. 'spawn|heap', 'footprint' or 'start-up'",
            "  --contenders L    comma-separated subset of " + Arrays.toString(Contender.values()),
            "  --jvm JAVA        the java executable of the benchmarked JVMs (default: this one)",
            "  --agent JAR       the pidfd4j javaagent jar (default: agent/target/pidfd4j-agent-*.jar)",
            "  --out DIR         where results go (default: jmh/target/bench)",
            "  --list            print the jobs and exit");

    private final Profile profile;
    private final String jvm;
    private final int feature;
    private final String jdkDescription;
    private final Path out;
    private final Path logs;
    private final String agentJar;
    private String agentProblem;  // decided before the first agent job
    private final List<RunResult> jmhResults = new ArrayList<>();

    private BenchMain(Profile profile, String jvm, Path out, String agentJar) throws IOException, InterruptedException {
        this.profile = profile;
        this.jvm = jvm;
        this.out = out;
        this.logs = out.resolve("logs");
        Files.createDirectories(logs);
        Map<String, String> props = jvmProperties(jvm);
        this.feature = Integer.parseInt(props.getOrDefault("java.specification.version", "17").replaceFirst("^1\\.", ""));
        this.jdkDescription = props.getOrDefault("java.vm.vendor", "?") + " " + props.getOrDefault("java.runtime.name", "Java")
                + " " + props.getOrDefault("java.runtime.version", props.getOrDefault("java.version", "?"));
        this.agentJar = agentJar;
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** Runs the command; returns its exit status (0: every job ran, 1: some failed, 2: bad usage). */
    public static int run(String... args) throws Exception {
        if (args.length == 2 && args[0].equals("--verify")) {  // used in a forked JVM, see verifyInFork
            try {
                Contender.of(args[1]).verify();
                System.out.println("OK");
                return 0;
            } catch (Exception | Error e) {
                System.err.println(e);
                return 1;
            }
        }
        Profile profile = Profile.SHORT;
        String only = null;
        List<Contender> contenders = List.of(Contender.values());
        String jvm = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String agent = null;
        Path outDir = Path.of("jmh", "target", "bench");
        boolean list = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--full": profile = Profile.FULL; break;
                case "--short": profile = Profile.SHORT; break;
                case "--smoke": profile = Profile.SMOKE; break;
                case "--only": only = args[++i]; break;
                case "--contenders": {
                    List<Contender> cs = new ArrayList<>();
                    for (String s : args[++i].split(",")) {
                        cs.add(Contender.of(s));
                    }
                    contenders = cs;
                    break;
                }
                case "--jvm": jvm = args[++i]; break;
                case "--agent": agent = args[++i]; break;
                case "--out": outDir = Path.of(args[++i]); break;
                case "--list": list = true; break;
                case "-h": case "--help":
                    System.out.println(USAGE);
                    return 0;
                default:
                    System.err.println("unknown argument: " + args[i] + "\n" + USAGE);
                    return 2;
            }
        }
        if (agent == null) {
            agent = findAgentJar();
        } else if (!new File(agent).isFile()) {
            agent = null;
        }
        BenchMain m = new BenchMain(profile, jvm, outDir.toAbsolutePath(), agent);
        List<Job> jobs = m.jobs(contenders, only == null ? null : Pattern.compile(only));
        if (list) {
            jobs.forEach(j -> System.out.println(j.name));
            return 0;
        }
        return m.run(jobs) ? 0 : 1;
    }

    // ---- the jobs ------------------------------------------------------------------------------

    /** One thing to run: one benchmark for one contender. */
    private abstract static class Job {
        final String name;
        final Contender contender;

        Job(String name, Contender contender) {
            this(name, contender, contender.id());
        }

        /** @param who what the job runs, shown after the name */
        Job(String name, Contender contender, String who) {
            this.name = name + " / " + who;
            this.contender = contender;
        }

        /** Whether the job runs for these contenders. */
        boolean wanted(List<Contender> contenders) {
            return contenders.contains(contender);
        }

        abstract List<Row> run() throws Exception;

        /** The rows this job would have produced, marked not run. */
        abstract List<Row> notRun(String why);
    }

    private List<Job> jobs(List<Contender> contenders, Pattern only) {
        List<Contender> all = List.of(Contender.JDK, Contender.JDK_VFORK, Contender.PIDFD, Contender.AGENT, Contender.C_REFERENCE);
        List<Contender> heap = List.of(Contender.JDK, Contender.JDK_VFORK, Contender.JDK_FORK, Contender.PIDFD,
                Contender.AGENT, Contender.C_REFERENCE);
        CReference cref = new CReference(profile, logs.resolve("c-reference.log"));
        List<Job> jobs = new ArrayList<>();
        for (Contender c : all) {
            if (c.isJvm()) {
                jobs.add(jmh("1 spawn+wait", SpawnWaitBenchmark.class, List.of("spawnWait"), c,
                        Map.of("program", new String[] {"true", "tiny"}), List.of(), profile.iterationMillis));
            } else {
                jobs.add(cjob("1 spawn+wait", c, () -> List.of(cref.spawn("true"), cref.spawn("tiny")),
                        why -> List.of(cNotRun(SpawnWaitBenchmark.class, "spawnWait", Map.of("program", "true"), why),
                                cNotRun(SpawnWaitBenchmark.class, "spawnWait", Map.of("program", "tiny"), why))));
            }
        }
        for (Contender c : all) {
            if (c.isJvm()) {
                jobs.add(jmh("2 throughput", ThroughputBenchmark.class, List.of("threads1", "threads2", "threads4"), c,
                        Map.of(), List.of(), profile.iterationMillis));
            } else {
                jobs.add(cjob("2 throughput", c, () -> List.of(cref.throughput(1), cref.throughput(2), cref.throughput(4)),
                        why -> List.of(1, 2, 4).stream().map(t -> Row.notRun(ThroughputBenchmark.class.getName() + ".threads" + t,
                                Map.of(), c.id(), "thrpt", "ops/s", why)).toList()));
            }
        }
        for (Contender c : all) {
            if (c.isJvm()) {
                jobs.add(jmh("3 exit->onExit", ExitLatencyBenchmark.class, List.of("exitToOnExit"), c,
                        Map.of(), List.of(), profile.iterationMillis));
            } else {
                jobs.add(cjob("3 exit->onExit", c, () -> List.of(cref.exit()),
                        why -> List.of(cNotRun(ExitLatencyBenchmark.class, "exitToOnExit", Map.of(), why))));
            }
        }
        for (Contender c : all) {
            if (c.isJvm()) {
                jobs.add(jmh("4 non-child onExit", NonChildExitBenchmark.class, List.of("nonChildOnExit"), c,
                        Map.of(), List.of(), profile.nonChildIterationMillis));
            } else {
                jobs.add(cjob("4 non-child onExit", c, () -> List.of(cref.nonChild()),
                        why -> List.of(cNotRun(NonChildExitBenchmark.class, "nonChildOnExit", Map.of(), why))));
            }
        }
        for (String h : List.of("256m", "4g")) {
            List<String> heapArgs = List.of("-Xms" + h, "-Xmx" + h, "-XX:+AlwaysPreTouch");
            for (Contender c : heap) {
                if (c.isJvm()) {
                    jobs.add(jmh("5 heap " + h, HeapBenchmark.class, List.of("spawnWait"), c,
                            Map.of("heap", new String[] {h}), heapArgs, profile.iterationMillis));
                } else {
                    jobs.add(cjob("5 heap " + h, c, () -> List.of(cref.heap(h)),
                            why -> List.of(cNotRun(HeapBenchmark.class, "spawnWait", Map.of("heap", h), why))));
                }
            }
        }
        for (Contender c : all) {
            if (c.isJvm()) {
                jobs.add(footprint(c));
            } else {
                jobs.add(cjob("6 footprint", c, () -> cref.footprint(profile.footprintLevels),
                        why -> footprintNotRun(c, why)));
            }
        }
        jobs.add(startup(contenders));
        jobs.removeIf(j -> !j.wanted(contenders) || (only != null && !only.matcher(j.name).find()));
        return jobs;
    }

    /**
     * Benchmark 7, start-up: one job for all its variants, which run interleaved (see {@link Startup});
     * it runs with the JDK's contender checks and marks the variants it cannot run itself.
     */
    private Job startup(List<Contender> contenders) {
        Startup s = new Startup(profile, jvm, commonJvmArgs(true), agentJar, logs, this::problem);
        List<Startup.Case> cases = Startup.selected(contenders);
        return new Job("7 start-up", Contender.JDK, cases.size() + " cases") {
            @Override
            List<Row> run() throws Exception {
                return s.run(contenders);
            }

            @Override
            List<Row> notRun(String why) {
                return s.notRun(contenders, why);
            }

            @Override
            boolean wanted(List<Contender> cs) {
                return !cases.isEmpty();
            }
        };
    }

    private static Row cNotRun(Class<?> bench, String method, Map<String, String> params, String why) {
        return Row.notRun(bench.getName() + "." + method, params, Contender.C_REFERENCE.id(), "sample", "us/op", why);
    }

    private List<Row> footprintNotRun(Contender c, String why) {
        List<Row> rows = new ArrayList<>();
        for (int n : profile.footprintLevels) {
            rows.add(Row.notRun(Footprints.THREADS, Map.of("n", String.valueOf(n)), c.id(), "footprint", "threads", why));
            rows.add(Row.notRun(Footprints.RSS, Map.of("n", String.valueOf(n)), c.id(), "footprint", "MB", why));
        }
        return rows;
    }

    private interface RowsSupplier {
        List<Row> get() throws Exception;
    }

    private interface NotRunRows {
        List<Row> apply(String why);
    }

    private Job cjob(String name, Contender c, RowsSupplier s, NotRunRows notRun) {
        return new Job(name, c) {
            @Override
            List<Row> run() throws Exception {
                return s.get();
            }

            @Override
            List<Row> notRun(String why) {
                return notRun.apply(why);
            }
        };
    }

    /** The flags of every benchmarked JVM; heap benchmarks replace -Xms/-Xmx. */
    private List<String> commonJvmArgs(boolean withHeap) {
        List<String> a = new ArrayList<>();
        if (withHeap) {
            a.add("-Xms256m");
            a.add("-Xmx256m");
        }
        a.add("-D" + NativeTools.PROPERTY + "=" + NativeTools.dir());
        if (feature >= 22) {
            a.add("--enable-native-access=ALL-UNNAMED");  // JNA, without the JDK 24+ warning
        }
        return a;
    }

    private List<String> jvmArgs(Contender c, List<String> extra) {
        List<String> a = commonJvmArgs(extra.isEmpty());
        a.addAll(extra);
        a.addAll(c.jvmArgs(agentJar));
        return a;
    }

    private Job jmh(String name, Class<?> bench, List<String> methods, Contender c, Map<String, String[]> params,
                    List<String> extraArgs, int iterationMillis) {
        return new Job(name, c) {
            @Override
            List<Row> run() throws Exception {
                String include = "^" + Pattern.quote(bench.getName()) + "\\.(" + String.join("|", methods) + ")$";
                ChainedOptionsBuilder o = new OptionsBuilder()
                        .include(include)
                        .param("contender", c.id())
                        .jvm(jvm)
                        .jvmArgs(jvmArgs(c, extraArgs).toArray(new String[0]))
                        .forks(profile.forks)
                        .warmupIterations(profile.warmupIterations)
                        .warmupTime(TimeValue.milliseconds(profile.warmupMillis))
                        .measurementIterations(profile.iterations)
                        .measurementTime(TimeValue.milliseconds(iterationMillis))
                        .shouldFailOnError(true)
                        .verbosity(VerboseMode.NORMAL)
                        .output(logs.resolve(fileName(this.name) + ".log").toString());
                params.forEach(o::param);
                // JMH copies the forked JVMs' stderr (e.g. JDK 25's VFORK banner) to ours: keep it in the log.
                Path errLog = logs.resolve(fileName(this.name) + ".stderr.log");
                PrintStream err = System.err;
                Collection<RunResult> results;
                try (PrintStream toLog = new PrintStream(Files.newOutputStream(errLog), true, StandardCharsets.UTF_8)) {
                    System.setErr(toLog);
                    results = new Runner(o.build()).run();
                } finally {
                    System.setErr(err);
                }
                jmhResults.addAll(results);
                List<Row> rows = new ArrayList<>();
                for (RunResult r : results) {
                    rows.add(toRow(r));
                }
                if (rows.isEmpty()) {
                    throw new IllegalStateException("JMH returned no result");
                }
                return rows;
            }

            @Override
            List<Row> notRun(String why) {
                List<Row> rows = new ArrayList<>();
                boolean thrpt = bench == ThroughputBenchmark.class;
                for (String m : methods) {
                    List<Map<String, String>> variants = new ArrayList<>();
                    variants.add(Map.of());
                    for (Map.Entry<String, String[]> p : params.entrySet()) {
                        List<Map<String, String>> next = new ArrayList<>();
                        for (Map<String, String> v : variants) {
                            for (String value : p.getValue()) {
                                Map<String, String> nv = new LinkedHashMap<>(v);
                                nv.put(p.getKey(), value);
                                next.add(nv);
                            }
                        }
                        variants = next;
                    }
                    for (Map<String, String> v : variants) {
                        rows.add(Row.notRun(bench.getName() + "." + m, v, c.id(), thrpt ? "thrpt" : "sample",
                                thrpt ? "ops/s" : "us/op", why));
                    }
                }
                return rows;
            }
        };
    }

    private static Row toRow(RunResult r) {
        var bp = r.getParams();
        Map<String, String> params = new LinkedHashMap<>();
        for (String k : bp.getParamsKeys()) {
            params.put(k, bp.getParam(k));
        }
        var pr = r.getPrimaryResult();
        Statistics st = pr.getStatistics();
        boolean sample = bp.getMode().shortLabel().equals("sample");
        return new Row(bp.getBenchmark(), params, bp.getParam("contender"), bp.getMode().shortLabel(), bp.getThreads(),
                pr.getScore(), pr.getScoreError(), pr.getScoreUnit(),
                sample ? st.getPercentile(50) : Double.NaN, sample ? st.getPercentile(99) : Double.NaN, null, null);
    }

    private Job footprint(Contender c) {
        return new Job("6 footprint", c) {
            @Override
            List<Row> run() throws Exception {
                StringBuilder levels = new StringBuilder();
                for (int n : profile.footprintLevels) {
                    levels.append(levels.length() == 0 ? "" : ",").append(n);
                }
                List<String> cmd = new ArrayList<>();
                cmd.add(jvm);
                cmd.addAll(jvmArgs(c, List.of()));
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Footprint.class.getName(), c.id(),
                        levels.toString()));
                Path stdout = logs.resolve(fileName(this.name) + ".out");
                Process p = new ProcessBuilder(cmd)
                        .redirectOutput(stdout.toFile())
                        .redirectError(logs.resolve(fileName(this.name) + ".log").toFile())
                        .start();
                if (!p.waitFor(15, TimeUnit.MINUTES)) {
                    p.destroyForcibly().waitFor();  // its children die with it (PR_SET_PDEATHSIG)
                    throw new IOException("timed out; see " + logs);
                }
                List<Row> rows = Footprints.parse(Files.readAllLines(stdout), c.id());
                if (p.exitValue() != 0 || rows.isEmpty()) {
                    throw new IOException("the footprint JVM exited with " + p.exitValue() + "; see "
                            + logs.resolve(fileName(this.name) + ".log"));
                }
                return rows;
            }

            @Override
            List<Row> notRun(String why) {
                return footprintNotRun(c, why);
            }
        };
    }

    private static String fileName(String jobName) {
        return jobName.replaceAll("[^A-Za-z0-9.+-]+", "_");
    }

    // ---- running -------------------------------------------------------------------------------

    /** Why this contender cannot run here, or null. */
    private String problem(Contender c) {
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

    private boolean run(List<Job> jobs) throws IOException {
        long t0 = System.nanoTime();
        double load1 = load1();
        int cpus = Runtime.getRuntime().availableProcessors();
        System.out.println("pidfd4j benchmarks, profile " + profile);
        System.out.println("benchmarked JVM: " + jvm + " (" + jdkDescription + ")");
        System.out.println("output: " + out + " (JMH logs in " + logs + ")");
        if (load1 > cpus / 2.0) {
            System.out.printf(Locale.ROOT, "warning: the machine is busy (load average %.2f on %d CPUs): expect noisy"
                    + " numbers; compare ratios within this run, not absolute times%n", load1, cpus);
        }
        if (jobs.stream().anyMatch(j -> j.contender == Contender.AGENT)) {
            String p = problem(Contender.AGENT);
            System.out.println("agent: " + (p == null ? agentJar : "not run: " + p));
        }
        System.out.println();
        List<Row> rows = new ArrayList<>();
        int failures = 0;
        int i = 0;
        double loadMin = Double.MAX_VALUE;
        double loadMax = 0;
        for (Job j : jobs) {
            i++;
            double load = load1();
            if (!j.name.startsWith("6 ")) {  // the footprint jobs raise the load themselves
                loadMin = Math.min(loadMin, load);
                loadMax = Math.max(loadMax, load);
            }
            System.out.printf(Locale.ROOT, "[%2d/%d] load %5.2f  %-34s ", i, jobs.size(), load, j.name);
            System.out.flush();
            long s = System.nanoTime();
            String problem = problem(j.contender);
            if (problem != null) {
                rows.addAll(j.notRun(problem));
                System.out.println("not run: " + problem);
                continue;
            }
            try {
                List<Row> got = j.run();
                rows.addAll(got);
                System.out.printf(Locale.ROOT, "%5.0f s  %s%n", (System.nanoTime() - s) / 1e9, summary(got));
            } catch (Exception | Error e) {
                failures++;
                String why = "failed: " + oneLine(e);
                rows.addAll(j.notRun(why));
                System.out.printf(Locale.ROOT, "%5.0f s  FAILED: %s%n", (System.nanoTime() - s) / 1e9, oneLine(e));
            }
        }
        List<Row> noted = new ArrayList<>();
        for (Row r : rows) {
            noted.add(r.contender.equals(Contender.JDK_VFORK.id()) && feature >= 25
                    ? r.withNote("VFORK is deprecated in JDK 25 (JDK-8357179): the JVM prints a warning when it is used") : r);
        }
        long secs = Math.round((System.nanoTime() - t0) / 1e9);
        Map<String, String> context = context(secs);
        if (loadMax > 0) {
            context.put("load average (1 min) before each benchmark", String.format(Locale.ROOT, "%.2f to %.2f on %d CPUs",
                    loadMin, loadMax, cpus));
        }
        Report report = new Report(noted, context);
        report.writeAll(out);
        writeJmhJson(out.resolve("jmh-result.json"));
        List<Object> all = new ArrayList<>();
        report.rows().forEach(r -> all.add(r.toJson()));
        Files.writeString(out.resolve("results.json"), Json.write(all), StandardCharsets.UTF_8);
        Files.writeString(out.resolve("context.json"), Json.write(new LinkedHashMap<String, Object>(context)),
                StandardCharsets.UTF_8);
        System.out.println();
        System.out.print(report.table());
        System.out.println();
        System.out.println("chart:        " + out.resolve("chart.svg"));
        System.out.println("table:        " + out.resolve("report.txt") + " (Markdown: report.md)");
        System.out.println("JMH JSON:     " + out.resolve("jmh-result.json"));
        System.out.println("all results:  " + out.resolve("results.json") + " (machine, JDK, date: context.json)");
        System.out.printf(Locale.ROOT, "total time:   %d min %02d s%s%n", secs / 60, secs % 60,
                failures == 0 ? "" : ", " + failures + " job(s) FAILED (see " + logs + ")");
        return failures == 0;
    }

    private static String summary(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        for (Row r : rows) {
            if (r.isRun() && b.length() < 90) {
                Report.Desc d = Report.describe(r);
                // Start-up rows differ by variant, not by parameters: name it.
                b.append(b.length() == 0 ? "" : "; ").append(r.samples != null ? r.contender : d.variant).append(": ")
                        .append(Report.num(r.score)).append(' ').append(r.unit);
            }
        }
        return b.toString();
    }

    private static String oneLine(Throwable e) {
        String s = String.valueOf(e.getMessage() == null ? e.toString() : e.getMessage());
        s = s.replaceAll("\\s+", " ").trim();
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    private void writeJmhJson(Path file) throws IOException {
        try (PrintStream ps = new PrintStream(Files.newOutputStream(file), true, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, ps).writeOut(jmhResults);
        }
    }

    private Map<String, String> context(long secs) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("machine", machine());
        m.put("kernel", "Linux " + read("/proc/sys/kernel/osrelease"));
        m.put("JDK", jdkDescription);
        m.put("date", ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
        m.put("profile", profile.toString());
        m.put("run time", String.format(Locale.ROOT, "%d min %02d s", secs / 60, secs % 60));
        return m;
    }

    private static String machine() {
        String cpu = "?";
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    cpu = l.substring(l.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException ignored) {
            // leave "?"
        }
        long memKb = 0;
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(l.replaceAll("\\D+", ""));
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // leave 0
        }
        return String.format(Locale.ROOT, "%s, %d CPUs, %.0f GB RAM", cpu, Runtime.getRuntime().availableProcessors(),
                memKb / 1024.0 / 1024.0);
    }

    /** The 1-minute load average, or 0 if unknown. */
    private static double load1() {
        try {
            return Double.parseDouble(read("/proc/loadavg").split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String read(String file) {
        try {
            return String.join(" ", Files.readAllLines(Path.of(file))).trim();  // see Footprint.readLong
        } catch (IOException e) {
            return "?";
        }
    }

    /** Runs {@code --verify <contender>} in a JVM set up as that contender; null if it passes. */
    private String verifyInFork(Contender c) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(jvm);
        cmd.addAll(jvmArgs(c, List.of()));
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

    private static Map<String, String> jvmProperties(String jvm) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(jvm, "-XshowSettings:properties", "-version").redirectErrorStream(true).start();
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

    /** agent/target/pidfd4j-agent-*.jar under the working directory or above the benchmarks jar. */
    private static String findAgentJar() {
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
