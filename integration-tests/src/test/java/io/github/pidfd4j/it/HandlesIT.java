package io.github.pidfd4j.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** With the agent, the JDK's own ProcessHandle objects act through pidfds. */
class HandlesIT {

    static List<Jdk> jdks() {
        return Jdk.all();
    }

    /**
     * A stale {@code toHandle()} of a reaped child, whose pid a stranger has now (ns_last_pid in a pid
     * namespace of the test's own): the JDK alone says it is alive and kills the stranger when their
     * start times fall into the same clock tick; with the agent it is dead and kills nobody.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void aStaleHandleNeverKillsTheProcessThatGotItsPid(Jdk jdk) throws Exception {
        assumePidNamespaces();
        int rounds = 100;
        Jvm.Result without = staleHandles(jdk, false, rounds);
        Jvm.Result with = staleHandles(jdk, true, rounds);
        Map<String, String> plain = without.evidenceOne("stale");
        Map<String, String> hooked = with.evidenceOne("stale");
        System.out.printf("[pidfd4j-it] %s stale toHandle() of a reaped child, its pid given to a stranger, %d rounds:"
                + " without the agent %s, with it %s%n", jdk, rounds, plain, hooked);
        assertAll(
                () -> assertEquals(0, with.exitCode(), with::toString),
                () -> assertEquals("", with.stderr(), with::toString),
                // The reproduction works: the stranger got the pid. How often the JDK alone then kills it
                // depends on the machine's load (2 to 20 of 100 here; before this fix, the agent's handles
                // killed it 43 to 66 times of 100), so it is printed above, not asserted.
                () -> assertTrue(Integer.parseInt(plain.get("reused")) >= rounds / 2, without::toString),
                () -> assertTrue(Integer.parseInt(hooked.get("reused")) >= rounds / 2, with::toString),
                () -> assertEquals("0", hooked.get("strangersKilled"), with::toString),
                () -> assertEquals("0", hooked.get("saidDestroyed"), with::toString),
                () -> assertEquals("0", hooked.get("saidAlive"), with::toString));
    }

    /**
     * A pid namespace and its ns_last_pid need root (CAP_SYS_ADMIN), which this machine and CI have;
     * elsewhere the test is skipped, saying why, rather than failing for want of privileges.
     */
    private static void assumePidNamespaces() throws Exception {
        Process probe = new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "sh", "-c",
                "echo 1 > /proc/sys/kernel/ns_last_pid").redirectErrorStream(true).start();
        String why = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        boolean possible = probe.waitFor() == 0;
        if (!possible) {
            System.out.println("[pidfd4j-it] SKIPPED: cannot set ns_last_pid in a pid namespace of our own (needs root): " + why);
        }
        assumeTrue(possible, () -> "cannot set ns_last_pid in a pid namespace of our own (needs root): " + why);
    }

    private static Jvm.Result staleHandles(Jdk jdk, boolean agent, int rounds) throws Exception {
        Jvm jvm = Jvm.on(jdk).wrapper("unshare", "--pid", "--fork", "--mount-proc");
        if (agent) {
            jvm.agent();
        }
        return jvm.main("StaleHandleApp", Integer.toString(rounds)).run();
    }
}
