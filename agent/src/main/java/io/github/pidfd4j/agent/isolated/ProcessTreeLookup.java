package io.github.pidfd4j.agent.isolated;

import io.github.pidfd4j.linux.GroupSignal;

/**
 * The entry point through which {@code io.github.pidfd4j.ProcessTree} reaches the agent's copy of
 * pidfd4j for a process the agent started: it signals the process group that child leads, with the
 * same safety as for the application's own children (never once the agent has reaped the leader).
 * It answers with {@code GroupSignal}'s codes (a neutral {@code int}, which no class loader has to share).
 */
public final class ProcessTreeLookup {

    private ProcessTreeLookup() {
    }

    /**
     * Sends {@code sig} to the process group {@code process} leads: {@code GroupSignal.SENT},
     * {@code NOT_SENT}, {@code NOT_OURS} (the agent did not start it) or {@code NOT_A_LEADER}.
     */
    public static int signalGroup(Process process, int sig) {
        return GroupSignal.send(process, sig);
    }
}
