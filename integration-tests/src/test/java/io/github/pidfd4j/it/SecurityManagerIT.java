package io.github.pidfd4j.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * JDK 17 with a SecurityManager (JDK 24 removed it, so this runs on 17 only): under the agent,
 * processes start through pidfds, a redirect the application may not write fails with the JDK's own
 * SecurityException, and nothing more is printed than without the agent.
 */
class SecurityManagerIT {

    @Test
    void theAgentSpawnsWithTheJdksPermissionsAndChecks() throws Exception {
        Jdk jdk = Jdk.of(17);
        jdk.assumePresent();
        assumeTrue(jdk.feature() < 24, "no SecurityManager after JDK 23");
        Path base = Files.createTempDirectory(Jvm.WORK.toAbsolutePath().getParent(), "sm-");
        Path allowed = Files.createDirectory(base.resolve("allowed"));
        Path forbidden = base.resolve("forbidden.txt");
        Jvm.Result without = Jvm.on(jdk).main("SecurityManagerApp", allowed.toString(), forbidden.toString()).run();
        Files.deleteIfExists(allowed.resolve("out.txt"));
        Jvm.Result with = Jvm.on(jdk).agent().main("SecurityManagerApp", allowed.toString(), forbidden.toString(),
                Jvm.AGENT.toAbsolutePath().toString()).run();
        assertAll(
                () -> assertEquals(0, without.exitCode(), without::toString),
                () -> assertEquals(0, with.exitCode(), with::toString),
                () -> assertTrue(without.behaviour().contains("forbidden: java.security.AccessControlException: access denied"),
                        without::toString),
                () -> assertEquals(without.behaviour(), with.behaviour(), "stdout with the agent differs\n" + with),
                // Only the JDK's own warning about System.setSecurityManager, the same either way.
                () -> assertEquals(without.stderr(), with.stderr(), "stderr with the agent differs\n" + with),
                () -> assertTrue(with.evidenceOne("echo").get("class").contains("pidfd4j"), with::toString),
                () -> assertTrue(with.evidenceOne("file").get("class").contains("pidfd4j"), with::toString),
                () -> assertTrue(with.evidenceOne("sleeper").get("class").contains("pidfd4j"), with::toString));
    }
}
