package io.github.pidfd4j.linux;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * With the agent, the JDK's own {@code ProcessHandleImpl} answers {@code destroy()},
 * {@code destroyForcibly()} and {@code isAlive()} through pidfds instead of {@code kill(pid)} after a
 * start-time check with clock-tick resolution (which kills a stranger that got the pid of an exited
 * process within the same tick).
 *
 * <p>The handle that {@code toHandle()} of a pidfd4j child gave out is that child's, by identity: it
 * acts through the child's pidfd and is dead once the child is reaped, whoever has the pid now. Any
 * other handle names a process by pid and start time, as the JDK's {@code equals} does; it signals
 * through a pidfd opened before the start time is checked, so the process checked is the process
 * signalled.
 */
final class JdkHandles {

    /** The JDK handles given out by toHandle(), by identity, weakly, to their pidfd4j handle (weakly too). */
    private static final Map<Key, WeakReference<PidfdProcessHandle>> OWNERS = new ConcurrentHashMap<>();
    private static final ReferenceQueue<Object> GONE = new ReferenceQueue<>();

    private JdkHandles() {
    }

    /**
     * Records that {@code jdk} is the JDK's handle of {@code owner}'s child. The value is weak: the
     * pidfd4j handle refers to the JDK's, so a strong one would keep the entry forever. It is cleared
     * only when the child's PidfdProcess is unreachable, which means it was reaped (with the agent,
     * {@link LiveChildren} holds every live one), so a cleared entry still says "gone".
     */
    static void register(ProcessHandle jdk, PidfdProcessHandle owner) {
        for (Reference<?> r; (r = GONE.poll()) != null; ) {
            OWNERS.remove((Key) r);
        }
        OWNERS.put(new Key(jdk, GONE), new WeakReference<>(owner));
    }

    /**
     * {@code ProcessHandleImpl.destroyProcess(force)} ({@code force} non-null) or {@code isAlive()}
     * (null) of the JDK handle {@code handle} with the JDK's pid and start time: the answer, or null
     * for the JDK's own body.
     */
    static Boolean answer(ProcessHandle handle, long pid, long startTime, Boolean force) {
        WeakReference<PidfdProcessHandle> ref = OWNERS.get(new Key(handle, null));
        if (ref != null) {  // toHandle() of a pidfd4j child: that child and no other
            PidfdProcessHandle owner = ref.get();
            if (owner == null) {
                return Boolean.FALSE;  // reaped and forgotten
            }
            return force == null ? owner.isAlive() : force ? owner.destroyForcibly() : owner.destroy();
        }
        if (force == null || pid <= 0 || pid > Integer.MAX_VALUE || pid == ProcessHandle.current().pid()) {
            return null;  // isAlive of another handle: the JDK's /proc check; the current process: its ISE
        }
        int sig = force ? LinuxNative.SIGKILL : LinuxNative.SIGTERM;
        // A live pidfd4j child with this pid: its own pidfd, if the handle names it (same start time).
        PidfdProcess live = LiveChildren.get(pid);
        PidfdHandle pidfd = live == null ? null : live.reaper().pidfd();
        if (pidfd != null && pidfd.acquire()) {
            try {
                if (!handle.isAlive()) {  // the JDK's start-time check (the bridge sends it to the JDK's body)
                    return Boolean.FALSE;
                }
                int err = LinuxNative.pidfd4j_send_signal(pidfd.fd(), sig);
                if (err != LinuxNative.ESRCH) {
                    return err == 0;
                }
                // Reaped since the check: the pid may be someone else's by now; ask again below.
            } finally {
                pidfd.release();
            }
        }
        // Any other process: pin it with a pidfd first, then check that the pid still has the handle's
        // start time, then signal the pinned process. Should it exit and its pid go to another process
        // between the open and the check, the signal goes to the exited one and fails (ESRCH): the
        // other one is never signalled.
        int fd = LinuxNative.pidfd4j_pidfd_open((int) pid);
        if (fd < 0) {
            // ESRCH: no such process, false as the JDK says; anything else (EMFILE, EINVAL for a thread
            // id, seccomp): the JDK's own body.
            return fd == -LinuxNative.ESRCH ? Boolean.FALSE : null;
        }
        try {
            if (!handle.isAlive()) {
                return Boolean.FALSE;
            }
            return LinuxNative.pidfd4j_send_signal(fd, sig) == 0;  // EPERM, ESRCH: false, as kill() is for the JDK
        } finally {
            LinuxNative.pidfd4j_close(fd);
        }
    }

    /** A weak key compared by the identity of its referent. */
    private static final class Key extends WeakReference<Object> {
        private final int hash;

        Key(Object referent, ReferenceQueue<Object> queue) {
            super(referent, queue);
            this.hash = System.identityHashCode(referent);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) {
                return true;
            }
            Object mine = get();
            return o instanceof Key && mine != null && mine == ((Key) o).get();
        }
    }
}
