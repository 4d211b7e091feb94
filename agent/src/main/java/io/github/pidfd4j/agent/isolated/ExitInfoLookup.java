package io.github.pidfd4j.agent.isolated;

import io.github.pidfd4j.linux.ExitLookup;
import java.util.concurrent.CompletableFuture;

/**
 * The one entry point the application may call in the agent's isolated layer: an application that
 * has pidfd4j-spi on its class path asks here, through {@code io.github.pidfd4j.ExitInfo.of(Process)},
 * for the exit information of a process the agent started (an instance of the agent's own copy of
 * pidfd4j's classes, which the application cannot reach). Read-only: it answers for processes this
 * layer started and nothing else, with a new future in a neutral form ({@code long[]}) that no
 * class loader has to share; completing or cancelling that future changes nothing in the agent.
 */
public final class ExitInfoLookup {

    private ExitInfoLookup() {
    }

    /**
     * A new future of the exit of {@code process}, completed on the default async executor once the
     * agent has reaped it; the layout is that of {@code io.github.pidfd4j.linux.ExitInfo.toArray}.
     *
     * @throws IllegalArgumentException when the agent did not start {@code process}
     */
    public static CompletableFuture<long[]> exitInfo(Process process) {
        CompletableFuture<long[]> exit = ExitLookup.of(process);
        if (exit == null) {
            throw new IllegalArgumentException((process == null ? "null" : process.getClass().getName())
                    + " was not started by the pidfd4j agent");
        }
        return exit;
    }
}
