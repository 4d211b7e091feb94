package io.github.pidfd4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An unchanged program under the agent with {@code -Dpidfd4j.killOnParentDeath=true}: its children die
 * when it is killed with SIGKILL (gone, or zombies where PID 1 does not reap orphans, as here); without
 * the property they outlive it, as with the JDK.
 */
class ParentDeathIT {

    private static final String PROPERTY = "-Dpidfd4j.killOnParentDeath=true";

    private final List<Long> strays = new ArrayList<>();

    static List<Jdk> jdks() {
        return Jdk.all();
    }

    @AfterEach
    void killStrays() {
        for (long pid : strays) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void withThePropertyTheChildrenDieWithTheProgram(Jdk jdk) throws Exception {
        Killed k = runAndKill(Jvm.on(jdk).agent().option(PROPERTY));
        k.run.evidence("child").forEach(e -> assertEquals(ProgramsIT.PIDFD_PROCESS, e.get("class"), k.run::toString));
        long started = System.nanoTime();
        boolean dead = Poll.until(5_000, () -> k.children.stream().noneMatch(ParentDeathIT::alive));
        System.out.printf("[pidfd4j-it] %s: children dead %d us after the killed program was reaped%n", jdk,
                TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - started));
        assertTrue(dead, () -> "children alive 5 s after the program died: " + states(k.children) + "\n" + k.run);
        assertEquals("", k.run.stderr(), k.run::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void withoutThePropertyTheyLiveOn(Jdk jdk) throws Exception {
        Killed k = runAndKill(Jvm.on(jdk).agent());
        assertFalse(Poll.until(1_000, () -> k.children.stream().noneMatch(ParentDeathIT::alive)), () -> states(k.children));
        assertTrue(k.children.stream().allMatch(ParentDeathIT::alive), () -> states(k.children));
    }

    /** Where pidfds are refused (a seccomp filter) the JDK spawns: it says once that it cannot honour the property. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void withoutPidfdsAWarningOnce(Jdk jdk) throws Exception {
        Jvm.Result r = Jvm.on(jdk).wrapper(System.getProperty("it.seccomp.run"), "no-pidfd").agent().option(PROPERTY)
                .main("ConfigProbeApp").run();
        assertEquals(0, r.exitCode(), r::toString);
        assertEquals(2, r.stderr().split("-Dpidfd4j.killOnParentDeath=true cannot be honoured: pidfds are unavailable here", -1).length,
                r::toString);
    }

    private record Killed(Jvm.Result run, List<Long> children) {
    }

    private Killed runAndKill(Jvm jvm) throws Exception {
        Jvm.Running r = jvm.main("LeftBehindApp").start();
        r.awaitLine("ready");
        r.process.destroyForcibly();  // SIGKILL
        Jvm.Result result = r.finish();
        assertEquals(137, result.exitCode(), result::toString);
        List<Long> children = new ArrayList<>();
        for (Map<String, String> e : result.evidence("pid")) {
            children.add(Long.parseLong(e.get("child")));
        }
        strays.addAll(children);
        assertEquals(3, children.size(), result::toString);
        return new Killed(result, children);
    }

    /** Neither gone nor a zombie. */
    private static boolean alive(long pid) {
        char s = state(pid);
        return s != '?' && s != 'Z';
    }

    private static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException e) {
            return '?';
        }
    }

    private static String states(List<Long> pids) {
        StringBuilder b = new StringBuilder();
        pids.forEach(pid -> b.append(pid).append('=').append(state(pid)).append(' '));
        return b.toString();
    }
}
