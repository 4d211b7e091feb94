package io.github.pidfd4j.agent.isolated;

import io.github.pidfd4j.linux.ChildCgroups;
import io.github.pidfd4j.linux.GroupSignal;
import java.io.IOException;

/**
 * The entry point through which {@code io.github.pidfd4j.ProcessTree} reaches the agent's copy of
 * pidfd4j for a process the agent started: it signals the process group that child leads, with the
 * same safety as for the application's own children (never once the agent has reaped the leader), and
 * names or signals the cgroup the agent created for it ({@code -Dpidfd4j.destroyTree=true}).
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

    /**
     * The directory of the cgroup the agent created for {@code process}, while it exists, else null (a
     * String: no class loader has to share a Path's provider).
     *
     * @throws IllegalArgumentException when the agent did not start {@code process}
     */
    public static String cgroup(Process process) {
        ours(process);
        Object dir = ChildCgroups.directory(process);
        return dir == null ? null : dir.toString();
    }

    /**
     * SIGKILL through the cgroup's cgroup.kill ({@code force}) or SIGTERM to each process in it; false
     * once the cgroup is gone.
     *
     * @throws IllegalArgumentException when the agent did not start {@code process}
     * @throws IllegalStateException when the agent created no cgroup for it
     */
    public static boolean destroyCgroup(Process process, boolean force) throws IOException {
        ours(process);
        return ChildCgroups.destroy(process, force);
    }

    private static void ours(Process process) {
        if (!ChildCgroups.isOurs(process)) {
            throw new IllegalArgumentException((process == null ? "null" : process.getClass().getName())
                    + " was not started by the pidfd4j agent");
        }
    }
}
