package io.github.pidfd4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark methods, the C reference and the footprint parser, each for a handful of
 * operations, so that breakage shows up in {@code mvn verify} without running any real benchmark.
 */
class BenchmarkSmokeTest {

    @Test
    void spawnWaitForBothLibraryContenders() throws Exception {
        for (String c : List.of("jdk", "pidfd")) {
            for (String program : List.of("true", "tiny")) {
                SpawnWaitBenchmark b = new SpawnWaitBenchmark();
                b.contender = c;
                b.program = program;
                b.setup();
                for (int i = 0; i < 5; i++) {
                    Process p = b.spawnWait();
                    assertEquals(0, p.exitValue());
                    assertEquals(c.equals("pidfd"), Contender.isPidfd4j(p), c);
                }
            }
        }
    }

    @Test
    void throughputOperation() throws Exception {
        ThroughputBenchmark b = new ThroughputBenchmark();
        b.contender = "pidfd";
        b.setup();
        for (int i = 0; i < 3; i++) {
            assertEquals(0, b.threads2().exitValue());
        }
    }

    @Test
    void exitLatencyOperation() throws Exception {
        for (String c : List.of("jdk", "pidfd")) {
            ExitLatencyBenchmark b = new ExitLatencyBenchmark();
            b.contender = c;
            b.setup();
            for (int i = 0; i < 3; i++) {
                b.startChild();
                Process p = b.exitToOnExit();
                assertEquals(137, p.exitValue(), "SIGKILL");
                b.closeChild();
            }
        }
    }

    @Test
    void nonChildOperation() throws Exception {
        NonChildExitBenchmark b = new NonChildExitBenchmark();
        b.contender = "pidfd";  // without the agent: the JDK's polling, one operation takes ~300 ms
        b.setup();
        try {
            b.startSleeper();
            ProcessHandle h = b.nonChildOnExit();
            assertFalse(h.isAlive());
            b.killSleeper();
        } finally {
            b.stopServer();
        }
    }

    @Test
    void heapBenchmarkRefusesAMismatchedHeap() {
        HeapBenchmark b = new HeapBenchmark();
        b.contender = "jdk";
        b.heap = "1k";
        IllegalStateException e = assertThrows(IllegalStateException.class, b::setup);
        assertTrue(e.getMessage().contains("heap=1k"), e.getMessage());
    }

    @Test
    void contenderChecksItsJvm() throws Exception {
        Contender.JDK.verify();
        Contender.PIDFD.verify();
        IllegalStateException e = assertThrows(IllegalStateException.class, Contender.AGENT::verify);
        assertTrue(e.getMessage().contains("-javaagent"), e.getMessage());
        assertThrows(IllegalStateException.class, Contender.JDK_VFORK::verify);
        assertSame(Contender.JDK_VFORK, Contender.of("JDK-VFORK"));
    }

    @Test
    void cReferenceRunsAndReportsInJmhUnits(@TempDir Path dir) throws Exception {
        CReference c = new CReference(Profile.SMOKE, dir.resolve("cref.log"));
        Row spawn = c.spawn("tiny");
        assertTrue(spawn.isRun());
        assertEquals("us/op", spawn.unit);
        assertTrue(spawn.p50 > 1 && spawn.p50 < 100_000, spawn.toString());
        assertEquals(SpawnWaitBenchmark.class.getName() + ".spawnWait", spawn.benchmark);
        Row exit = c.exit();
        assertTrue(exit.p50 > 0, exit.toString());
        List<Row> fp = c.footprint(List.of(0, 3));
        assertEquals(4, fp.size());
        assertEquals(1.0, fp.get(2).score, "the C reference has one thread");
    }

    @Test
    void roundsRunTheCReferenceOncePerRoundAndMarkWhoCannotRun(@TempDir Path dir) throws Exception {
        Rounds r = new Rounds(Profile.SMOKE, new TargetJvm("java", 17, "test"), new JvmFlags(new TargetJvm("java", 17,
                "test"), null), dir, c -> c == Contender.PIDFD ? "provider unavailable (test)" : null);
        List<Row> rows = r.run(List.of(Contender.C_REFERENCE, Contender.PIDFD));
        assertEquals(6, rows.size(), rows.toString());
        for (Row x : rows) {
            if (x.contender.equals("pidfd")) {
                assertEquals("provider unavailable (test)", x.notRun);
            } else {
                assertTrue(x.isRun(), x.toString());
                assertEquals(Profile.SMOKE.rounds, x.samples.size());
                assertTrue(x.score > 0, x.toString());
            }
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Rounds(Profile.SMOKE,
                new TargetJvm("java", 17, "test"), new JvmFlags(new TargetJvm("java", 17, "test"), null), dir,
                c -> "missing (test)").run(List.of(Contender.C_REFERENCE, Contender.PIDFD)));
        assertTrue(e.getMessage().contains("missing (test)"), e.getMessage());
    }

    @Test
    void footprintLines() {
        List<Row> rows = Footprints.parse(List.of("F 0 21 46632 7", "F 100 121 50000 107",
                "X 10000 RLIMIT_NOFILE is 4096, too low"), "jdk");
        assertEquals(6, rows.size());
        assertEquals(121.0, rows.get(2).score);
        assertEquals(50000 / 1024.0, rows.get(3).score, 1e-9);
        assertEquals("RLIMIT_NOFILE is 4096, too low", rows.get(4).notRun);
    }

