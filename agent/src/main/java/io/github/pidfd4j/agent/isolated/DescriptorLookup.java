package io.github.pidfd4j.agent.isolated;

import io.github.pidfd4j.linux.PidfdDuplicates;
import java.io.IOException;

/**
 * The entry point through which {@code io.github.pidfd4j.ProcessDescriptor.duplicate(Process)} reaches
 * the agent's copy of pidfd4j for a process the agent started: it hands out a new duplicate of that
 * child's pidfd (close-on-exec, owned by the caller), never the agent's own descriptor, and closes
 * such a duplicate again (only such a duplicate). It changes nothing in the agent.
 */
public final class DescriptorLookup {

    private DescriptorLookup() {
    }

    /**
     * A new close-on-exec duplicate of the pidfd of {@code process}, which the caller owns.
     *
     * @throws IllegalArgumentException when the agent did not start {@code process}
     * @throws IllegalStateException when the child is already reaped
     * @throws IOException when the kernel refuses the duplicate (EMFILE...)
     */
    public static int duplicate(Process process) throws IOException {
        int fd = PidfdDuplicates.duplicate(process);
        if (fd == PidfdDuplicates.NOT_OURS) {
            throw new IllegalArgumentException((process == null ? "null" : process.getClass().getName())
                    + " was not started by the pidfd4j agent");
        }
        return fd;
    }

    /**
     * Closes a descriptor {@link #duplicate} returned and nobody closed or released yet (the application's
     * copy of pidfd4j cannot load the native library the agent's copy holds); 0 or an errno, EBADF for any
     * other number, which is left alone: no caller can close a descriptor it was not given here.
     */
    public static int close(int fd) {
        return PidfdDuplicates.close(fd);  // only a duplicate handed out here and still open: else EBADF
    }

    /** Forgets a duplicate its owner handed to other code ({@code ProcessDescriptor.release()}): close then refuses it. */
    public static void released(int fd) {
        PidfdDuplicates.released(fd);
    }
}
