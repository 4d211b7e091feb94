package io.github.pidfd4j.linux;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
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

    /**
     * A new future of the exit of the process {@code handle} names, in the neutral form, completed on
     * the default async executor: for a child this copy of pidfd4j started, the same as
     * {@link #of(Process)}; for any other process, its status once its own parent reaped it, where
     * the kernel tells it (see ForeignExitStatus), else unknown; already completed with the status
     * unknown when the process is gone. Never null. Not for the current process (the caller refuses it).
     */
    public static CompletableFuture<long[]> of(ProcessHandle handle) {
        if (handle instanceof PidfdProcessHandle child) {
            return child.reaper().exit().arrayWhenExited(child.pid());
        }
        CompletableFuture<long[]> exit = Pidfd.isAvailable() ? ForeignExitStatus.of(handle, PidfdWatcher.get()) : null;
        if (exit != null) {
            return exit;
        }
        // No pidfd for it (no pidfd support here, EMFILE...): the handle's own onExit() tells when,
        // nothing tells how.
        Optional<Instant> started = handle.info().startInstant();
        if (!handle.isAlive()) {
            return ForeignExitStatus.gone(handle.pid());
        }
        return handle.onExit().thenApplyAsync(h -> ExitInfo.UNKNOWN.withWallNanos(started
                .map(s -> Math.max(0, Duration.between(s, Instant.now()).toNanos())).orElse(0L)).toArray(h.pid()));
    }
}
