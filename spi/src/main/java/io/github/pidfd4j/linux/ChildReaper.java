package io.github.pidfd4j.linux;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reaps one child through its pidfd and records its exit in its {@link ExitRecord}. Whoever sees the
 * exit first reaps: the watcher (the pidfd became readable), a waiting platform thread that polls the
 * pidfd itself for a moment ({@link #pollBriefly}), or isAlive(), exitValue() and waitFor(0)
 * ({@link #exitNow}). All reap under {@link #reapLock()}, which only pidfd4j code takes; the first
 * reaps, the others find the exit recorded.
 */
final class ChildReaper extends PidfdWatcher.Watch {

    private static final AtomicBoolean STOLEN_LOGGED = new AtomicBoolean();

    /** How long a waiting thread polls the pidfd itself before it parks (see pollBriefly). */
    static final long POLL_MILLIS = 2;

    /** How long a stolen child's status may take to arrive through the pidfd (see reapedElsewhere). */
    private static final long STATUS_PENDING_LIMIT_NANOS = 5_000_000_000L;

    private final int pid;
    private final Runnable atExit;
    private final ExitRecord exit = new ExitRecord();

    /** When the child was spawned (this is built right after the clone): the start of its wall time. */
    private final long spawnedAt = System.nanoTime();

    /**
     * Held while reaping. Only pidfd4j code takes it, and never for long (a /proc read at most): the
     * handle takes the JDK's view of the pid under it, so that view is of this child, not of a later
     * owner of the pid.
     */
    private final Object reapLock = new Object();

    /** Reap lock: the kernel reaps this child itself (CLONE_AUTOREAP), so only its pidfd tells its exit. */
    private boolean autoreaped;

    /** Reap lock: when waitid first found the child reaped elsewhere with its status still on its way. */
    private long statusPendingSince;

    /**
     * @param atExit run once the child is reaped, just before its exit is recorded (the Process
     *        drains its pipes then: a woken waiter usually starts the next child at once, and work
     *        left for later would compete with that child for a CPU); never waits, runs no user code
     */
    ChildReaper(int pid, PidfdHandle pidfd, Runnable atExit) {
        super(pidfd);
        this.pid = pid;
        this.atExit = atExit;
    }

    int pid() {
        return pid;
    }

    PidfdHandle pidfd() {
        return pidfd;
    }

    ExitRecord exit() {
        return exit;
    }

    Object reapLock() {
        return reapLock;
    }

    /** Marks a child spawned with CLONE_AUTOREAP, before {@link #watch()}. */
    void reapedByTheKernel() {
        synchronized (reapLock) {
            autoreaped = true;
        }
    }

    /** Whether the kernel reaps this child itself (CLONE_AUTOREAP): then no lock of ours holds its reap back. */
    boolean reapedByTheKernelNow() {
        synchronized (reapLock) {
            return autoreaped;
        }
    }

    /** Hands the child to the watcher; from here on it is always reaped. */
    void watch() {
        PidfdWatcher.get().watch(this);
    }

    @Override
    boolean onReadable() {
        return reapIfExited();  // false: readable, yet not exited (or its status still on its way)
    }

    @Override
    String describe() {
        return "pid " + pid;
    }

    /** Reaps the child if it has exited, under the reap lock. True once the exit is recorded. */
    boolean reapIfExited() {
        synchronized (reapLock) {
            if (exit.now() != null) {
                return true;
            }
            int[] info = new int[3];
            long[] usage = new long[9];
            // Only asked once the pidfd is readable, i.e. the child exited; waitid would answer ECHILD.
            int err = autoreaped ? LinuxNative.ECHILD
                    : LinuxNative.pidfd4j_waitid(pidfd.fd(), LinuxNative.WEXITED | LinuxNative.WNOHANG, info, usage);
            if (err == 0 && info[2] == 0) {
                return false;
            }
            ExitInfo exited = err == 0 ? ExitInfo.fromWaitid(info[0], info[1], usage) : reapedElsewhere(err);
            if (exited == null) {
                return false;  // reaped elsewhere, its status not yet recorded: the watcher looks again
            }
            exited = exited.withWallNanos(System.nanoTime() - spawnedAt);
            try {
                atExit.run();
            } finally {  // should it fail (no thread for a busy pipe), the waiters still learn the exit
                exit.record(exited);
            }
            return true;
        }
    }

    /**
     * The exit, if there is one, asking the pidfd when the exit is not recorded yet: other code may
     * have seen the exit before the watcher did (the JDK's {@code ProcessHandle.of(pid).onExit()}
     * waits with WNOWAIT), and once any onExit() has completed no isAlive() may say true. One poll(2)
     * that never waits.
     */
    ExitInfo exitNow() {
        ExitInfo exited = exit.now();
        if (exited != null) {
            return exited;
        }
        if (pidfd.acquire()) {
            try {
                if (LinuxNative.pidfd4j_poll(pidfd.fd(), 0) > 0) {
                    reapIfExited();
                }
            } finally {
                pidfd.release();
            }
        }
        // Read again either way: acquire fails only once the watcher has closed the pidfd, which it does
        // after recording the exit, possibly just after the read above (before: 1 isAlive() in ~2,000
        // said true after a completed onExit(), the exit recorded a moment later).
        return exit.now();
    }

    /**
     * A waiting platform thread first polls the pidfd itself, for a short while: a short-lived child
     * then wakes the waiter directly instead of the watcher, which then wakes the waiter (a thread
     * hand-off costs 100 us and more on a small VM). Meanwhile the watch is lent to this thread
     * ({@link PidfdWatcher#lend}), so the exit does not wake the watcher as well; an exit recorded
     * here finishes the watch, otherwise it goes back to the watcher. An interrupt is noticed when the
     * poll ends, at most {@value #POLL_MILLIS} ms late. Virtual threads do not poll: it would pin their
     * carrier.
     */
    void pollBriefly(long maxMillis) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (maxMillis <= 0 || VirtualThreads.isVirtual(Thread.currentThread()) || !pidfd.acquire()) {
            return;
        }
        PidfdWatcher watcher = PidfdWatcher.get();
        boolean lent = watcher.lend(this);
        try {
            if (LinuxNative.pidfd4j_poll(pidfd.fd(), (int) Math.min(maxMillis, POLL_MILLIS)) > 0) {
                reapIfExited();
            }
        } finally {
            if (lent) {
                watcher.giveBack(this, exit.now() != null);
            }
            pidfd.release();
        }
    }

    /**
     * waitid failed: someone else reaped our child (a wait() or waitpid(-1) in native code: the exec
     * made its exit signal SIGCHLD again), or SIGCHLD is ignored and the kernel reaped it. Linux 6.15+
     * still tells the status through the pidfd; before that the JDK's answer is 0, so it is ours too.
     * Null while the status is on its way: the caller looks again later.
     */
    private ExitInfo reapedElsewhere(int err) {
        int[] status = new int[1];
        int statusErr = LinuxNative.pidfd4j_exit_status(pidfd.fd(), status);
        if (statusErr == 0) {
            return ExitInfo.fromWaitStatus(status[0]);
        }
        // ECHILD comes as soon as the other reaper has claimed the child; the kernel records the
        // status for the pidfd only when that reaper releases the task, microseconds later (ENODATA
        // while the task is still there, ESRCH after). Wait for it rather than lose it: this race
        // cost one exit code in ~1,500 stolen children. The bound only guards against a kernel that
        // breaks its word.
        if (err == LinuxNative.ECHILD && (autoreaped || Pidfd.exitStatusKept())
                && (statusErr == LinuxNative.ENODATA || statusErr == LinuxNative.ESRCH)) {
            long now = System.nanoTime();
            if (statusPendingSince == 0) {
                statusPendingSince = now | 1;  // never 0 once set
            }
            if (now - statusPendingSince < STATUS_PENDING_LIMIT_NANOS) {
                return null;
            }
            Log.logger().log(Level.ERROR, "pidfd4j: pid {0} was reaped by {3} and its exit status did not arrive "
                    + "through its pidfd within {1} s ({2}); reporting 0", pid,
                    STATUS_PENDING_LIMIT_NANOS / 1_000_000_000, LinuxNative.strerror(statusErr),
                    autoreaped ? "the kernel (CLONE_AUTOREAP)" : "someone else");
            return ExitInfo.UNKNOWN;
        }
        if (STOLEN_LOGGED.compareAndSet(false, true)) {
            Log.logger().log(Level.WARNING, "pidfd4j: pid {0} was reaped by someone else ({1}) and this kernel cannot tell its "
                    + "exit status; reporting 0 as the JDK does (logged once)", pid, LinuxNative.strerror(err));
        }
        return ExitInfo.UNKNOWN;
    }
}