    @Test
    void footprintHarnessRunsAndCleansUp() throws Exception {
        String out = runFootprint("pidfd", "0,3");
        assertTrue(out.contains("F 0 "), out);
        assertTrue(out.contains("F 3 "), out);
        assertFalse(ProcessHandle.current().children().anyMatch(ProcessHandle::isAlive), "every child reaped");
    }

    private static String runFootprint(String contender, String levels) throws Exception {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(buf, true, "UTF-8"));
        try {
            Footprint.main(new String[] {contender, levels});
        } finally {
            System.setOut(old);
        }
        return buf.toString("UTF-8");
    }

    @Test
    void runnerEndToEndThroughJmh(@TempDir Path dir) throws Exception {
        // One real JMH run (forked JVM, a fraction of a second of measurement) plus the C reference,
        // through the same code path as the command, then the table, the chart and the JSON files.
        int rc = BenchMain.run("--smoke", "--only", "^1 spawn", "--contenders", "pidfd,c-reference",
                "--out", dir.toString());
        assertEquals(0, rc);
        String table = Files.readString(dir.resolve("report.txt"));
        assertTrue(table.contains("1 spawn + wait"), table);
        assertTrue(table.contains("pidfd"), table);
        assertTrue(table.contains("c-reference"), table);
        assertTrue(Files.readString(dir.resolve("jmh-result.json")).contains("SpawnWaitBenchmark.spawnWait"));
        assertEquals(4, Row.read(Files.readString(dir.resolve("results.json"))).size());
        assertTrue(Files.readString(dir.resolve("chart.svg")).startsWith("<svg"));
    }

    @Test
    void startupForRealReduced(@TempDir Path dir) throws Exception {
        // The start-up benchmark through the command, reduced: 2 fresh JVMs of the library and 2 of
        // its baseline (the JDK's first pb.start()), each measured by rusage-run.
        int rc = BenchMain.run("--smoke", "--only", "^7 start-up", "--contenders", "pidfd", "--out", dir.toString());
        assertEquals(0, rc);
        List<Row> rows = Row.read(Files.readString(dir.resolve("results.json")));
        assertEquals(6, rows.size(), "CPU, wall and peak memory of jdk/1 and pidfd/1: " + rows);
        for (Row r : rows) {
            assertTrue(r.isRun(), r.toString());
            assertEquals(2, r.samples.size(), r.toString());
            assertTrue(r.min() > 0 && r.min() <= r.score && r.score <= r.max(), r.toString());
        }
        Row rss = rows.stream().filter(r -> r.benchmark.equals(Startup.RSS) && r.contender.equals("pidfd"))
                .findFirst().orElseThrow();
        // ru_maxrss of the JVM under test (tens of MB), not of the runner (about 1 MB)
        assertTrue(rss.score > 10, rss.toString());
        String table = Files.readString(dir.resolve("report.txt"));
        assertTrue(table.contains("7 start-up: CPU (user+sys)"), table);
        assertTrue(table.contains("library first spawn: CPU"), table);
        assertTrue(Files.readString(dir.resolve("chart.svg")).contains("start-up and fixed-cost goals"));
    }

    @Test
    void startupCommandLines() {
        Startup s = new Startup(Profile.SMOKE, "java", List.of(), "/x/agent.jar", Path.of("."), c -> null);
        assertEquals(List.of("java", "-javaagent:/x/agent.jar=enabled=false", "-cp", System.getProperty("java.class.path"),
                StartupProgram.class.getName(), "jdk", "jdk"),
                s.command(new Startup.Case(Startup.Variant.AGENT_DISABLED, 1), Path.of("noop.jar")));
        assertEquals(List.of("library", "pidfd4j"), s.command(new Startup.Case(Startup.Variant.LIBRARY, 1),
                Path.of("noop.jar")).subList(4, 6));
        assertEquals("none", s.command(new Startup.Case(Startup.Variant.AGENT, 0), Path.of("n.jar")).get(5));
    }

    @Test
    void startupProgramFailsWhenTheWrongCodeStartedTheProcess() throws Exception {
        // A JVM that claims the agent but has none must fail, not report the JDK's figures as the agent's.
        String jvm = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        Process wrong = new ProcessBuilder(jvm, "-cp", cp, StartupProgram.class.getName(), "jdk", "pidfd4j")
                .redirectErrorStream(true).start();
        String out = new String(wrong.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(3, wrong.waitFor(), out);
        assertTrue(out.contains("started by java.lang.ProcessImpl"), out);
        List<String> cmd = new java.util.ArrayList<>(List.of(jvm, "-cp", cp, StartupProgram.class.getName(), "library",
                "pidfd4j"));
        if (Runtime.version().feature() >= 22) {
            cmd.add(1, "--enable-native-access=ALL-UNNAMED");  // as ./bench gives it: no JEP 472 warning
        }
        Process right = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String printed = new String(right.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, right.waitFor(), printed);
        assertEquals("", printed, "the measured program prints nothing");
    }
}
