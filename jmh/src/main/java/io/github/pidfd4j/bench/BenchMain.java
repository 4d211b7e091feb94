package io.github.pidfd4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one command: runs every benchmark of the {@link Catalogue} for every contender (each JMH
 * benchmark in its own forked JVM per contender, with the same flags except what the contender
 * needs), the C reference and the footprint harness, then prints the comparison table and writes,
 * under the output folder: {@code jmh-result.json} (JMH's own JSON), {@code results.json} (every
 * row, C reference and footprint included, in JMH's shape), {@code context.json}, {@code report.txt},
 * {@code report.md}, {@code chart.svg} and {@code logs/}.
 */
public final class BenchMain {

    private final Profile profile;
    private final TargetJvm jvm;
    private final Path out;
    private final Path logs;
    private final String agentJar;
    private final Preflight preflight;
    private final JmhRunner jmh;
    private final List<Job> jobs;

    private BenchMain(Options o) throws IOException, InterruptedException {
        this.profile = o.profile;
        this.jvm = TargetJvm.probe(o.jvm);
        this.out = o.out.toAbsolutePath();
        this.logs = out.resolve("logs");
        Files.createDirectories(logs);
        this.agentJar = o.agentJar;
        JvmFlags flags = new JvmFlags(jvm, agentJar);
        this.preflight = new Preflight(jvm, flags, agentJar, logs);
        this.jmh = new JmhRunner(profile, jvm, flags);
        this.jobs = Job.all(new Job.Setup(profile, jvm, flags, agentJar, logs, jmh, preflight), o.contenders, o.only);
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    /** Runs the command; returns its exit status (0: every job ran, 1: some failed, 2: bad usage). */
    public static int run(String... args) throws Exception {
        if (args.length == 2 && args[0].equals("--verify")) {  // used in a forked JVM, see Preflight
            try {
                Contender.of(args[1]).verify();
                System.out.println("OK");
                return 0;
            } catch (Exception | Error e) {
                System.err.println(e);
                return 1;
            }
        }
        Options o;
        try {
            o = Options.parse(args);
        } catch (Options.UsageError e) {
            System.err.println(e.getMessage() + "\n" + Options.USAGE);
            return 2;
        }
        if (o.help) {
            System.out.println(Options.USAGE);
            return 0;
        }
        BenchMain m = new BenchMain(o);
        if (o.list) {
            m.jobs.forEach(j -> System.out.println(j.name));
            return 0;
        }
        return m.run() ? 0 : 1;
    }

    private boolean run() throws IOException {
        long t0 = System.nanoTime();
        double load1 = Machine.load1();
        int cpus = Machine.cpus();
        System.out.println("pidfd4j benchmarks, profile " + profile);
        System.out.println("benchmarked JVM: " + jvm.java() + " (" + jvm.description() + ")");
        System.out.println("output: " + out + " (JMH logs in " + logs + ")");
        if (load1 > cpus / 2.0) {
            System.out.printf(Locale.ROOT, "warning: the machine is busy (load average %.2f on %d CPUs): expect noisy"
                    + " numbers; compare ratios within this run, not absolute times%n", load1, cpus);
        }
        if (jobs.stream().anyMatch(j -> j.contender == Contender.AGENT)) {
            String p = preflight.problem(Contender.AGENT);
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
            double load = Machine.load1();
            if (!j.raisesLoad()) {
                loadMin = Math.min(loadMin, load);
                loadMax = Math.max(loadMax, load);
            }
            System.out.printf(Locale.ROOT, "[%2d/%d] load %5.2f  %-34s ", i, jobs.size(), load, j.name);
            System.out.flush();
            long s = System.nanoTime();
            String problem = preflight.problem(j.contender);
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
                rows.addAll(j.notRun("failed: " + oneLine(e)));
                System.out.printf(Locale.ROOT, "%5.0f s  FAILED: %s%n", (System.nanoTime() - s) / 1e9, oneLine(e));
            }
        }
        List<Row> noted = new ArrayList<>();
        for (Row r : rows) {
            noted.add(r.contender.equals(Contender.JDK_VFORK.id()) && jvm.feature() >= 25
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
        jmh.writeJson(out.resolve("jmh-result.json"));
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

    /** What a job measured, in one line of the progress output. */
    private static String summary(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        for (Row r : rows) {
            if (r.isRun() && b.length() < 90) {
                // Start-up rows differ by variant, not by parameters: name it.
                b.append(b.length() == 0 ? "" : "; ").append(r.samples != null ? r.contender : Catalogue.place(r).variant())
                        .append(": ").append(Table.num(r.score)).append(' ').append(r.unit);
            }
        }
        return b.toString();
    }

    private static String oneLine(Throwable e) {
        String s = String.valueOf(e.getMessage() == null ? e.toString() : e.getMessage());
        s = s.replaceAll("\\s+", " ").trim();
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    private Map<String, String> context(long secs) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("machine", Machine.describe());
        m.put("kernel", Machine.kernel());
        m.put("JDK", jvm.description());
        m.put("date", ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
        m.put("profile", profile.toString());
        m.put("run time", String.format(Locale.ROOT, "%d min %02d s", secs / 60, secs % 60));
        return m;
    }
}
