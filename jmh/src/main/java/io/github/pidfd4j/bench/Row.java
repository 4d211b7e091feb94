package io.github.pidfd4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One line of the report: a benchmark, its parameters, one contender, and its score, or why it
 * was not run. Read from JMH's JSON, and written to and read from the runner's own JSON (C
 * reference, footprint and not-run entries) in the same shape, so that both files look alike.
 */
public final class Row {

    /** The key, in the JSON records, of the reason a combination was not run. */
    static final String NOT_RUN = "pidfd4j.notRun";
    /** The key, in the JSON records, of a note shown with the row (e.g. a deprecation). */
    static final String NOTE = "pidfd4j.note";

    public final String benchmark;
    /** The parameters, without the contender, sorted by name. */
    public final Map<String, String> params;
    public final String contender;
    public final String mode;
    public final int threads;
    public final double score;
    public final double error;
    public final String unit;
    public final double p50;
    public final double p99;
    public final String notRun;
    public final String note;
    /**
     * Every measurement, for rows made of a few whole runs (the start-up benchmark: one per fresh
     * JVM; benchmark 8: one per round, in round order); their median is the score and p50, their
     * range is shown instead of an error. Else null.
     */
    public final List<Double> samples;

    Row(String benchmark, Map<String, String> params, String contender, String mode, int threads,
        double score, double error, String unit, double p50, double p99, String notRun, String note) {
        this(benchmark, params, contender, mode, threads, score, error, unit, p50, p99, notRun, note, null);
    }

    private Row(String benchmark, Map<String, String> params, String contender, String mode, int threads,
                double score, double error, String unit, double p50, double p99, String notRun, String note,
                List<Double> samples) {
        this.benchmark = benchmark;
        this.params = new TreeMap<>(params);
        this.params.remove("contender");
        this.contender = contender;
        this.mode = mode;
        this.threads = threads;
        this.score = score;
        this.error = error;
        this.unit = unit;
        this.p50 = p50;
        this.p99 = p99;
        this.notRun = notRun;
        this.note = note;
        this.samples = samples == null ? null : List.copyOf(samples);
    }

    static Row measured(String benchmark, Map<String, String> params, String contender, String mode,
                        double score, double error, String unit, double p50, double p99) {
        return new Row(benchmark, params, contender, mode, 1, score, error, unit, p50, p99, null, null);
    }

    static Row notRun(String benchmark, Map<String, String> params, String contender, String mode,
                      String unit, String reason) {
        return new Row(benchmark, params, contender, mode, 1, Double.NaN, Double.NaN, unit,
                Double.NaN, Double.NaN, reason, null);
    }

    /** A row of whole runs: score and p50 are their median. */
    static Row ofSamples(String benchmark, Map<String, String> params, String contender, String mode, String unit,
                         List<Double> samples) {
        if (samples.isEmpty()) {
            return notRun(benchmark, params, contender, mode, unit, "no run");
        }
        double median = median(samples);
        return new Row(benchmark, params, contender, mode, 1, median, Double.NaN, unit, median, Double.NaN, null, null,
                samples);
    }

    Row withNote(String n) {
        return new Row(benchmark, params, contender, mode, threads, score, error, unit, p50, p99, notRun, n, samples);
    }

    static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    /** The smallest and largest sample; NaN without samples. */
    public double min() {
        return samples == null || samples.isEmpty() ? Double.NaN : samples.stream().mapToDouble(d -> d).min().getAsDouble();
    }

    public double max() {
        return samples == null || samples.isEmpty() ? Double.NaN : samples.stream().mapToDouble(d -> d).max().getAsDouble();
    }

    /** Benchmark and parameters without the contender: the rows that are compared with each other. */
    public String comparisonKey() {
        return benchmark + params;
    }

    /** Whether a smaller score is better (times, threads, memory) or a larger one (operations per time). */
    public boolean lowerIsBetter() {
        return !unit.startsWith("ops/");
    }

