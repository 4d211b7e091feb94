package io.github.pidfd4j.linux;

import java.io.IOException;
import java.util.Locale;

/**
 * The IOException a failed spawn throws, with the running JDK's message for the same failure (the
 * caller adds ProcessBuilder's "Cannot run program" prefix). JDK 25 changed the format
 * (JDK-8352533): 17 says {@code error=2, No such file or directory}; 25 says
 * {@code Exec failed, error: 2 (No such file or directory) }, with the trailing space.
 *
 * <p>On JDK 25 a failure of the parent's own work (pipes, the spawn itself) names the launch mechanism's
 * call, and in the default POSIX_SPAWN mode it also carries the "Possible reasons" text of
 * {@code ProcessImpl_md.c} (SPAWN_HELPER_INTERNAL_ERROR_MSG, JDK-8357436); a failure in the child
 * ({@code Exec failed}) never does.
 */
final class SpawnFailure {

    private static final boolean JDK25_FORMAT = Runtime.version().feature() >= 25;

    private static final int ENFILE = 23;
    private static final int EMFILE = 24;

    /** ProcessImpl_md.c's SPAWN_HELPER_INTERNAL_ERROR_MSG, byte for byte. */
    private static final String SPAWN_HELPER_INTERNAL_ERROR_MSG = "\n"
            + "Possible reasons:\n"
            + "  - Spawn helper ran into JDK version mismatch\n"
            + "  - Spawn helper ran into unexpected internal error\n"
            + "  - Spawn helper was terminated by another process\n"
            + "Possible solutions:\n"
            + "  - Restart JVM, especially after in-place JDK updates\n"
            + "  - Check system logs for JDK-related errors\n"
            + "  - Re-install JDK to fix permission/versioning problems\n"
            + "  - Switch to legacy launch mechanism with -Djdk.lang.Process.launchMechanism=FORK\n";

    /**
     * The JDK's launch mechanism, read as {@code ProcessImpl.launchMechanism()} reads it: POSIX_SPAWN
     * unless the property names FORK or VFORK (any case). A value the JDK rejects makes its ProcessImpl
     * unusable; pidfd4j keeps the default's words then.
     */
    private static final String MECHANISM = launchMechanism();

    private SpawnFailure() {
    }

    private static String launchMechanism() {
        String s = System.getProperty("jdk.lang.Process.launchMechanism");
        String m = s == null ? "" : s.toUpperCase(Locale.ROOT);
        return m.equals("FORK") || m.equals("VFORK") ? m : "POSIX_SPAWN";
    }

    /**
     * A failure the JDK reports with {@code throwIOException}: a failed exec or chdir in the child.
     *
     * @param what the JDK's words for the step that failed, e.g. "Exec failed"
     */
    static IOException of(String what, int errno) {
        return format(what, errno, "");
    }

    /**
     * A failure the JDK reports with {@code throwInternalIOException}: the parent's own pipes and the
     * launch call. On 25 in POSIX_SPAWN mode the "Possible reasons" text follows.
     */
    static IOException internal(String what, int errno) {
        return format(what, errno, MECHANISM.equals("POSIX_SPAWN") ? SPAWN_HELPER_INTERNAL_ERROR_MSG : "");
    }

    /** A pipe could not be created: the JDK's words for a failed pipe(). */
    static IOException pipe(int errno) {
        return internal("Bad file descriptor", errno);
    }

    /** A failed step in the child that the JDK never takes (no JDK wording to follow): named, on every JDK. */
    private static IOException child(String what, int errno) {
        return new IOException(what + ", error: " + errno + " (" + LinuxNative.strerror(errno) + ")");
    }

    private static IOException format(String what, int errno, String internalDetail) {
        String detail = LinuxNative.strerror(errno);
        return new IOException(JDK25_FORMAT
                ? what + ", error: " + errno + " (" + detail + ") " + internalDetail
                : "error=" + errno + ", " + detail);
    }

    /** For a failure reported by pidfd4j_spawn. */
    static IOException ofStage(int stage, int errno) {
        // Out of descriptors in the clone (the pidfd) or in the child (lifting fds above 2): the JDK
        // never gets that far. It takes two more pipes than pidfd4j before it spawns, so its pipe() fails.
        if ((errno == EMFILE || errno == ENFILE) && stage != LinuxNative.STAGE_CHDIR && stage != LinuxNative.STAGE_EXEC) {
            return pipe(errno);
        }
        switch (stage) {
            case LinuxNative.STAGE_SETSID:  // options the JDK lacks: the message names the step
                return child("setsid failed", errno);
            case LinuxNative.STAGE_SETPGID:
                return child("setpgid failed", errno);
            case LinuxNative.STAGE_FDS:
            case LinuxNative.STAGE_CHDIR:
            case LinuxNative.STAGE_EXEC:
                return of("Exec failed", errno);  // the JDK reports every failure in the child so
            default:  // clone, its stack, or pidfd_open: where the JDK's launch call fails
                return internal(MECHANISM.equals("POSIX_SPAWN") ? "posix_spawn failed"
                        : MECHANISM.equals("FORK") ? "fork failed" : "vfork failed", errno);
        }
    }
}
