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

    /** Processes the watcher still waits for. */
    public static int watched() {
        return PidfdWatcher.get().size();
    }
}
