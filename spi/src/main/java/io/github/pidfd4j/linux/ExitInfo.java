package io.github.pidfd4j.linux;

/**
 * How a child ended, as {@code waitid(P_PIDFD, ..., &rusage)} reported it: the internal form of the
 * public {@link io.github.pidfd4j.ExitInfo}, which receives it through {@link #toArray}.
 *
 * @param exitValue what {@link Process#exitValue()} reports: the exit status, or 128 + the signal
 * @param signal the signal that killed the process, or 0 when it exited
 * @param coreDumped whether the process dumped core
 * @param known false when someone else reaped the child and the kernel could not tell its status
 *        either (before Linux 6.15); {@code exitValue} is then 0, as the JDK reports it
 * @param hasUsage whether the resource usage below is known: only waitid on our own reap returns it,
 *        not PIDFD_INFO_EXIT (a child reaped elsewhere); all zero when false
 * @param userMicros user CPU time of the child (not of its unwaited-for descendants), in microseconds
 * @param systemMicros system CPU time, in microseconds
 * @param maxRssKib maximum resident set size, in KiB; -1 when not above the JVM's own peak, which a
 *        vfork-style child inherits at its exec (so the figure may be the JVM's, not the child's)
 * @param minorFaults page faults served without I/O
 * @param majorFaults page faults that needed I/O
 * @param voluntaryContextSwitches voluntary context switches
 * @param involuntaryContextSwitches involuntary context switches
 * @param wallNanos from just after the spawn to the reap (or to the exit seen through the pidfd)
 */
record ExitInfo(int exitValue, int signal, boolean coreDumped, boolean known, boolean hasUsage,
                long userMicros, long systemMicros, long maxRssKib, long minorFaults, long majorFaults,
                long voluntaryContextSwitches, long involuntaryContextSwitches, long wallNanos) {

    /** Version of the {@link #toArray} layout, checked by the reader (the agent's spi may be another version). */
    static final long LAYOUT = 1;

    /** From waitid's siginfo ({@code si_code}, {@code si_status}) and the rusage array of pidfd4j_waitid. */
    static ExitInfo fromWaitid(int code, int status, long[] usage) {
        boolean signalled = code == LinuxNative.CLD_KILLED || code == LinuxNative.CLD_DUMPED;
        return new ExitInfo(signalled ? 0x80 + status : status, signalled ? status : 0,
                code == LinuxNative.CLD_DUMPED, true, true,
                usage[0], usage[1], usage[2], usage[3], usage[4], usage[7], usage[8], 0);
    }

    /** From a wait(2)-style status word (PIDFD_INFO_EXIT); no resource usage is known then. */
    static ExitInfo fromWaitStatus(int wstatus) {
        int sig = wstatus & 0x7f;
        boolean signalled = sig != 0 && sig != 0x7f;
        return new ExitInfo(signalled ? 0x80 + sig : (wstatus >> 8) & 0xff, signalled ? sig : 0,
                signalled && (wstatus & 0x80) != 0, true, false, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** Reaped elsewhere and not recoverable: the JDK reports 0 in that case. */
    static final ExitInfo UNKNOWN = new ExitInfo(0, 0, false, false, false, 0, 0, 0, 0, 0, 0, 0, 0);

    /** The same exit, seen {@code nanos} after the spawn. */
    ExitInfo withWallNanos(long nanos) {
        return new ExitInfo(exitValue, signal, coreDumped, known, hasUsage, userMicros, systemMicros, maxRssKib,
                minorFaults, majorFaults, voluntaryContextSwitches, involuntaryContextSwitches, nanos);
    }

    /**
     * A neutral form that crosses class loaders (the agent's isolated layer to the application's
     * copy of pidfd4j): {LAYOUT, pid, known, exitValue, signal, coreDumped, userMicros, systemMicros,
     * maxRssKib, wallNanos}, booleans as 0/1, unknown usage as -1. Only ever appended to.
     */
    long[] toArray(long pid) {
        return new long[] {LAYOUT, pid, known ? 1 : 0, exitValue, signal, coreDumped ? 1 : 0,
                hasUsage ? userMicros : -1, hasUsage ? systemMicros : -1, hasUsage && maxRssKib >= 0 ? maxRssKib : -1,
                wallNanos};
    }
}
