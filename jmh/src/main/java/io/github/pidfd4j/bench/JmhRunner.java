package io.github.pidfd4j.bench;

import io.github.pidfd4j.bench.Benchmark.Jmh;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

/** Runs JMH benchmarks, one contender at a time in forked JVMs, and keeps JMH's results for its JSON. */
final class JmhRunner {

    private final Profile profile;
    private final TargetJvm jvm;
    private final JvmFlags flags;
    private final List<RunResult> results = new ArrayList<>();

    JmhRunner(Profile profile, TargetJvm jvm, JvmFlags flags) {
        this.profile = profile;
        this.jvm = jvm;
        this.flags = flags;
    }

    /** Runs {@code b} for {@code c}; JMH's output goes to {@code log}, the forked JVMs' stderr to {@code errLog}. */
    List<Row> run(Jmh b, Contender c, Path log, Path errLog) throws Exception {
        String include = "^" + Pattern.quote(b.bench().getName()) + "\\.(" + String.join("|", b.methods()) + ")$";
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(include)
                .param("contender", c.id())
                .jvm(jvm.java())
                .jvmArgs(flags.of(c, b.heap()).toArray(new String[0]))
                .forks(profile.forks)
                .warmupIterations(profile.warmupIterations)
                .warmupTime(TimeValue.milliseconds(profile.warmupMillis))
                .measurementIterations(profile.iterations)
                .measurementTime(TimeValue.milliseconds(b.iterationMillis().applyAsInt(profile)))
                .shouldFailOnError(true)
                .verbosity(VerboseMode.NORMAL)
                .output(log.toString());
        b.params().forEach((k, v) -> o.param(k, v.toArray(new String[0])));
        // JMH copies the forked JVMs' stderr (e.g. JDK 25's VFORK banner) to ours: keep it in the log.
        PrintStream err = System.err;
        Collection<RunResult> got;
        try (PrintStream toLog = new PrintStream(Files.newOutputStream(errLog), true, StandardCharsets.UTF_8)) {
            System.setErr(toLog);
            got = new Runner(o.build()).run();
        } finally {
            System.setErr(err);
        }
        results.addAll(got);
        List<Row> rows = new ArrayList<>();
        for (RunResult r : got) {
            rows.add(toRow(r));
        }
        if (rows.isEmpty()) {
            throw new IllegalStateException("JMH returned no result");
        }
        return rows;
    }

    /** JMH's own JSON of every run so far. */
    void writeJson(Path file) throws IOException {
        try (PrintStream ps = new PrintStream(Files.newOutputStream(file), true, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, ps).writeOut(results);
        }
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
}
