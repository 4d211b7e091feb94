package io.github.pidfd4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.util.ListStatistics;

/**
 * Runs the C reference ({@code cref}, see src/main/c/cref.c) for each benchmark and turns its
 * output into rows with the same benchmark names and units as the JMH results, with statistics
 * computed by JMH's own code (mean, 99.9% confidence error, percentiles).
 */
final class CReference {

    static final String C = Contender.C_REFERENCE.id();

    private final Profile profile;
    private final Path log;

    CReference(Profile profile, Path log) {
        this.profile = profile;
        this.log = log;
    }

    private int warmupMillis() {
        return Math.max(200, profile.warmupIterations * profile.warmupMillis);
    }

    private int measureMillis(int perIteration) {
        return profile.iterations * perIteration * profile.forks;
    }

    Row spawn(String program) throws IOException, InterruptedException {
        List<Double> s = samples(run("spawn", NativeTools.program(program),
                String.valueOf(warmupMillis()), String.valueOf(measureMillis(profile.iterationMillis))));
        return sampleRow(SpawnWaitBenchmark.class, "spawnWait", Map.of("program", program), s);
    }

    Row heap(String heap) throws IOException, InterruptedException {
        long mb = HeapBenchmark.parseSize(heap) >> 20;
        List<Double> s = samples(run("spawn", NativeTools.tinyTrue(),
                String.valueOf(warmupMillis()), String.valueOf(measureMillis(profile.iterationMillis)), String.valueOf(mb)));
        return sampleRow(HeapBenchmark.class, "spawnWait", Map.of("heap", heap), s);
    }

    Row exit() throws IOException, InterruptedException {
        List<Double> s = samples(run("exit", NativeTools.tinyPause(),
                String.valueOf(warmupMillis()), String.valueOf(measureMillis(profile.iterationMillis))));
        return sampleRow(ExitLatencyBenchmark.class, "exitToOnExit", Map.of(), s);
    }

    Row nonChild() throws IOException, InterruptedException {
        List<Double> s = samples(run("nonchild", NativeTools.tinyPause(),
                String.valueOf(warmupMillis()), String.valueOf(measureMillis(profile.nonChildIterationMillis))));
        return sampleRow(NonChildExitBenchmark.class, "nonChildOnExit", Map.of(), s);
    }

    Row throughput(int threads) throws IOException, InterruptedException {
        List<String> out = run("throughput", "/bin/true", String.valueOf(threads), String.valueOf(warmupMillis()),
                String.valueOf(profile.iterationMillis), String.valueOf(profile.iterations * profile.forks));
        ListStatistics st = new ListStatistics();
        for (String l : out) {
            if (l.startsWith("I ")) {
                st.addValue(Double.parseDouble(l.substring(2).trim()));
            }
        }
        if (st.getN() == 0) {
            throw new IOException("cref throughput printed no iteration");
        }
        double err = st.getN() > 2 ? st.getMeanErrorAt(0.999) : Double.NaN;
        return new Row(ThroughputBenchmark.class.getName() + ".threads" + threads, Map.of(), C, "thrpt", threads,
                st.getMean(), err, "ops/s", Double.NaN, Double.NaN, null, null);
    }

    /** Rows for Footprint.threads and Footprint.rss at each level. */
    List<Row> footprint(List<Integer> levels) throws IOException, InterruptedException {
        StringBuilder csv = new StringBuilder();
        for (int n : levels) {
            csv.append(csv.length() == 0 ? "" : ",").append(n);
        }
        return Footprints.parse(run("footprint", NativeTools.tinyPause(), csv.toString()), C);
    }

    private static Row sampleRow(Class<?> bench, String method, Map<String, String> params, List<Double> nanos) {
        ListStatistics st = new ListStatistics();
        for (double ns : nanos) {
            st.addValue(ns / 1000.0);
        }
        if (st.getN() == 0) {
            throw new IllegalStateException("cref printed no sample");
        }
        return Row.measured(bench.getName() + "." + method, params, C, "sample", st.getMean(),
                st.getN() > 2 ? st.getMeanErrorAt(0.999) : Double.NaN, "us/op", st.getPercentile(50), st.getPercentile(99));
    }

    private static List<Double> samples(List<String> lines) {
        List<Double> s = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("S ")) {
                s.add(Double.parseDouble(l.substring(2).trim()));
            }
        }
        return s;
    }

    /** Runs cref with these arguments; its stdout lines; stderr goes to the log. */
    private List<String> run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(NativeTools.cref());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("cref", ".out");
        try {
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly().waitFor();
                throw new IOException("cref " + String.join(" ", args) + " timed out");
            }
            if (p.exitValue() != 0) {
                throw new IOException("cref " + String.join(" ", args) + " exited with " + p.exitValue() + "; see " + log);
            }
            return Files.readAllLines(out, StandardCharsets.US_ASCII);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
