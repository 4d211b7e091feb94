package io.github.pidfd4j;

import io.github.pidfd4j.linux.ChildCgroups;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Reaching every process a child started, not only the child: {@link Process#destroy()} signals one
 * process, and a shell's or a build tool's own children live on.
 *
 * <h2>A cgroup per child</h2>
 * A child spawned with {@link SpawnOptions#withNewCgroup(Path)} is born in a cgroup v2 of its own, and
 * so is everything it starts (unless something moves itself out, which needs write access to another
 * cgroup). {@link #destroyCgroupForcibly(Process)} kills them all at once through {@code cgroup.kill}
 * (Linux 5.14): however many times they forked, with no pid read and no race.
 *
 * <pre>{@code
 * Path parent = Path.of("/sys/fs/cgroup/my-service/jobs");  // a cgroup v2 directory this JVM may write
 * Process p = ProcessProviders.byName("pidfd").orElseThrow()
 *         .start(new ProcessBuilder("sh", "-c", "make -j8"), SpawnOptions.defaults().withNewCgroup(parent));
 * ...
 * ProcessTree.destroyCgroupForcibly(p);  // make, every compiler, every shell it started
 * }</pre>
 */
public final class ProcessTree {

    private ProcessTree() {
    }

    /**
     * The cgroup pidfd4j created for {@code process} ({@link SpawnOptions#withNewCgroup(Path)}), while it
     * exists: until the child has been reaped and every process in the cgroup has exited. Empty for a
     * child spawned without that option.
     *
     * @throws IllegalArgumentException when the {@code "pidfd"} provider did not start {@code process}
     */
    public static Optional<Path> cgroup(Process process) {
        return Optional.ofNullable(ChildCgroups.directory(ours(process)));
    }

    /**
     * Kills (SIGKILL) every process in the cgroup pidfd4j created for {@code process}
     * ({@link SpawnOptions#withNewCgroup(Path)}), and in every cgroup below it, by writing "1" to its
     * {@code cgroup.kill} (Linux 5.14): the child and all its descendants, however often they forked,
     * with no pid read. It works after the child itself has exited too, for as long as processes are left
     * in the cgroup. The processes are dead when the kernel has delivered the signals, a moment after this
     * returns; pidfd4j removes the cgroup once they have all exited.
     *
     * @return true when the signal was sent; false when the cgroup is gone already (the child was reaped
     *         and every process in it had exited)
     * @throws IllegalArgumentException when the {@code "pidfd"} provider did not start {@code process}
     * @throws IllegalStateException when {@code process} was spawned without a new cgroup of its own
     * @throws UnsupportedOperationException when the kernel has no {@code cgroup.kill} (older than 5.14)
     * @throws IOException when the kernel refuses the write
     */
    public static boolean destroyCgroupForcibly(Process process) throws IOException {
        return ChildCgroups.destroy(ours(process), true);
    }

    /**
     * Sends SIGTERM to every process in the cgroup pidfd4j created for {@code process}
     * ({@link SpawnOptions#withNewCgroup(Path)}), so that each may end cleanly. The kernel has no
     * {@code cgroup.kill} for other signals, so they are sent one by one, each through a pidfd opened for a
     * pid of {@code cgroup.procs} and checked to be still in the cgroup after it was opened: a recycled pid
     * is never signalled. A process forked while this runs may be missed, and processes in cgroups below
     * it are not signalled; {@link #destroyCgroupForcibly(Process)} reaches every one.
     *
     * @return true when the cgroup was there to signal; false when it is gone already
     * @throws IllegalArgumentException when the {@code "pidfd"} provider did not start {@code process}
     * @throws IllegalStateException when {@code process} was spawned without a new cgroup of its own
     * @throws IOException when {@code cgroup.procs} cannot be read
     */
    public static boolean destroyCgroup(Process process) throws IOException {
        return ChildCgroups.destroy(ours(process), false);
    }

    private static Process ours(Process process) {
        Objects.requireNonNull(process, "process");
        if (!ChildCgroups.isOurs(process)) {
            throw new IllegalArgumentException(process.getClass().getName() + " was not started by the \"pidfd\""
                    + " process provider: it has no cgroup of pidfd4j's");
        }
        return process;
    }
}
