package io.github.pidfd4j.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exit information for unchanged programs under the agent: pidfd4j's Flight Recorder events in a
 * recording started on the command line with the JDK's own settings, and {@code ExitInfo.of(Process)}
 * from an application that has pidfd4j-spi on its class path beside the agent.
 */
class ExitInformationIT {

    static Stream<Arguments> jdksAndSettings() {
        List<Arguments> all = new ArrayList<>();
        for (Jdk jdk : Jdk.all()) {
            all.add(Arguments.of(jdk, "default"));
            all.add(Arguments.of(jdk, "profile"));
        }
        return all.stream();
    }

    static List<Jdk> jdks() {
        return Jdk.all();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("jdksAndSettings")
    void anUnchangedProgramsRecordingHasSpawnAndExitEvents(Jdk jdk, String settings) throws Exception {
        Files.createDirectories(Jvm.WORK);
        Path file = Jvm.WORK.resolve("exit-events-" + jdk.feature() + "-" + settings + ".jfr");
        Files.deleteIfExists(file);
        Jvm.Result run = Jvm.on(jdk).agent()
                .option("-XX:StartFlightRecording=filename=" + file + ",settings=" + settings + ",dumponexit=true")
                .main("ExitEventsApp").run();
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(ProgramsIT.PIDFD_PROCESS, run.evidenceOne("class").get("class"), run::toString);
        long exits = run.number("pids", "exits");
        long killed = run.number("pids", "killed");
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);

        RecordedEvent spawn = only(events, "io.github.pidfd4j.ProcessSpawn", exits, run);
        RecordedEvent exit = only(events, "io.github.pidfd4j.ProcessExit", exits, run);
        RecordedEvent kill = only(events, "io.github.pidfd4j.ProcessExit", killed, run);
        assertAll(
                () -> assertEquals("sh -c exit 5", spawn.getString("command")),
                () -> assertTrue(spawn.getString("spawnPath").startsWith("CLONE"), spawn::toString),
                () -> assertTrue(spawn.getStackTrace() != null && spawn.getStackTrace().getFrames().stream()
                        .anyMatch(f -> f.getMethod().getType().getName().endsWith("ExitEventsApp")), spawn::toString),
                () -> assertEquals("sh -c exit 5", exit.getString("command")),
                () -> assertEquals(5, exit.getInt("exitValue")),
                () -> assertEquals(0, exit.getInt("signal")),
                () -> assertTrue(exit.getBoolean("statusKnown")),
                // sh's own peak is below the JVM's, so the kernel's figure may be the JVM's: N/A.
                () -> assertEquals(Long.MIN_VALUE, exit.getLong("peakResidentMemory"), exit::toString),
                () -> assertTrue(exit.getDuration("wallTime").toNanos() > 0, exit::toString),
                () -> assertEquals("sleep 60", kill.getString("command")),
                () -> assertEquals(9, kill.getInt("signal")),
                () -> assertEquals(137, kill.getInt("exitValue")),
                // The JDK's own event is still there, from ProcessBuilder.start.
                () -> assertTrue(events.stream().anyMatch(e -> e.getEventType().getName().equals("jdk.ProcessStart")
                        && e.getLong("pid") == exits), "jdk.ProcessStart"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void withoutARecordingNoFlightRecorderClassIsLoaded(Jdk jdk) throws Exception {
        Jvm.Result run = Jvm.on(jdk).agent().option("-Xlog:class+load=info:stderr").main("ExitEventsApp").run();
        assertEquals(0, run.exitCode(), run::toString);
        List<String> jfr = run.stderr().lines().filter(l -> l.contains(" jdk.jfr.") && !l.contains("jdk.jfr.FlightRecorder "))
                .toList();
        assertTrue(jfr.isEmpty(), () -> "jdk.jfr classes beyond FlightRecorder loaded without a recording: " + jfr);
        assertFalse(run.stderr().contains("io.github.pidfd4j.linux.ProcessSpawnEvent"), "event class loaded");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theApplicationLooksUpTheAgentsExitInfo(Jdk jdk) throws Exception {
        Jvm.Result with = Jvm.on(jdk).agent().libs("pidfd4j-spi").main("ExitInfoApp").run();
        Jvm.Result without = Jvm.on(jdk).libs("pidfd4j-spi").main("ExitInfoApp").run();
        Map<String, String> info = with.evidenceOne("exitinfo");
        Map<String, String> refused = without.evidenceOne("exitinfo");
        System.out.printf("[pidfd4j-it] %s ExitInfo.of under the agent: %s%n", jdk, info);
        assertAll(
                () -> assertEquals("exit: 6", with.behaviour().strip(), with::toString),
                () -> assertEquals("true", info.get("pid"), with::toString),
                () -> assertEquals("6", info.get("exitCode"), with::toString),
                () -> assertEquals("true", info.get("known"), with::toString),
                () -> assertTrue(Long.parseLong(info.get("userMicros")) > 0, with::toString),
                () -> assertTrue(Long.parseLong(info.get("wallMicros")) > 0, with::toString),
                () -> assertEquals("", with.stderr(), with::toString),
                // Without the agent the process is the JDK's: refused, naming its class.
                () -> assertTrue(refused.getOrDefault("refused", "").contains("java.lang.ProcessImpl"), without::toString));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void theApplicationDuplicatesTheAgentsDescriptor(Jdk jdk) throws Exception {
        // ExitInfo.of(ProcessHandle) watches through the application's own copy of pidfd4j, whose native
        // library JDK 22+ lets it load with a warning unless native access is enabled for it.
        String[] nativeAccess = jdk.feature() >= 22 ? new String[] {"--enable-native-access=ALL-UNNAMED"} : new String[0];
        Jvm.Result with = Jvm.on(jdk).agent().option(nativeAccess).libs("pidfd4j-spi").main("DescriptorApp").run();
        Jvm.Result without = Jvm.on(jdk).option(nativeAccess).libs("pidfd4j-spi").main("DescriptorApp").run();
        System.out.printf("[pidfd4j-it] %s DescriptorApp under the agent: %s %s%n", jdk,
                with.evidenceOne("descriptor"), with.evidenceOne("handle"));
        assertAll(
                () -> assertEquals("exit: 6", with.behaviour().strip(), with::toString),
                () -> assertEquals("true", with.evidenceOne("descriptor").get("pid"), with::toString),
                // The agent's copy answered for its child: not a group leader (the application's copy would say "not ours").
                () -> assertEquals("IllegalStateException", with.evidenceOne("tree").get("refused"), with::toString),
                () -> assertEquals("true", with.evidenceOne("tree").get("notLeader"), with::toString),
                () -> assertEquals("IllegalArgumentException", without.evidenceOne("tree").get("refused"), without::toString),
                // The agent reaps its child; the kernel keeps the status for the application's pidfd (6.15+).
                () -> assertEquals("6", with.evidenceOne("handle").get("exitValue"), with::toString),
                () -> assertEquals("", with.stderr(), with::toString),
                () -> assertTrue(without.evidenceOne("descriptor").getOrDefault("refused", "")
                        .contains("java.lang.ProcessImpl"), without::toString),
                // Without the agent the application's own copy watches the JDK's child: status kept (6.15+).
                () -> assertEquals("6", without.evidenceOne("handle").get("exitValue"), without::toString));
    }

    private static RecordedEvent only(List<RecordedEvent> events, String name, long pid, Jvm.Result run) {
        List<RecordedEvent> found = events.stream()
                .filter(e -> e.getEventType().getName().equals(name) && e.getLong("pid") == pid).toList();
        assertEquals(1, found.size(), () -> name + " for pid " + pid + ": " + events.stream()
                .map(e -> e.getEventType().getName()).filter(n -> n.startsWith("io.github")).toList() + "\n" + run);
        return found.get(0);
    }
}
