package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Flight Recorder events {@code io.github.pidfd4j.ProcessSpawn} and {@code io.github.pidfd4j.ProcessExit},
 * recorded in this JVM with the JDK's {@code default} settings (as {@code jdk.ProcessStart} is).
 */
class FlightRecorderEventsTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void spawnAndExitAreRecordedWithTheirFields(ProcessProvider provider) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        Path file = dir.resolve("pidfd4j.jfr");
        Process ok;
        Process killed;
        ExitInfo okExit;
        try (Recording recording = new Recording(Configuration.getConfiguration("default"))) {
            recording.start();
            ok = provider.start(new ProcessBuilder("/bin/sh", "-c", "exit 3").directory(dir.toFile()));
            okExit = ExitInfo.of(ok).get(30, TimeUnit.SECONDS);
            ok.waitFor();
            killed = provider.start(new ProcessBuilder("sleep", "60"));
            killed.destroyForcibly();
            killed.waitFor();  // the exit event is committed before the waiters wake
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);

        RecordedEvent spawn = only(events, "io.github.pidfd4j.ProcessSpawn", ok.pid());
        assertEquals("/bin/sh -c exit 3", spawn.getString("command"));
        assertEquals(provider.spawnPath().name(), spawn.getString("spawnPath"));
        assertEquals(dir.toFile().getPath(), spawn.getString("directory"));
        assertTrue(spawn.getDuration().compareTo(Duration.ZERO) > 0, "the spawn's duration");
        assertNotNull(spawn.getStackTrace(), "a stack trace, as jdk.ProcessStart has");
        assertTrue(spawn.getStackTrace().getFrames().stream().anyMatch(
                f -> f.getMethod().getType().getName().equals(FlightRecorderEventsTest.class.getName())),
                "the spawning frames");
        assertNull(only(events, "io.github.pidfd4j.ProcessSpawn", killed.pid()).getString("directory"));

        RecordedEvent exit = only(events, "io.github.pidfd4j.ProcessExit", ok.pid());
        assertEquals("/bin/sh -c exit 3", exit.getString("command"));
        assertEquals(3, exit.getInt("exitValue"));
        assertEquals(0, exit.getInt("signal"));
        assertFalse(exit.getBoolean("coreDumped"));
        assertTrue(exit.getBoolean("statusKnown"));
        assertEquals(okExit.userCpuDuration().orElseThrow(), exit.getDuration("userCpuTime"));
        assertEquals(okExit.systemCpuDuration().orElseThrow(), exit.getDuration("systemCpuTime"));
        assertEquals(okExit.peakResidentBytes().orElse(Long.MIN_VALUE), exit.getLong("peakResidentMemory"));  // N/A: the JVM's
        assertEquals(okExit.wallDuration(), exit.getDuration("wallTime"));

        RecordedEvent kill = only(events, "io.github.pidfd4j.ProcessExit", killed.pid());
        assertEquals("sleep 60", kill.getString("command"));
        assertEquals(9, kill.getInt("signal"));
        assertEquals(128 + 9, kill.getInt("exitValue"));
    }

    private static RecordedEvent only(List<RecordedEvent> events, String name, long pid) {
        List<RecordedEvent> found = events.stream()
                .filter(e -> e.getEventType().getName().equals(name) && e.getLong("pid") == pid).toList();
        assertEquals(1, found.size(), () -> name + " for pid " + pid + " in " + events.stream()
                .map(e -> e.getEventType().getName()).filter(n -> n.startsWith("io.github")).toList());
        return found.get(0);
    }
}
