package io.github.pidfd4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.pidfd4j.bench.Benchmark.Jmh;
import io.github.pidfd4j.bench.Benchmark.JvmHeap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The catalogue that the runner and the report both read, and the JVM flags it decides. */
class CatalogueTest {

    @Test
    void everyJobNameOnceAndEveryRowItsOwnSection() {
        Set<String> jobs = new HashSet<>();
        for (Benchmark b : Catalogue.BENCHMARKS) {
            assertTrue(jobs.add(b.job()), b.job());
            assertTrue(b.job().startsWith(b.section() + " "), "--only '^5 ' must select section 5: " + b.job());
            if (b.harness() instanceof Jmh jmh) {
                // The rows of a job that could not run land in the same section as its results would.
                for (Row r : jmh.notRun(Contender.PIDFD, "test")) {
                    assertEquals(b.section(), Catalogue.place(r).section(), r.toString());
                }
            }
        }
        Row unknown = Row.notRun("x.y.Other.method", Map.of("p", "1"), "jdk", "sample", "us/op", "test");
        assertEquals(new Benchmark.Placement(9, "Other.method", "{p=1}", 0), Catalogue.place(unknown));
    }

    @Test
    void onlyTheHeapBenchmarkReplacesTheDefaultHeap() {
        JvmFlags flags = new JvmFlags(new TargetJvm("java", 17, "test"), "/x/agent.jar");
        for (Benchmark b : Catalogue.BENCHMARKS) {
            if (!(b.harness() instanceof Jmh jmh)) {
                continue;
            }
            List<String> f = flags.of(Contender.AGENT, jmh.heap());
            String size = b.section() == 5 ? b.job().substring("5 heap ".length()) : "256m";
            assertTrue(f.containsAll(List.of("-Xms" + size, "-Xmx" + size)), b.job() + ": " + f);
            assertEquals(1, f.stream().filter(x -> x.startsWith("-Xmx")).count(), b.job() + ": " + f);
            assertEquals(b.section() == 5, f.contains("-XX:+AlwaysPreTouch"), b.job() + ": " + f);
            assertTrue(f.contains("-javaagent:/x/agent.jar"), f.toString());
            assertFalse(f.contains("--enable-native-access=ALL-UNNAMED"), "not before JDK 22: " + f);
        }
        assertEquals(List.of("-Xms256m", "-Xmx256m"), flags.common(JvmHeap.DEFAULT).subList(0, 2));
    }
}
