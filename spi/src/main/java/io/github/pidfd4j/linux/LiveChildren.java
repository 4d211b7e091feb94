package io.github.pidfd4j.linux;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's list of live (unreaped) pidfd4j children by pid: its hooks in the JDK's
 * ProcessHandleImpl find a child's pidfd and exit here, given only a pid. Filled only when the
 * {@link AgentPolicy} asks for it. Holding the Process also keeps its handle reachable while the
 * child lives, which {@link JdkHandles} relies on.
 */
final class LiveChildren {

    private static final Map<Long, PidfdProcess> BY_PID = new ConcurrentHashMap<>();

    private LiveChildren() {
    }

    static void add(PidfdProcess child) {
        BY_PID.put(child.pid(), child);
    }

    /** At the reap; only this child: its pid may already be another child's. */
    static void remove(PidfdProcess child) {
        BY_PID.remove(child.pid(), child);
    }

    /** The live pidfd4j child with this pid, if any. */
    static PidfdProcess get(long pid) {
        return BY_PID.get(pid);
    }
}
