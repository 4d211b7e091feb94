package io.github.pidfd4j.linux;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The cgroups pidfd4j created for its children, for {@link io.github.pidfd4j.ProcessTree}. Public for
 * that class only: not an API, may change at any time.
 */
public final class ChildCgroups {

    private ChildCgroups() {
    }

    /** Whether this copy of pidfd4j started {@code process}. */
    public static boolean isOurs(Process process) {
        return process instanceof PidfdProcess;
    }

    /**
     * The directory of the cgroup pidfd4j created for {@code process} while it exists, else null.
     * {@code process} must be {@link #isOurs ours}.
     */
    public static Path directory(Process process) {
        ChildCgroup cgroup = ((PidfdProcess) process).cgroup();
        return cgroup != null && cgroup.exists() ? cgroup.directory() : null;
    }

    /**
     * SIGKILL through cgroup.kill ({@code force}) or SIGTERM to each member; false once the cgroup is
     * gone. {@code process} must be {@link #isOurs ours}.
     *
     * @throws IllegalStateException when pidfd4j created no cgroup for it
     * @throws UnsupportedOperationException when {@code force} and the kernel has no cgroup.kill (5.14)
     */
    public static boolean destroy(Process process, boolean force) throws IOException {
        ChildCgroup cgroup = ((PidfdProcess) process).cgroup();
        if (cgroup == null) {
            throw new IllegalStateException("pid " + process.pid() + " was not spawned into a new cgroup of its own"
                    + " (SpawnOptions.withNewCgroup)");
        }
        return force ? cgroup.kill() : cgroup.terminate();
    }
}
