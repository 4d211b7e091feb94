package io.github.pidfd4j.linux;

import java.io.IOException;

/**
 * The IOException a failed spawn throws, with the running JDK's message for the same failure (the
 * caller adds ProcessBuilder's "Cannot run program" prefix). JDK 25 changed the format
 * (JDK-8352533): 17 says {@code error=2, No such file or directory}; 25 says
 * {@code Exec failed, error: 2 (No such file or directory) }, with the trailing space.
 */
final class SpawnFailure {

    private static final boolean JDK25_FORMAT = Runtime.version().feature() >= 25;

    private SpawnFailure() {
    }

    /** @param what the JDK's words for the step that failed, e.g. "Exec failed" */
    static IOException of(String what, int errno) {
        String detail = LinuxNative.strerror(errno);
        return new IOException(JDK25_FORMAT
                ? what + ", error: " + errno + " (" + detail + ") "
                : "error=" + errno + ", " + detail);
    }

    /** For a failure reported by pidfd4j_spawn. */
    static IOException ofStage(int stage, int errno) {
        switch (stage) {
            case LinuxNative.STAGE_FDS:
            case LinuxNative.STAGE_CHDIR:
            case LinuxNative.STAGE_EXEC:
                return of("Exec failed", errno);  // the JDK reports every failure in the child so
            default:
                return of("fork failed", errno);  // clone, its stack, or pidfd_open
        }
    }
}
