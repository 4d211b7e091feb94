package io.github.pidfd4j.linux;

import java.lang.System.Logger.Level;

/**
 * Signals the process group a pidfd4j child leads (spawned with SpawnOptions.newProcessGroup or
 * newSession, so the group's id is the child's pid), and never another group that came to have the
 * same number. Public for {@link io.github.pidfd4j.ProcessTree} and the agent only: not an API, may
 * change at any time.
 *
 * <p>While the leader is alive or an unreaped zombie, its pid is taken, so no other group can get
 * that id. Two ways to rely on that:
 * <ul>
 * <li>Linux 6.9+: {@code pidfd_send_signal} with {@code PIDFD_SIGNAL_PROCESS_GROUP}, which the kernel
 *     sends to the group whose id is the pidfd's own {@code struct pid} (kernel/signal.c:
 *     {@code kill_pgrp_info(sig, &kinfo, pid)}); the descriptor pins that pid, so the signal reaches
 *     this group or no one.</li>
 * <li>Older kernels: {@code kill(-pgid)}, under the child's reap lock while pidfd4j has not reaped
 *     it, so that pidfd4j's own reap cannot free the number in between.</li>
 * </ul>
 * After pidfd4j has reaped the leader (and closed its pidfd), nothing is sent on either kernel.
 */
public final class GroupSignal {

    /** A signal went to the group. */
    public static final int SENT = 0;
    /** Nothing was sent: the leader has been reaped, or no member of its group could be signalled. */
    public static final int NOT_SENT = 1;
    /** This copy of pidfd4j did not start the process. */
    public static final int NOT_OURS = 2;
    /** pidfd4j started the process, but not as the leader of a new process group. */
    public static final int NOT_A_LEADER = 3;

    private GroupSignal() {
    }

    /**
     * Sends {@code sig} to the process group {@code process} leads; one of the constants above.
     * The old-kernel way is taken where the kernel lacks PIDFD_SIGNAL_PROCESS_GROUP.
     */
    public static int send(Process process, int sig) {
        return send(process, sig, GroupFlagProbe.SUPPORTED);
    }

    /** The same, through the pidfd flag or (false) kill(-pgid); for the tests of both ways on one kernel. */
    static int send(Process process, int sig, boolean throughPidfd) {
        if (!(process instanceof PidfdProcess)) {
            return NOT_OURS;
        }
        PidfdProcess child = (PidfdProcess) process;
        if (!child.groupLeader()) {
            return NOT_A_LEADER;
        }
        ChildReaper reaper = child.reaper();
        if (reaper.exit().now() != null) {
            return NOT_SENT;  // reaped: the same answer on every kernel, whatever the pidfd still pins
        }
        if (throughPidfd) {
            // EBADF once pidfd4j closed the descriptor after the reap; ESRCH when the group is empty.
            return reaper.pidfd().signalGroup(sig) == 0 ? SENT : NOT_SENT;
        }
        if (reaper.reapedByTheKernelNow()) {
            // CLONE_AUTOREAP (Linux 7.1, which always has the pidfd flag): the kernel frees the pid at the
            // exit without our lock, so a number read now may be reused by the time kill runs.
            return NOT_SENT;
        }
        // The watcher reaps under this lock too, and only pidfd4j code holds it, for two syscalls here.
        synchronized (reaper.reapLock()) {
            if (reaper.exit().now() != null || !reaper.pidfd().acquire()) {
                return NOT_SENT;
            }
            try {
                // Someone else may have reaped the child (a wait() in native code): the pidfd says so
                // (ESRCH once the task is released), and the pid may then be free for reuse already.
                if (LinuxNative.pidfd4j_send_signal(reaper.pidfd().fd(), 0) != 0) {
                    return NOT_SENT;
                }
                return LinuxNative.pidfd4j_kill_group(reaper.pid(), sig) == 0 ? SENT : NOT_SENT;
            } finally {
                reaper.pidfd().release();
            }
        }
    }

    /** Whether the kernel has PIDFD_SIGNAL_PROCESS_GROUP (6.9); probed on the first group signal only. */
    static boolean pidfdFlagSupported() {
        return GroupFlagProbe.SUPPORTED;
    }

    // A holder: probed once, when a group is first signalled, never at start-up.
    private static final class GroupFlagProbe {
        static final boolean SUPPORTED = probe();

        /**
         * Signal 0 (nothing is delivered) through the JVM's own pidfd to the group whose id is the JVM's
         * pid: ESRCH where the JVM leads no group, 0 where it does; a kernel before 6.9 rejects the
         * flag first, with EINVAL (a seccomp filter may say ENOSYS or EPERM: unusable too).
         */
        private static boolean probe() {
            int fd = LinuxNative.pidfd4j_pidfd_open((int) ProcessHandle.current().pid());
            int err = fd < 0 ? -fd : LinuxNative.pidfd4j_send_group_signal(fd, 0);
            if (fd >= 0) {
                LinuxNative.pidfd4j_close(fd);
            }
            boolean supported = err == 0 || err == LinuxNative.ESRCH;
            Log.logger().log(Level.DEBUG, supported ? "pidfd4j: group signals go through pidfd_send_signal"
                    + "(PIDFD_SIGNAL_PROCESS_GROUP)" : "pidfd4j: no PIDFD_SIGNAL_PROCESS_GROUP (" + Pidfd.describe(err)
                    + "): group signals use kill(-pgid) while the leader is unreaped");
            return supported;
        }
    }
}