    public boolean isRun() {
        return notRun == null && Double.isFinite(score);
    }

    /** From one record of a JMH result file (or of the runner's own file, which has the same shape). */
    @SuppressWarnings("unchecked")
    static Row fromJson(Map<String, Object> r) {
        Map<String, String> params = new LinkedHashMap<>();
        Object ps = r.get("params");
        if (ps instanceof Map) {
            ((Map<String, Object>) ps).forEach((k, v) -> params.put(k, String.valueOf(v)));
        }
        String contender = params.getOrDefault("contender", "?");
        Map<String, Object> pm = (Map<String, Object>) r.getOrDefault("primaryMetric", Map.of());
        Map<String, Object> pct = (Map<String, Object>) pm.getOrDefault("scorePercentiles", Map.of());
        Object threads = r.get("threads");
        String mode = String.valueOf(r.get("mode"));
        boolean sample = mode.equals("sample");  // JMH also writes percentiles of throughput iterations
        Object raw = pm.get("rawData");
        if ((mode.equals(Startup.MODE) || mode.equals(Rounds.MODE)) && raw instanceof List && r.get(NOT_RUN) == null) {
            List<Double> samples = new ArrayList<>();
            for (Object fork : (List<Object>) raw) {
                for (Object v : (List<Object>) fork) {
                    samples.add(Json.number(v));
                }
            }
            Row row = ofSamples((String) r.get("benchmark"), params, contender, mode, String.valueOf(pm.get("scoreUnit")),
                    samples);
            return r.get(NOTE) == null ? row : row.withNote((String) r.get(NOTE));
        }
        return new Row((String) r.get("benchmark"), params, contender, mode,
                threads == null ? 1 : (int) Json.number(threads),
                Json.number(pm.get("score")), Json.number(pm.get("scoreError")), String.valueOf(pm.get("scoreUnit")),
                sample ? Json.number(pct.get("50.0")) : Double.NaN, sample ? Json.number(pct.get("99.0")) : Double.NaN,
                (String) r.get(NOT_RUN), (String) r.get(NOTE));
    }

    /** In the shape of a JMH record. */
    Map<String, Object> toJson() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("benchmark", benchmark);
        r.put("mode", mode);
        r.put("threads", (double) threads);
        Map<String, Object> ps = new LinkedHashMap<>(params);
        ps.put("contender", contender);
        r.put("params", ps);
        Map<String, Object> pm = new LinkedHashMap<>();
        pm.put("score", score);
        pm.put("scoreError", error);
        if (samples != null) {
            // JMH's own shape: percentiles 0 and 100 are the range, rawData the runs (one "fork").
            Map<String, Object> pct = new LinkedHashMap<>();
            pct.put("0.0", min());
            pct.put("50.0", p50);
            pct.put("100.0", max());
            pm.put("scorePercentiles", pct);
        } else if (Double.isFinite(p50)) {
            pm.put("scorePercentiles", Map.of("50.0", p50, "99.0", p99));
        }
        pm.put("scoreUnit", unit);
        if (samples != null) {
            pm.put("rawData", List.of(new ArrayList<Object>(samples)));
        }
        r.put("primaryMetric", pm);
        if (notRun != null) {
            r.put(NOT_RUN, notRun);
        }
        if (note != null) {
            r.put(NOTE, note);
        }
        return r;
    }

    /** Reads a JMH result file or the runner's own file. */
    @SuppressWarnings("unchecked")
    static List<Row> read(String json) {
        Object all = Json.parse(json);
        if (!(all instanceof List)) {
            throw new IllegalArgumentException("not a JMH result file: the top level is not an array");
        }
        return ((List<Object>) all).stream().map(o -> fromJson((Map<String, Object>) o)).toList();
    }

    @Override
    public String toString() {
        return benchmark + params + " " + contender + ": " + (isRun() ? score + " " + unit : "not run: " + notRun);
    }
}
