package io.github.pidfd4j.linux;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The exit status of a process that is not a pidfd4j child, for {@code ExitInfo.of(ProcessHandle)}:
 * a pidfd opened now, checked to name the handle's process, watched by the watcher, and read once
 * the process's own parent has reaped it ({@code PIDFD_GET_INFO} with {@code PIDFD_INFO_EXIT}, Linux
 * 6.15+; earlier kernels cannot tell, and the status is unknown). No resource usage: that went to
 * the parent that reaped it.
 */
final class ForeignExitStatus {

    /** How long a status the kernel keeps (6.15+) may take to arrive after the reap (see ChildReaper). */
    private static final long STATUS_PENDING_LIMIT_NANOS = 1_000_000_000;

    private ForeignExitStatus() {
    }

    /**
     * A new future of the exit in the neutral form, completed on the default async executor; already
     * completed with the status unknown when the handle's process is gone (exited and reaped, or its
     * pid now names another process); null when no pidfd can be opened (no pidfd support here,
     * EMFILE...): the caller falls back to the handle's own onExit().
     */
    static CompletableFuture<long[]> of(ProcessHandle handle, PidfdWatcher watcher) {
        long pid = handle.pid();
        if (!Pidfd.isAvailable() || pid <= 0 || pid > Integer.MAX_VALUE) {
            return null;
        }
        int fd = LinuxNative.pidfd4j_pidfd_open((int) pid);
        if (fd < 0) {
            return fd == -LinuxNative.ESRCH ? gone(pid) : null;
        }
        PidfdHandle pidfd = new PidfdHandle(fd);
        // The pidfd pins the pid while its process is unreaped: if it is still unreaped after both
        // reads, both read the pinned process. The JDK's handle reports a start instant only while its
        // pid has the handle's own start time (ProcessHandleImpl.Info.info), so equal instants mean
        // that the handle names the pinned process, to clock-tick resolution (as the JDK's equals).
        Optional<Instant> handleStart = handle.info().startInstant();
        Optional<Instant> pinnedStart = ProcessHandle.of(pid).flatMap(h -> h.info().startInstant());
        if (handleStart.isEmpty() || !handleStart.equals(pinnedStart) || NonChildWatch.isReaped(pidfd)) {
            pidfd.release();
            return gone(pid);  // gone, or another process has its pid by now: never watched as that one
        }
        CompletableFuture<long[]> exited = new CompletableFuture<>();
        Instant started = handleStart.get();
        // Re-checked while the status is on its way, or where the reap raises no event (before 6.9).
        PidfdWatcher.Watch watch = new NonChildWatch(pidfd, pid) {
            private long statusPendingSince;

            @Override
            boolean onReadable() {
                if (!isReaped(pidfd)) {
                    return false;  // exited, not yet reaped by its parent: the reap wakes us (6.9+) or a retry
                }
                ExitInfo exit = status();
                if (exit == null) {
                    return false;  // its status is on its way: look again
                }
                long wall = Math.max(0, Duration.between(started, Instant.now()).toNanos());
                exited.complete(exit.withWallNanos(wall).toArray(pid));
                return true;
            }

            /** The status the kernel kept, null while it may still come, UNKNOWN where it never will. */
            private ExitInfo status() {
                int[] status = new int[1];
                int err = LinuxNative.pidfd4j_exit_status(pidfd.fd(), status);
                if (err == 0) {
                    return ExitInfo.fromWaitStatus(status[0]);
                }
                // 6.15+ records the status as the reaper releases the task, a moment after signal 0
                // may already fail; before 6.15 (or with no status kept) it never comes.
                if (Pidfd.exitStatusKept() && (err == LinuxNative.ENODATA || err == LinuxNative.ESRCH)) {
                    long now = System.nanoTime();
                    if (statusPendingSince == 0) {
                        statusPendingSince = now | 1;  // never 0 once set
                    }
                    if (now - statusPendingSince < STATUS_PENDING_LIMIT_NANOS) {
                        return null;
                    }
                }
                return ExitInfo.UNKNOWN;
            }
        };
        try {
            watcher.watch(watch);  // where epoll refuses it, a thread of its own waits (PidfdWatcher.waitAlone)
        } catch (Throwable e) {  // not even a thread: the caller falls back
            pidfd.release();
            throw e;
        }
        // Completed on the watcher: dependents move to the default async executor, never run there.
        return exited.thenApplyAsync(Function.identity());
    }

    /** Gone already: nothing tells its status any more. */
    static CompletableFuture<long[]> gone(long pid) {
        return CompletableFuture.completedFuture(ExitInfo.UNKNOWN.toArray(pid));
    }
}
