package io.github.pidfd4j.bench;

import io.github.pidfd4j.bench.Benchmark.FootprintHarness;
import io.github.pidfd4j.bench.Benchmark.Jmh;
import io.github.pidfd4j.bench.Benchmark.JvmHeap;
import io.github.pidfd4j.bench.Benchmark.RoundsHarness;
import io.github.pidfd4j.bench.Benchmark.StartupHarness;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** One thing to run: one benchmark of the {@link Catalogue} for one contender (start-up: for all). */
abstract class Job {

    /** What the runner needs to make and run the jobs. */
    record Setup(Profile profile, TargetJvm jvm, JvmFlags flags, String agentJar, Path logs, JmhRunner jmh,
                 Preflight preflight) {
    }

    /** "1 spawn+wait / pidfd": what --only matches and --list prints. */
    final String name;
    final Contender contender;
    final Benchmark benchmark;

    /** @param who what the job runs, shown after the name */
    private Job(Benchmark benchmark, Contender contender, String who) {
        this.name = benchmark.job() + " / " + who;
        this.contender = contender;
        this.benchmark = benchmark;
    }

    /** Whether the job runs for these contenders. */
    boolean wanted(List<Contender> contenders) {
        return contenders.contains(contender);
    }

    /** Whether the job raises the machine's load itself (so the load before it says nothing about noise). */
    boolean raisesLoad() {
        return benchmark.harness() instanceof FootprintHarness;
    }

    abstract List<Row> run() throws Exception;

    /** The rows this job would have produced, marked not run. */
    abstract List<Row> notRun(String why);

    /** The jobs of the catalogue for these contenders whose name matches {@code only} (null: all), in order. */
    static List<Job> all(Setup s, List<Contender> contenders, Pattern only) {
        CReference cref = new CReference(s.profile(), s.logs().resolve("c-reference.log"));
        List<Job> jobs = new ArrayList<>();
        for (Benchmark b : Catalogue.BENCHMARKS) {
            if (b.harness() instanceof Jmh jmh) {
                for (Contender c : b.contenders()) {
                    jobs.add(c.isJvm() ? jmh(s, b, jmh, c) : cReference(b, jmh, cref));
                }
            } else if (b.harness() instanceof FootprintHarness) {
                for (Contender c : b.contenders()) {
                    jobs.add(footprint(s, b, c, cref));
                }
            } else if (b.harness() instanceof StartupHarness) {
                jobs.add(startup(s, b, contenders));
            } else if (b.harness() instanceof RoundsHarness) {
                jobs.add(rounds(s, b, contenders));
            }
        }
        jobs.removeIf(j -> !j.wanted(contenders) || (only != null && !only.matcher(j.name).find()));
        return jobs;
    }

    private static String fileName(String jobName) {
        return jobName.replaceAll("[^A-Za-z0-9.+-]+", "_");
    }

    private static Job jmh(Setup s, Benchmark b, Jmh jmh, Contender c) {
        return new Job(b, c, c.id()) {
            @Override
            List<Row> run() throws Exception {
                return s.jmh().run(jmh, c, s.logs().resolve(fileName(name) + ".log"),
                        s.logs().resolve(fileName(name) + ".stderr.log"));
            }

            @Override
            List<Row> notRun(String why) {
                return jmh.notRun(c, why);
            }
        };
    }

    /** The C reference's counterpart of a JMH benchmark: the same benchmark names and units. */
    private static Job cReference(Benchmark b, Jmh jmh, CReference cref) {
        return new Job(b, Contender.C_REFERENCE, Contender.C_REFERENCE.id()) {
            @Override
            List<Row> run() throws Exception {
                return jmh.cReference().run(cref);
            }

            @Override
            List<Row> notRun(String why) {
                return jmh.notRun(contender, why);
            }
        };
    }

    /** Benchmark 6: {@link Footprint} in a JVM of its own, or {@code cref footprint}. */
    private static Job footprint(Setup s, Benchmark b, Contender c, CReference cref) {
        return new Job(b, c, c.id()) {
            @Override
            List<Row> run() throws Exception {
                return c.isJvm() ? inJvm() : cref.footprint(s.profile().footprintLevels);
            }

            private List<Row> inJvm() throws IOException, InterruptedException {
                StringBuilder levels = new StringBuilder();
                for (int n : s.profile().footprintLevels) {
                    levels.append(levels.length() == 0 ? "" : ",").append(n);
                }
                List<String> cmd = new ArrayList<>();
                cmd.add(s.jvm().java());
                cmd.addAll(s.flags().of(c, JvmHeap.DEFAULT));
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Footprint.class.getName(), c.id(),
                        levels.toString()));
                Path stdout = s.logs().resolve(fileName(name) + ".out");
                Path log = s.logs().resolve(fileName(name) + ".log");
                Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(log.toFile()).start();
                if (!p.waitFor(15, TimeUnit.MINUTES)) {
                    p.destroyForcibly().waitFor();  // its children die with it (PR_SET_PDEATHSIG)
                    throw new IOException("timed out; see " + s.logs());
                }
                List<Row> rows = Footprints.parse(Files.readAllLines(stdout), c.id());
                if (p.exitValue() != 0 || rows.isEmpty()) {
                    throw new IOException("the footprint JVM exited with " + p.exitValue() + "; see " + log);
                }
                return rows;
            }

            @Override
            List<Row> notRun(String why) {
                List<Row> rows = new ArrayList<>();
                for (int n : s.profile().footprintLevels) {
                    rows.add(Row.notRun(Footprints.THREADS, Map.of("n", String.valueOf(n)), c.id(), "footprint", "threads", why));
                    rows.add(Row.notRun(Footprints.RSS, Map.of("n", String.valueOf(n)), c.id(), "footprint", "MB", why));
                }
                return rows;
            }
        };
    }

    /**
     * Benchmark 7, start-up: one job for all its variants, which run interleaved (see {@link Startup});
     * it runs with the JDK's contender checks and marks the variants it cannot run itself.
     */
    private static Job startup(Setup s, Benchmark b, List<Contender> contenders) {
        Startup startup = new Startup(s.profile(), s.jvm().java(), s.flags().common(JvmHeap.DEFAULT), s.agentJar(),
                s.logs(), s.preflight()::problem);
        List<Startup.Case> cases = Startup.selected(contenders);
        return new Job(b, Contender.JDK, cases.size() + " cases") {
            @Override
            List<Row> run() throws Exception {
                return startup.run(contenders);
            }

            @Override
            List<Row> notRun(String why) {
                return startup.notRun(contenders, why);
            }

            @Override
            boolean wanted(List<Contender> cs) {
                return !cases.isEmpty();
            }
        };
    }

    /** Benchmark 8: one job for the C reference, the library and the agent, which run in interleaved rounds. */
    private static Job rounds(Setup s, Benchmark b, List<Contender> contenders) {
        Rounds rounds = new Rounds(s.profile(), s.jvm(), s.flags(), s.logs(), s.preflight()::problem);
        return new Job(b, Contender.C_REFERENCE, s.profile().rounds + " rounds") {
            @Override
            List<Row> run() throws Exception {
                return rounds.run(contenders);
            }

            @Override
            List<Row> notRun(String why) {
                List<Row> rows = new ArrayList<>();
                for (Contender c : Rounds.CONTENDERS) {
                    if (contenders.contains(c)) {
                        rows.addAll(Rounds.notRun(c, why));
                    }
                }
                return rows;
            }

            @Override
            boolean wanted(List<Contender> cs) {
                return Rounds.wanted(cs);
            }
        };
    }
}
