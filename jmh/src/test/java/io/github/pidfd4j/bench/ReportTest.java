package io.github.pidfd4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The table and the chart, from a canned JMH result file (a real one, trimmed) plus runner rows. */
class ReportTest {

    private static String sample() throws IOException {
        try (InputStream in = ReportTest.class.getResourceAsStream("/sample-jmh.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>(Row.read(sample()));
        rows.add(Row.measured(ExitLatencyBenchmark.class.getName() + ".exitToOnExit", Map.of(), "c-reference", "sample",
                35.7, 1.6, "us/op", 27.72, 88.5));
        rows.add(Row.notRun(ExitLatencyBenchmark.class.getName() + ".exitToOnExit", Map.of(), "agent", "sample", "us/op",
                "agent jar not found"));
        rows.add(Row.measured(Footprints.THREADS, Map.of("n", "10000"), "jdk", "footprint", 10021, Double.NaN,
                "threads", Double.NaN, Double.NaN));
        rows.add(Row.measured(Footprints.THREADS, Map.of("n", "10000"), "pidfd", "footprint", 24, Double.NaN,
                "threads", Double.NaN, Double.NaN));
        rows.add(Row.measured(Footprints.THREADS, Map.of("n", "10000"), "jdk-vfork", "footprint", 10021, Double.NaN,
                "threads", Double.NaN, Double.NaN).withNote("deprecated <here> & \"there\""));
        return rows;
    }

    private static Row find(Report r, String benchmarkSuffix, String contender) {
        return r.rows().stream().filter(x -> x.benchmark.endsWith(benchmarkSuffix) && x.contender.equals(contender))
                .findFirst().orElseThrow();
    }

    @Test
    void readsJmhJson() throws IOException {
        List<Row> rows = Row.read(sample());
        assertEquals(4, rows.size());
        Row exit = rows.stream().filter(r -> r.benchmark.endsWith("exitToOnExit") && r.contender.equals("pidfd"))
                .findFirst().orElseThrow();
        assertEquals("sample", exit.mode);
        assertEquals("us/op", exit.unit);
        assertEquals(183.04, exit.p50, 1e-9);
        assertTrue(exit.lowerIsBetter());
        Row thr = rows.stream().filter(r -> r.benchmark.endsWith("threads2")).findFirst().orElseThrow();
        assertEquals(2, thr.threads);
        assertFalse(thr.lowerIsBetter());
        assertTrue(Double.isNaN(thr.p50), "throughput rows are compared by score, not by iteration percentiles");
    }

    @Test
    void ratiosUseMediansForLatencyAndScoresOtherwise() throws IOException {
        Report r = new Report(rows(), Map.of());
        Row pidfdExit = find(r, "exitToOnExit", "pidfd");
        assertEquals(207.872 / 183.04, r.vsJdk(pidfdExit), 1e-9);
        assertEquals(27.72 / 183.04, r.vsC(pidfdExit), 1e-9);
        Row pidfdThr = find(r, "threads2", "pidfd");
        Row jdkThr = find(r, "threads2", "jdk");
        assertEquals(pidfdThr.score / jdkThr.score, r.vsJdk(pidfdThr), 1e-9);
        assertTrue(Double.isNaN(r.vsC(pidfdThr)), "no C row for this benchmark");
        Row threads = r.rows().stream().filter(x -> x.benchmark.equals(Footprints.THREADS) && x.contender.equals("pidfd"))
                .findFirst().orElseThrow();
        assertEquals(10021.0 / 24, r.vsJdk(threads), 1e-9);
        assertTrue(Double.isNaN(r.vsJdk(find(r, "exitToOnExit", "agent"))));
    }

    @Test
    void tableShowsEveryRowInOrder() throws IOException {
        Map<String, String> ctx = new LinkedHashMap<>();
        ctx.put("machine", "test box");
        String t = new Report(rows(), ctx).table();
        assertTrue(t.startsWith("machine: test box\n"), t);
        assertTrue(t.contains("vs JDK"), t);
        assertTrue(t.contains("1.14x"), t);  // 207.872 / 183.04
        assertTrue(t.contains("not run: agent jar not found"), t);
        assertTrue(t.contains("10,021"), t);
        assertTrue(t.contains("418x"), t);   // 10021 / 24, rounded
        assertTrue(t.indexOf("2 spawn throughput") < t.indexOf("3 exit -> onExit()"), t);
        assertTrue(t.indexOf("3 exit -> onExit()") < t.indexOf("6 footprint"), t);
        int jdk = t.indexOf("  jdk  ");
        int pidfd = t.indexOf("  pidfd  ");
        assertTrue(jdk >= 0 && jdk < pidfd, "jdk before pidfd:\n" + t);
        assertTrue(t.contains("jdk-vfork *: deprecated"), t);
        String md = new Report(rows(), ctx).markdown();
        assertTrue(md.contains("| benchmark | variant | contender |"), md);
    }

    @Test
    void chartIsWellFormedSvg(@TempDir Path dir) throws Exception {
        new Report(rows(), Map.of("date", "today")).writeAll(dir);
        String svg = Files.readString(dir.resolve("chart.svg"));
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        assertTrue(doc.getElementsByTagName("rect").getLength() > 5);
        assertTrue(svg.contains("1.14x better"), svg);
        assertTrue(svg.contains("not run: agent jar not found"), svg);
        assertTrue(svg.contains("&lt;here&gt; &amp; &quot;there&quot;"), "escaped note");
        assertTrue(Files.readString(dir.resolve("report.txt")).contains("exit -> onExit()"));
        assertTrue(Files.size(dir.resolve("report.md")) > 0);
    }

    @Test
    void reportMainRegeneratesFromSavedFiles(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.json");
        Files.writeString(in, sample());
        List<Object> extra = new ArrayList<>();
        for (Row r : rows().subList(4, rows().size())) {
            extra.add(r.toJson());
        }
        Path extraFile = dir.resolve("extra.json");
        Files.writeString(extraFile, Json.write(extra));
        assertEquals(rows().size() - 4, Row.read(Files.readString(extraFile)).size());
        Path ctx = dir.resolve("context.json");
        Files.writeString(ctx, Json.write(Map.of("kernel", "Linux 9.9")));
        Report.main(new String[] {dir.resolve("out").toString(), "--context", ctx.toString(), in.toString(),
            extraFile.toString()});
        String t = Files.readString(dir.resolve("out").resolve("report.txt"));
        assertTrue(t.contains("418x"), t);
        assertTrue(t.startsWith("kernel: Linux 9.9"), t);
    }

    @Test
    void jsonRoundTrip() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\n\u0001");
        m.put("n", 1.5);
        m.put("i", 3.0);
        m.put("nan", Double.NaN);
        m.put("l", List.of(true, false, "x"));
        m.put("null", null);
        m.put("empty", Map.of());
        Object back = Json.parse(Json.write(m));
        assertEquals("a\"b\\c\n\u0001", ((Map<?, ?>) back).get("s"));
        assertEquals(1.5, ((Map<?, ?>) back).get("n"));
        assertTrue(Double.isNaN(Json.number(((Map<?, ?>) back).get("nan"))));
        assertEquals(List.of(true, false, "x"), ((Map<?, ?>) back).get("l"));
        assertTrue(((Map<?, ?>) back).containsKey("null"));
    }

    @Test
    void formatting() {
        assertEquals("1,234", Table.num(1234.4));
        assertEquals("123.4", Table.num(123.44));
        assertEquals("12.34", Table.num(12.344));
        assertEquals("1.234", Table.num(1.2344));
        assertEquals("2.00x", Table.times(2));
        assertEquals("1,000x", Table.times(1000));
        assertEquals("0.050x", Table.times(0.05));
        assertEquals(4L << 30, HeapBenchmark.parseSize("4g"));
        assertEquals(256L << 20, HeapBenchmark.parseSize("256m"));
    }

    private static Row startup(String bench, String contender, String spawns, double... runs) {
        List<Double> s = new ArrayList<>();
        for (double r : runs) {
            s.add(r);
        }
        return Row.ofSamples(bench, Map.of(Startup.SPAWNS, spawns), contender, Startup.MODE, bench.equals(Startup.RSS) ? "MB" : "s", s);
    }

    @Test
    void startupRowsKeepTheirRunsAndShowTheGoals(@TempDir Path dir) throws Exception {
        List<Row> rows = List.of(
                startup(Startup.CPU, "jdk", "1", 0.06, 0.05, 0.07),
                startup(Startup.CPU, "pidfd", "1", 0.09, 0.07, 0.08, 0.10),
                startup(Startup.CPU, "noop-agent", "1", 0.11),
                startup(Startup.CPU, "agent", "1", 0.375),
                startup(Startup.RSS, "jdk", "0", 39),
                Row.notRun(Startup.CPU, Map.of(Startup.SPAWNS, "0"), "agent", Startup.MODE, "s", "agent jar not found"),
                startup(Startup.CPU, "noop-agent", "0", 0.1),
                Row.measured(Footprints.RSS, Map.of("n", "0"), "jdk", "footprint", 45.5, Double.NaN, "MB", Double.NaN, Double.NaN),
                Row.measured(Footprints.RSS, Map.of("n", "0"), "pidfd", "footprint", 47.0, Double.NaN, "MB", Double.NaN, Double.NaN));
        List<Object> json = new ArrayList<>();
        rows.forEach(r -> json.add(r.toJson()));
        List<Row> back = Row.read(Json.write(json));  // what results.json holds, and Report main reads
        Row pidfd = back.get(1);
        assertEquals(List.of(0.09, 0.07, 0.08, 0.10), pidfd.samples);
        assertEquals(0.085, pidfd.score, 1e-12, "the median of an even count");
        assertEquals(0.07, pidfd.min());
        assertEquals(0.10, pidfd.max());

        Report r = new Report(back, Map.of());
        assertEquals(0.06 / 0.085, r.vsJdk(r.rows().stream().filter(x -> x.contender.equals("pidfd")
                && x.benchmark.equals(Startup.CPU)).findFirst().orElseThrow()), 1e-12);
        String table = r.table();
        assertTrue(table.contains("7 start-up: CPU (user+sys)"), table);
        assertTrue(table.contains("0.070–0.100"), "the range where others show their error: " + table);
        assertTrue(table.matches("(?s).*library first spawn: CPU .* \\+0\\.025 s .* met\\n.*"), table);
        assertTrue(table.matches("(?s).*agent start-up, JVM that starts 1 process: CPU .* \\+0\\.265 s .* NOT MET\\n.*"), table);
        assertTrue(table.matches("(?s).*agent start-up, JVM that starts none: CPU .* not run: agent\\n.*"), table);
        assertTrue(table.matches("(?s).*fixed memory, library: resident at 0 children .* \\+1\\.500 MB .* met\\n.*"), table);
        assertTrue(r.markdown().contains("| library first spawn: CPU | pidfd | jdk |"), r.markdown());
        r.writeAll(dir);
        String svg = Files.readString(dir.resolve("chart.svg"));
        DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertTrue(svg.contains("start-up and fixed-cost goals"), svg);
        assertTrue(svg.contains("+0.265 s"), svg);
    }

    @Test
    void roundsJudgeTheMedianOfRatiosWithinARound() {
        // Round 2 is slow for everyone (the machine drifted): within-round ratios do not see it.
        List<Row> rows = List.of(
                rounds(Rounds.SPAWN, "c-reference", "us/op", 500, 1000, 520),
                rounds(Rounds.SPAWN, "pidfd", "us/op", 550, 1100, 624),
                rounds(Rounds.SPAWN, "agent", "us/op", 600, 1300, 520),
                rounds(Rounds.THREADS2, "c-reference", "ops/s", 400, 200, 400),
                rounds(Rounds.THREADS2, "pidfd", "ops/s", 360, 160, 330),
                Rounds.notRun(Contender.AGENT, "agent jar not found").get(1));
        List<Object> json = new ArrayList<>();
        rows.forEach(r -> json.add(r.toJson()));
        List<Row> back = Row.read(Json.write(json));
        assertEquals(List.of(550.0, 1100.0, 624.0), back.get(1).samples, "rounds stay in their order");

        List<RoundGoals.Line> lines = RoundGoals.lines(back);
        RoundGoals.Line lib = lines.get(0);
        assertEquals(List.of(1.1, 1.1, 1.2), lib.ratios());
        assertEquals(1.1, lib.median(), 1e-12);
        assertEquals("met", lib.verdict());
        assertEquals(2, lib.roundsMet());
        RoundGoals.Line agent = lines.get(1);
        assertEquals(1.2, agent.median(), 1e-12, "ratios 1.2, 1.3, 1.0");
        assertEquals("NOT MET", agent.verdict());
        RoundGoals.Line thr = lines.get(2);
        assertEquals(0.825, thr.median(), 1e-12, "ratios 0.9, 0.8, 0.825");
        assertEquals("NOT MET", thr.verdict());
        assertEquals("not run: agent", lines.get(3).verdict());
        assertEquals(4, lines.size(), "no line for the 4-thread rows, which this run does not have");

        String table = new Report(back, Map.of()).table();
        assertTrue(table.contains("8 in rounds: spawn + wait"), table);
        assertTrue(table.matches("(?s).*spawn\\+wait tiny-true, library: time vs C +1\\.10x +1\\.10x–1\\.20x +2 of 3 +<= 1\\.15x +met\\n.*"),
                table);
        assertTrue(table.contains("the median of 3 rounds"), table);
        assertTrue(new Report(back, Map.of()).markdown().contains("| throughput 2 threads, library: ops/s vs C | 0.83x |"),
                "0.825 shown as 0.83x");
    }

    private static Row rounds(String bench, String contender, String unit, double... perRound) {
        List<Double> s = new ArrayList<>();
        for (double v : perRound) {
            s.add(v);
        }
        return Row.ofSamples(bench, Map.of(), contender, Rounds.MODE, unit, s);
    }

    @Test
    void startupSelectsEachVariantWithItsBaselines() {
        assertEquals("[jdk/1, pidfd/1]", Startup.selected(List.of(Contender.PIDFD)).toString());
        assertEquals("[jdk/1, noop-agent/1, agent-disabled/1, agent/1, jdk/0, noop-agent/0, agent/0]",
                Startup.selected(List.of(Contender.AGENT)).toString());
        assertEquals("[]", Startup.selected(List.of(Contender.C_REFERENCE)).toString());
    }
}
