package io.github.pidfd4j;

import static io.github.pidfd4j.Proc.run;
import static io.github.pidfd4j.Proc.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the child inherits besides its streams: signal mask and dispositions, the exit signal.
 * Here pidfd4j follows JDK 25 on purpose, also on JDK 17 (whose children start with SIGQUIT blocked,
 * JDK-8234262, and an ignored SIGPIPE, JDK-8364611).
 */
class ChildEnvironmentTest {

    private static final long SIGQUIT_BIT = 1L << (3 - 1);
    private static final long SIGPIPE_BIT = 1L << (13 - 1);
    private static final boolean JDK17 = Runtime.version().feature() < 25;

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void noSignalIsBlockedAndOnlyTheJvmsIgnoredOnesStayIgnored(ProcessProvider provider) throws Exception {
        long jvmIgnored = Long.parseUnsignedLong(Proc.status(ProcessHandle.current().pid(), "SigIgn"), 16);
        Process p = provider.start(new ProcessBuilder("sleep", "60"));
        try {
            assertTrue(Proc.eventually(5000, () -> "sleep".equals(comm(p.pid()))), "exec'd");
            assertEquals(0, Long.parseUnsignedLong(Proc.status(p.pid(), "SigBlk"), 16), "blocked signals");
            // Ignored ones stay ignored as exec keeps them, except SIGPIPE, which the JVM ignores for
            // itself; glibc's posix_spawn also leaves its internal signals 32 and 33 ignored (JDK), we do not.
            assertEquals(jvmIgnored & ~SIGPIPE_BIT, Long.parseUnsignedLong(Proc.status(p.pid(), "SigIgn"), 16), "ignored");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void theJdkDiffersHereAndPidfd4jDoesNot() throws Exception {
        // SIGQUIT reaches a pidfd child on every JDK; a JDK 17 child has it blocked.
        assertEquals(131, run(Contenders.anyPidfd(), sh("kill -QUIT $$")).exit());
        assertEquals(JDK17 ? 0 : 131, run(Contenders.JDK, sh("kill -QUIT $$")).exit());
        Process jdk = Contenders.JDK.start(new ProcessBuilder("sleep", "60"));
        try {
            // The mask the exec'd program runs with: the JDK's jspawnhelper sets it before its exec.
            assertTrue(Proc.eventually(5000, () -> "sleep".equals(comm(jdk.pid()))), "exec'd");
            long blocked = Long.parseUnsignedLong(Proc.status(jdk.pid(), "SigBlk"), 16);
            assertEquals(JDK17 ? SIGQUIT_BIT : 0, blocked & SIGQUIT_BIT, "the JDK's own child");
        } finally {
            jdk.destroyForcibly().waitFor();
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void aChildWritingToAClosedPipeDiesOfSigpipeOnlyWithPidfd4jOrJdk25(ProcessProvider provider) throws Exception {
        // yes | head -1: yes gets SIGPIPE (or EPIPE if SIGPIPE is ignored) once head is done.
        String err = run(provider, sh("(yes; echo \"yes:$?\" >&2) | head -1 >/dev/null")).err();
        boolean sigpipeDefault = provider != Contenders.JDK || !JDK17;
        // Killed by SIGPIPE: 128 + 13 = 141; with SIGPIPE ignored, yes exits 1 on EPIPE.
        assertTrue(err.contains(sigpipeDefault ? "yes:141" : "yes:1"), err);
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void execResetsTheExitSignalToSigchld(ProcessProvider provider) throws Exception {
        // pidfd4j clones with exit signal 0, but Linux resets it to SIGCHLD (17) at every exec
        // (fs/exec.c, de_thread). It protects the child until then only; see SpawnPath.
        Process p = provider.start(new ProcessBuilder("sleep", "60"));
        try {
            assertTrue(Proc.eventually(5000, () -> "sleep".equals(comm(p.pid()))), "exec'd");
            assertEquals("17", Proc.statField(p.pid(), 38));
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void theJvmKeepsSigchldAtItsDefault() throws Exception {
        run(Contenders.anyPidfd(), new ProcessBuilder("true"));
        long self = ProcessHandle.current().pid();
        long sigchld = 1L << (17 - 1);
        assertEquals(0, Long.parseUnsignedLong(Proc.status(self, "SigIgn"), 16) & sigchld, "SIGCHLD not ignored");
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
