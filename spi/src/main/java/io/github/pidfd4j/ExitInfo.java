package io.github.pidfd4j;

import io.github.pidfd4j.linux.ExitLookup;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * How a process that pidfd4j started ended: its exit status and what it cost, as the kernel reported
 * them when pidfd4j reaped it through its pidfd ({@code waitid(P_PIDFD, ..., WEXITED, &rusage)},
 * Linux 5.4+). Immutable, compared as a value. Obtained without blocking with {@link #of(Process)}.
 *
 * <pre>{@code
 * Process p = ProcessProviders.start(new ProcessBuilder("make", "-j4"));
 * ExitInfo.of(p).thenAccept(exit -> log.info("make: exit {} in {}, user {} sys {}, peak {} bytes",
 *         exit.exitValue(), exit.wallDuration(), exit.userCpuDuration().orElse(null),
 *         exit.systemCpuDuration().orElse(null), exit.peakResidentBytes().orElse(-1)));
 * }</pre>
 *
 * <p>When someone else reaped the child (a {@code wait()} in native code, or SIGCHLD ignored), the
 * kernel keeps no resource usage for pidfd4j: Linux 6.15+ still tells the status through the pidfd
 * ({@code PIDFD_GET_INFO} with {@code PIDFD_INFO_EXIT}), so the status is known but the CPU times
 * and the peak memory are empty; before 6.15 the status is unknown too ({@link #isStatusKnown()}
 * false, exit value 0, as the JDK reports it).
 */
public final class ExitInfo {

    /** The version of the neutral form this class reads (see io.github.pidfd4j.linux.ExitInfo#toArray). */
    private static final long LAYOUT = 1;

    private final long pid;
    private final boolean statusKnown;
    private final int exitValue;
    private final int signal;
    private final boolean coreDumped;
    private final long userMicros;    // -1: unknown
    private final long systemMicros;  // -1: unknown
    private final long maxRssKib;     // -1: unknown
    private final long wallNanos;

    private ExitInfo(long[] a) {
        this.pid = a[1];
        this.statusKnown = a[2] != 0;
        this.exitValue = (int) a[3];
        this.signal = (int) a[4];
        this.coreDumped = a[5] != 0;
        this.userMicros = a[6];
        this.systemMicros = a[7];
        this.maxRssKib = a[8];
        this.wallNanos = a[9];
    }

    /**
     * The exit information of {@code process}, without blocking: the future completes once pidfd4j
     * has reaped the child, and, as the futures of {@link Process#onExit()} do, runs its dependent
     * actions on the default async executor, never on pidfd4j's watcher thread. Each call returns a
     * new future; completing or cancelling it changes nothing else.
     *
     * <p>Works for every process started through the {@code pidfd} provider, and for those an
     * unchanged program starts under the pidfd4j agent (the agent answers for its own copy of
     * pidfd4j, which lives in another class loader).
     *
     * @throws IllegalArgumentException when pidfd4j did not start {@code process}: the {@code jdk}
     *         provider's processes, and any other {@link Process}, carry no such information (the JDK
     *         reaps its children with {@code waitpid} and keeps only the exit status)
     * @throws NullPointerException when {@code process} is null
     */
    public static CompletableFuture<ExitInfo> of(Process process) {
        Objects.requireNonNull(process, "process");
        CompletableFuture<long[]> exit = ExitLookup.of(process);
        if (exit == null && AgentCopy.started(process)) {
            exit = fromAgent(process);
        }
        if (exit == null) {
            throw new IllegalArgumentException(process.getClass().getName() + " was not started by pidfd4j "
                    + "(neither the pidfd provider nor the pidfd4j agent): it carries no exit information");
        }
        return exit.thenApply(ExitInfo::fromArray);  // runs where the async stage completes: not the watcher
    }

    /**
     * How the process {@code handle} names ends, without blocking, for any process: the JDK reports
     * 0 as the exit value of every process that is not its child, and nothing at all in
     * {@link ProcessHandle#onExit()}.
     * <ul>
     * <li>The handle of a child pidfd4j started ({@code toHandle()} of a {@code pidfd} provider's
     *     process): the same as {@link #of(Process)}.
     * <li>Any other live process (a grandchild, a stranger, a child the JDK started): pidfd4j opens
     *     a pidfd for it now ({@code pidfd_open}, Linux 5.3+), makes sure it is still the handle's
     *     process (their start instants agree, to the clock tick, as the JDK's {@code equals} checks),
     *     and completes once the process's own parent has reaped it, with the status the kernel kept
     *     ({@code PIDFD_GET_INFO} with {@code PIDFD_INFO_EXIT}, Linux 6.15+; it needs no rights over
     *     the process). Before Linux 6.15 the status is unknown ({@link #isStatusKnown()} false, exit
     *     value 0). The CPU times and the peak memory are always empty (they went to the parent that
     *     reaped it); {@link #wallDuration()} runs from the process's start instant to the exit seen.
     *     A zombie counts as running until its parent reaps it, as for the JDK's {@code isAlive()}.
     * <li>A process already gone (exited and reaped, or its pid now names another process, which is
     *     never watched in its place): a future already completed with the status unknown and a zero
     *     wall duration: nothing tells that status any more.
     * <li>Where no pidfd can be opened (no pidfd support, too many open files): the handle's own
     *     {@code onExit()} tells when, the status is unknown.
     * </ul>
     * Under the pidfd4j agent this works through the application's own copy of pidfd4j (and its
     * native library: on JDK 22+ with {@code --enable-native-access} for it, else the JDK warns): the
     * agent's children are watched as any other process, so their CPU times are empty here; ask
     * {@link #of(Process)} for those.
     * As with {@link #of(Process)}, dependent actions run on the default async executor.
     *
     * @throws IllegalStateException for the current process, as {@link ProcessHandle#onExit()}
     * @throws NullPointerException when {@code handle} is null
     */
    public static CompletableFuture<ExitInfo> of(ProcessHandle handle) {
        Objects.requireNonNull(handle, "handle");
        if (handle.pid() == ProcessHandle.current().pid()) {
            throw new IllegalStateException("the current process cannot wait for its own exit");
        }
        return ExitLookup.of(handle).thenApply(ExitInfo::fromArray);
    }

    /** Asks the agent's copy of pidfd4j, through the read-only entry point of its exported package. */
    @SuppressWarnings("unchecked")
    private static CompletableFuture<long[]> fromAgent(Process process) {
        try {
            return (CompletableFuture<long[]>) AgentCopy.call(
                    AgentCopy.entryPoint(process, "ExitInfoLookup", "exitInfo", Process.class), process);
        } catch (java.io.IOException e) {  // exitInfo declares none
            throw new IllegalStateException("the pidfd4j agent could not look up the exit of " + process, e);
        }
    }

    private static ExitInfo fromArray(long[] a) {
        if (a.length < 10 || a[0] < LAYOUT) {
            throw new IllegalStateException("unexpected exit information from another pidfd4j version (layout "
                    + (a.length > 0 ? a[0] : -1) + ")");
        }
        return new ExitInfo(a);  // a newer layout only appends: its first fields are ours
    }

    /** The process id. */
    public long pid() {
        return pid;
    }

    /**
     * Whether the exit status is known. False only when someone else reaped the child and the kernel
     * could not tell its status either (before Linux 6.15); {@link #exitValue()} is then 0, as the
     * JDK reports it, and {@link #exitCode()} and {@link #signal()} are empty.
     */
    public boolean isStatusKnown() {
        return statusKnown;
    }

    /**
     * What {@link Process#exitValue()} reports: the exit code, or 128 + the signal that killed the
     * process (as the JDK encodes it), or 0 when the status is unknown.
     */
    public int exitValue() {
        return exitValue;
    }

    /**
     * The code the process passed to {@code exit} (0-255, {@code si_status} of waitid with
     * {@code CLD_EXITED}); empty when a signal killed it or the status is unknown.
     */
    public OptionalInt exitCode() {
        return statusKnown && signal == 0 ? OptionalInt.of(exitValue) : OptionalInt.empty();
    }

    /**
     * The signal that terminated the process ({@code CLD_KILLED} or {@code CLD_DUMPED}), e.g. 9 for
     * SIGKILL; empty when it exited normally or the status is unknown.
     */
    public OptionalInt signal() {
        return signal != 0 ? OptionalInt.of(signal) : OptionalInt.empty();
    }

    /** Whether the terminating signal dumped core ({@code CLD_DUMPED}); false when it exited normally. */
    public boolean coreDumped() {
        return coreDumped;
    }

    /**
     * The CPU time the process spent in user mode ({@code ru_utime} of the rusage that waitid returns
     * with the reap, microsecond resolution): of the child itself and of those of its own children it
     * waited for, not of descendants nobody waited for. Empty when someone else reaped the child.
     */
    public Optional<Duration> userCpuDuration() {
        return micros(userMicros);
    }

    /** The CPU time the process spent in the kernel ({@code ru_stime}); as {@link #userCpuDuration()}. */
    public Optional<Duration> systemCpuDuration() {
        return micros(systemMicros);
    }

    /**
     * The process's own peak resident memory, in bytes ({@code ru_maxrss}, which Linux counts in KiB,
     * times 1024; the largest of the child and the children it waited for). Empty when someone else
     * reaped the child, and when the figure is not above the JVM's own peak resident memory.
     *
     * <p>Why the second case: every child of pidfd4j (as of the JDK, whose {@code posix_spawn} and
     * {@code vfork} work alike) runs in the JVM's address space until its {@code exec}, and Linux folds
     * that space's peak into the child's figure at the {@code exec}. A figure not above the JVM's own
     * peak may therefore be the JVM's, and is not reported as the child's; most small children
     * (a shell, {@code git status}) have an empty value for that reason. Only a child that used more
     * memory than the JVM ever did is measured.
     */
    public OptionalLong peakResidentBytes() {
        return maxRssKib >= 0 ? OptionalLong.of(maxRssKib * 1024) : OptionalLong.empty();
    }

    /**
     * The wall-clock time from the spawn (just after the {@code clone}) until pidfd4j saw the exit
     * (the pidfd became readable and the child was reaped): the child's lifetime, plus at most the
     * watcher's wake-up.
     */
    public Duration wallDuration() {
        return Duration.ofNanos(wallNanos);
    }

    private static Optional<Duration> micros(long micros) {
        return micros >= 0 ? Optional.of(Duration.ofNanos(micros * 1000)) : Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExitInfo e && pid == e.pid && statusKnown == e.statusKnown && exitValue == e.exitValue
                && signal == e.signal && coreDumped == e.coreDumped && userMicros == e.userMicros
                && systemMicros == e.systemMicros && maxRssKib == e.maxRssKib && wallNanos == e.wallNanos;
    }

    @Override
    public int hashCode() {
        return Objects.hash(pid, statusKnown, exitValue, signal, coreDumped, userMicros, systemMicros, maxRssKib,
                wallNanos);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ExitInfo[pid=").append(pid);
        if (!statusKnown) {
            sb.append(", status unknown");
        } else if (signal != 0) {
            sb.append(", signal=").append(signal).append(coreDumped ? " (core dumped)" : "");
        } else {
            sb.append(", exitCode=").append(exitValue);
        }
        sb.append(", wall=").append(wallDuration());
        if (userMicros >= 0) {
            sb.append(", user=").append(Duration.ofNanos(userMicros * 1000))
                    .append(", system=").append(Duration.ofNanos(systemMicros * 1000));
        }
        if (maxRssKib >= 0) {
            sb.append(", peakRss=").append(maxRssKib * 1024).append(" bytes");
        }
        return sb.append(']').toString();
    }
}
