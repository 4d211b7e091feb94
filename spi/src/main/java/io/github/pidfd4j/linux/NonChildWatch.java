package io.github.pidfd4j.linux;

/**
 * A watch of a process that is not a pidfd4j child (ForeignExit, ForeignExitStatus): it is gone only
 * once its own parent has reaped it, which raises an event on Linux 6.9+ and nothing before; so while
 * it is an unreaped zombie the watch looks again, 10 ms doubling to 1 s, as the JDK's own loop for a
 * non-child does (300 ms growing to 5 s), without ever blocking the watcher.
 */
abstract class NonChildWatch extends PidfdWatcher.Watch {

    private static final long FIRST_RETRY_NANOS = 10_000_000;
    private static final long MAX_RETRY_NANOS = 1_000_000_000;

    private final long pid;
    private long retryNanos = FIRST_RETRY_NANOS;

    NonChildWatch(PidfdHandle pidfd, long pid) {
        super(pidfd);
        this.pid = pid;
    }

    /**
     * Readable means exited, but a zombie is alive for the JDK's handle until its parent reaps it
     * (/proc/<pid> is still there), so it counts as gone only after the reap: signal 0 through the
     * pidfd fails with ESRCH exactly then (0, or EPERM for another user's process, while it is a
     * zombie). The pidfd names this process, never a pid's reuse.
     */
    static boolean isReaped(PidfdHandle pidfd) {
        return pidfd.signal(0) == LinuxNative.ESRCH;
    }

    @Override
    final long retryNanos() {
        long r = retryNanos;
        retryNanos = Math.min(MAX_RETRY_NANOS, 2 * retryNanos);
        return r;
    }

    @Override
    final String describe() {
        return "pid " + pid;
    }
}
