package io.github.pidfd4j.linux;

/**
 * How a child ended, as {@code waitid(P_PIDFD, ..., &rusage)} reported it.
 *
 * @param exitValue what {@link Process#exitValue()} reports: the exit status, or 128 + the signal
 * @param signal the signal that killed the process, or 0 when it exited
 * @param coreDumped whether the process dumped core
 * @param known false when someone else reaped the child and the kernel could not tell its status
 *        either (before Linux 6.15); {@code exitValue} is then 0, as the JDK reports it
 * @param userMicros user CPU time of the child (not of its unwaited-for descendants), in microseconds
 * @param systemMicros system CPU time, in microseconds
 * @param maxRssKib maximum resident set size, in KiB
 * @param minorFaults page faults served without I/O
 * @param majorFaults page faults that needed I/O
 * @param voluntaryContextSwitches voluntary context switches
 * @param involuntaryContextSwitches involuntary context switches
 */
record ExitInfo(int exitValue, int signal, boolean coreDumped, boolean known,
                long userMicros, long systemMicros, long maxRssKib, long minorFaults, long majorFaults,
                long voluntaryContextSwitches, long involuntaryContextSwitches) {

    /** From waitid's siginfo ({@code si_code}, {@code si_status}) and the rusage array of pidfd4j_waitid. */
    static ExitInfo fromWaitid(int code, int status, long[] usage) {
        boolean signalled = code == LinuxNative.CLD_KILLED || code == LinuxNative.CLD_DUMPED;
        return new ExitInfo(signalled ? 0x80 + status : status, signalled ? status : 0,
                code == LinuxNative.CLD_DUMPED, true,
                usage[0], usage[1], usage[2], usage[3], usage[4], usage[7], usage[8]);
    }

    /** From a wait(2)-style status word (PIDFD_INFO_EXIT); no resource usage is known then. */
    static ExitInfo fromWaitStatus(int wstatus) {
        int sig = wstatus & 0x7f;
        boolean signalled = sig != 0 && sig != 0x7f;
        return new ExitInfo(signalled ? 0x80 + sig : (wstatus >> 8) & 0xff, signalled ? sig : 0,
                signalled && (wstatus & 0x80) != 0, true, 0, 0, 0, 0, 0, 0, 0);
    }

    /** Reaped elsewhere and not recoverable: the JDK reports 0 in that case. */
    static final ExitInfo UNKNOWN = new ExitInfo(0, 0, false, false, 0, 0, 0, 0, 0, 0, 0);
}
