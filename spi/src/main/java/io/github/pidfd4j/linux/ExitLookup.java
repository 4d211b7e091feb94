package io.github.pidfd4j.linux;

import java.util.concurrent.CompletableFuture;

/**
 * Finds the exit information of a process this copy of pidfd4j started. Public for
 * {@link io.github.pidfd4j.ExitInfo} and the agent only: not an API, may change at any time.
 */
public final class ExitLookup {

    private ExitLookup() {
    }

    /**
     * A new future of the exit in {@link ExitInfo#toArray its neutral form}, completed on the default
     * async executor once the child is reaped; null when this copy of pidfd4j did not start
     * {@code process}. Read-only: completing or cancelling the future changes nothing in pidfd4j.
     */
    public static CompletableFuture<long[]> of(Process process) {
        if (process instanceof PidfdProcess child) {
            return child.reaper().exit().arrayWhenExited(child.pid());
        }
        return null;
    }
}
