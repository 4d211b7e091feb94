package io.github.pidfd4j.linux;

import io.github.pidfd4j.ProcessProvider;
import io.github.pidfd4j.SpawnPath;

/** Test access to the package-private parts of the pidfd provider. */
public final class TestProviders {

    private TestProviders() {
    }

    /** The pidfd provider bound to one spawn path, whatever this JVM's probe chose. */
    public static ProcessProvider pidfd(SpawnPath path) {
        return new PidfdProcessProvider(path);
    }

    /** Whether this kernel tells a reaped child's exit status through its pidfd (PIDFD_INFO_EXIT, Linux 6.15+). */
    public static boolean kernelKeepsExitStatus() {
        return Pidfd.exitStatusKept();
    }

    /** Whether this kernel takes clone3's CLONE_PIDFD_AUTOKILL (Linux 7.1+), as pidfd4j's probe found. */
    public static boolean autokillSupported() {
        return Pidfd.autokillSupported();
    }

    /** Whether this kernel has pidfd_send_signal's PIDFD_SIGNAL_PROCESS_GROUP (Linux 6.9+), as pidfd4j's probe found. */
    public static boolean groupSignalThroughPidfd() {
        return GroupSignal.pidfdFlagSupported();
    }

    /**
     * A group signal the way kernels before 6.9 get it, kill(-pgid) under the reap lock, on any kernel:
     * true when sent (GroupSignal.SENT); throws as ProcessTree does otherwise.
     */
    public static boolean signalGroupWithoutPidfd(Process process, int sig) {
        int r = GroupSignal.send(process, sig, false);
        if (r == GroupSignal.NOT_OURS || r == GroupSignal.NOT_A_LEADER) {
            throw new IllegalArgumentException("GroupSignal answered " + r + " for " + process);
        }
        return r == GroupSignal.SENT;
    }

    /** Processes the watcher still waits for. */
    public static int watched() {
        return PidfdWatcher.get().size();
    }
}
