package io.github.pidfd4j;

import io.github.pidfd4j.linux.ChildCgroups;
import io.github.pidfd4j.linux.GroupSignal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Signals to a child together with its descendants, where {@link Process#destroy()} reaches the child
 * alone and {@code descendants().forEach(ProcessHandle::destroy)} races with every fork and may hit
 * recycled pids.
 *
 * <pre>{@code
 * Process build = ProcessProviders.start(new ProcessBuilder("sh", "-c", "make -j8 all"),
 *         SpawnOptions.defaults().withNewProcessGroup(true));
 * ...
 * ProcessTree.destroyGroupForcibly(build);  // sh, make and every compiler it started
 * }</pre>
 *
 * <p><b>The process group.</b> A child spawned with {@link SpawnOptions#withNewProcessGroup(boolean)}
 * or {@link SpawnOptions#withNewSession(boolean)} leads a new process group whose id is its pid, and
 * its descendants join that group unless they leave it ({@code setpgid}, {@code setsid}: interactive
 * shells and {@code set -m} give each job a group of its own, daemons a session of their own). A group
 * signal reaches every member at once, in the kernel, with no list of pids to go stale.
 *
 * <p>The signal is sent only while the group's id cannot name another group: while the leader is
 * alive or exited but not yet reaped, its pid is taken and so is the group id. On Linux 6.9+ it goes
 * through the leader's pidfd ({@code pidfd_send_signal} with {@code PIDFD_SIGNAL_PROCESS_GROUP}), which
 * pins that pid; on older kernels through {@code kill(-pgid)} while pidfd4j holds back its own reap of
 * the leader. pidfd4j reaps a child as soon as it exits and then closes its pidfd, so once the leader
 * has exited and its exit is known (e.g. {@link Process#onExit()} completed) the group can no longer
 * be signalled safely and these methods return {@code false} on every kernel, even if members are
 * left. For trees whose leader may exit first (a shell that starts a daemon and returns), use a cgroup.
 *
 * <p><b>A cgroup per child.</b> A child spawned with {@link SpawnOptions#withNewCgroup(Path)} is born in
 * a cgroup v2 of its own, and so is everything it starts, whatever group or session they make for
 * themselves (leaving it needs write access to another cgroup). {@link #destroyCgroupForcibly(Process)}
 * kills them all at once through {@code cgroup.kill} (Linux 5.14): however many times they forked, with
 * no pid read and no race, and also after the child itself has exited, for as long as processes are
 * left in its cgroup.
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


    private static final int SIGKILL = 9;
    private static final int SIGTERM = 15;

    private ProcessTree() {
    }

    /**
     * Sends SIGTERM to every process in the process group that {@code process} leads: the child and
     * the descendants that stayed in its group, as a terminal's {@code kill -TERM -<pgid>} would.
     * Like {@link Process#destroy()}, it asks: the processes may handle or ignore the signal. It does
     * not wait, and leaves the child's streams open.
     *
     * @return true when the signal was sent; false when it could not be sent safely any more (pidfd4j
     *         has reaped the leader, see above) or no member of the group could be signalled
     * @throws IllegalArgumentException when pidfd4j did not start {@code process} (the {@code jdk}
     *         provider's processes, any other {@link Process})
     * @throws IllegalStateException when pidfd4j started {@code process} without
     *         {@link SpawnOptions#newProcessGroup()} or {@link SpawnOptions#newSession()}: it shares a
     *         group with the JVM (or whatever group it was given), which must not be signalled
     * @throws NullPointerException when {@code process} is null
     */
    public static boolean destroyGroup(Process process) {
        return signalGroup(process, SIGTERM);
    }

    /**
     * Sends SIGKILL to every process in the process group that {@code process} leads, as
     * {@link #destroyGroup(Process)} sends SIGTERM; the processes cannot ignore it. Members that are
     * stopped die too. It does not wait for them: {@link Process#waitFor()} waits for the leader, and
     * the others are reaped by their own parents (or by init once their parent is gone).
     *
     * @return true when the signal was sent; false when it could not be sent safely any more (pidfd4j
     *         has reaped the leader) or no member of the group could be signalled
     * @throws IllegalArgumentException when pidfd4j did not start {@code process}
     * @throws IllegalStateException when pidfd4j started {@code process} without
     *         {@link SpawnOptions#newProcessGroup()} or {@link SpawnOptions#newSession()}
     * @throws NullPointerException when {@code process} is null
     */
    public static boolean destroyGroupForcibly(Process process) {
        return signalGroup(process, SIGKILL);
    }

    private static boolean signalGroup(Process process, int sig) {
        Objects.requireNonNull(process, "process");
        int result = GroupSignal.send(process, sig);
        if (result == GroupSignal.NOT_OURS && AgentCopy.started(process)) {
            result = agentSignalsGroup(process, sig);
        }
        switch (result) {
            case GroupSignal.SENT:
                return true;
            case GroupSignal.NOT_SENT:
                return false;
            case GroupSignal.NOT_A_LEADER:
                throw new IllegalStateException("pid " + process.pid() + " was not spawned as the leader of a new "
                        + "process group (SpawnOptions.withNewProcessGroup or withNewSession): its group is not its own");
            default:
                throw new IllegalArgumentException(process.getClass().getName() + " was not started by pidfd4j "
                        + "(neither the pidfd provider nor the pidfd4j agent): it has no process group of its own");
        }
    }

    /** Asks the agent's copy of pidfd4j, which started the process and holds its pidfd. */
    private static int agentSignalsGroup(Process process, int sig) {
        try {
            return (Integer) fromAgent("signalGroup", new Class<?>[] {Process.class, int.class}, process, sig);
        } catch (IOException e) {  // signalGroup declares none
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The cgroup pidfd4j created for {@code process} ({@link SpawnOptions#withNewCgroup(Path)}), while it
     * exists: until the child has been reaped and every process in the cgroup has exited. Empty for a
     * child spawned without that option.
     *
     * @throws IllegalArgumentException when pidfd4j (the {@code "pidfd"} provider or the agent) did not start {@code process}
     */
    public static Optional<Path> cgroup(Process process) {
        Objects.requireNonNull(process, "process");
        if (!ChildCgroups.isOurs(process) && AgentCopy.started(process)) {
            String dir;
            try {
                dir = (String) fromAgent("cgroup", new Class<?>[] {Process.class}, process);
            } catch (IOException e) {  // the agent's cgroup() declares none
                throw new UncheckedIOException(e);
            }
            return dir == null ? Optional.empty() : Optional.of(Path.of(dir));
        }
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
     * @throws IllegalArgumentException when pidfd4j (the {@code "pidfd"} provider or the agent) did not start {@code process}
     * @throws IllegalStateException when {@code process} was spawned without a new cgroup of its own
     * @throws UnsupportedOperationException when the kernel has no {@code cgroup.kill} (older than 5.14)
     * @throws IOException when the kernel refuses the write
     */
    public static boolean destroyCgroupForcibly(Process process) throws IOException {
        return destroyCgroup(process, true);
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
     * @throws IllegalArgumentException when pidfd4j (the {@code "pidfd"} provider or the agent) did not start {@code process}
     * @throws IllegalStateException when {@code process} was spawned without a new cgroup of its own
     * @throws IOException when {@code cgroup.procs} cannot be read
     */
    public static boolean destroyCgroup(Process process) throws IOException {
        return destroyCgroup(process, false);
    }

    private static boolean destroyCgroup(Process process, boolean force) throws IOException {
        Objects.requireNonNull(process, "process");
        if (!ChildCgroups.isOurs(process) && AgentCopy.started(process)) {
            return (Boolean) fromAgent("destroyCgroup", new Class<?>[] {Process.class, boolean.class}, process, force);
        }
        return ChildCgroups.destroy(ours(process), force);
    }

    private static Process ours(Process process) {
        if (!ChildCgroups.isOurs(process)) {
            throw new IllegalArgumentException(process.getClass().getName() + " was not started by pidfd4j "
                    + "(neither the pidfd provider nor the pidfd4j agent): it has no cgroup of pidfd4j's");
        }
        return process;
    }

    /** Calls the agent's {@code ProcessTreeLookup} method of that name; its exceptions come through as they are. */
    private static Object fromAgent(String name, Class<?>[] types, Object... args) throws IOException {
        return AgentCopy.call(AgentCopy.entryPoint((Process) args[0], "ProcessTreeLookup", name, types), args);
    }
}
