package io.github.pidfd4j.linux;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands out duplicates of a child's pidfd, never the watcher's own descriptor. Public for
 * {@link io.github.pidfd4j.ProcessDescriptor} and the agent only: not an API, may change at any time.
 */
public final class PidfdDuplicates {

    /** What {@link #duplicate} returns for a process this copy of pidfd4j did not start. */
    public static final int NOT_OURS = -1;

    /**
     * The duplicates handed out and not yet closed or released. {@link #close} acts on these only: it is
     * public (and, under the agent, reachable through the isolated layer's exported package), so it must
     * not close a descriptor someone else owns, such as the watcher's epoll or another library's file.
     */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private PidfdDuplicates() {
    }

    /**
     * A new close-on-exec descriptor for the pidfd of {@code process}, which the caller owns, or
     * {@link #NOT_OURS} when this copy of pidfd4j did not start it.
     *
     * @throws IllegalStateException when the child is already reaped: its pid may name another process
     * @throws IOException when the kernel refuses the duplicate (EMFILE...)
     */
    public static int duplicate(Process process) throws IOException {
        if (!(process instanceof PidfdProcess child)) {
            return NOT_OURS;
        }
        ChildReaper reaper = child.reaper();
        int fd;
        // Under the reap lock no one reaps meanwhile: an exit not recorded here is not reaped yet, so
        // the duplicate names a live process or an unreaped zombie, never a finished one. The lock is
        // held for one fcntl (the lock's contract: never long).
        synchronized (reaper.reapLock()) {
            // The owner's reference goes only after the reap, so acquire succeeds while the exit is not
            // recorded; taken anyway, so that nothing can close the descriptor under the fcntl.
            if (reaper.exit().now() != null || !reaper.pidfd().acquire()) {
                throw new IllegalStateException("pid " + child.pid() + " has already exited and been reaped: "
                        + "no descriptor can be obtained for it (its pid may belong to another process by now)");
            }
            try {
                fd = LinuxNative.pidfd4j_dup_cloexec(reaper.pidfd().fd());
            } finally {
                reaper.pidfd().release();
            }
        }
        if (fd < 0) {
            throw new IOException("cannot duplicate the pidfd of pid " + child.pid() + ": " + LinuxNative.strerror(-fd));
        }
        HANDED_OUT.add(fd);  // before anyone sees the number: close() must find it
        return fd;
    }

    /**
     * Closes a descriptor {@link #duplicate} returned and nobody closed or released yet; 0, or EBADF for
     * any other number (nothing is closed then). Through this copy of pidfd4j because its native library
     * is the one this class loader could load (the application's own copy cannot load it again under the
     * agent).
     */
    public static int close(int fd) {
        // Removed first: of two racing closes, one closes; a number reused after that is a new entry.
        return HANDED_OUT.remove(fd) ? LinuxNative.pidfd4j_close(fd) : LinuxNative.EBADF;
    }

    /** Forgets a duplicate whose owner handed it to other code, which closes it: {@link #close} then refuses it. */
    public static void released(int fd) {
        HANDED_OUT.remove(fd);
    }
}
