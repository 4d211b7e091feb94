package io.github.pidfd4j.linux;

import java.io.FileDescriptor;
import java.nio.charset.Charset;

/**
 * Every native entry point of pidfd4j, bound by JNI to the bundled {@code libpidfd4j.so} (see
 * {@code src/main/c/pidfd4j.c}, whose {@code JNI_OnLoad} registers them). Functions return an errno
 * value, or {@code -errno} where a descriptor is returned, and never depend on the caller's errno.
 *
 * <p>The library is loaded once, by absolute path, from a directory that only this JVM's user can
 * write ({@link NativeLibraryLoader}); never through the system's library search, so a stale or
 * planted copy elsewhere cannot be picked up. Its ABI version is checked too.
 *
 * <p>What pidfd4j uses of the kernel, and what it does without it (the same table heads pidfd4j.c):
 * <table>
 * <caption>Kernel features</caption>
 * <tr><th>feature</th><th>Linux</th><th>without it</th></tr>
 * <tr><td>pidfd_send_signal</td><td>5.1</td><td>no pidfd provider (the probe fails): the JDK spawns</td></tr>
 * <tr><td>clone(CLONE_PIDFD)</td><td>5.2</td><td>{@code SpawnPath.CLONE_THEN_PIDFD_OPEN} (also where seccomp
 *     refuses it, and clone3 too)</td></tr>
 * <tr><td>pidfd_open, poll on a pidfd</td><td>5.3</td><td>no pidfd provider: the JDK spawns</td></tr>
 * <tr><td>clone3</td><td>5.3</td><td>{@code SpawnPath.CLONE_PIDFD} (also where seccomp refuses it, as
 *     Docker's default profile does with ENOSYS, and on architectures other than x86_64 and aarch64)</td></tr>
 * <tr><td>waitid(P_PIDFD)</td><td>5.4</td><td>no pidfd provider: the JDK spawns (so 5.4 is the minimum)</td></tr>
 * <tr><td>close_range</td><td>5.9</td><td>the child walks /proc/self/fd instead</td></tr>
 * <tr><td>PIDFD_SIGNAL_PROCESS_GROUP</td><td>6.9</td><td>a group signal is kill(-pgid) under the reap lock, only
 *     while the group's leader is unreaped ({@link GroupSignal})</td></tr>
 * <tr><td>EPOLLHUP on a pidfd at the reap</td><td>6.9</td><td>onExit() of a non-child re-checks, 10 ms
 *     doubling to 1 s ({@link ForeignExit})</td></tr>
 * <tr><td>PIDFD_GET_INFO</td><td>6.13</td><td>nothing: used only to read PIDFD_INFO_EXIT</td></tr>
 * <tr><td>PIDFD_INFO_EXIT</td><td>6.15</td><td>a child reaped by someone else reports exit value 0 (the
 *     probe tells which: {@link Pidfd#exitStatusKept()})</td></tr>
 * <tr><td>clone3(CLONE_INTO_CGROUP)</td><td>5.7</td><td>a spawn with a cgroup option fails with an
 *     IOException that names it ({@link CgroupPlacement})</td></tr>
 * <tr><td>cgroup.kill</td><td>5.14</td><td>{@code ProcessTree.destroyCgroupForcibly} fails with an
 *     UnsupportedOperationException that names it</td></tr>
 * <tr><td>CLONE_AUTOREAP, CLONE_PIDFD_AUTOKILL</td><td>7.1</td><td>clone3 flags, probed on first use only
 *     ({@link Pidfd#autoreapSupported()}, {@link Pidfd#autokillSupported()}): without them children are
 *     reaped through waitid (autoreap is off by default, {@code -Dpidfd4j.autoreap=true}), and
 *     kill-on-parent-death uses PR_SET_PDEATHSIG</td></tr>
 * </table>
 */
final class LinuxNative {

    /** Must equal PIDFD4J_ABI_VERSION in pidfd4j.c. */
    static final int ABI_VERSION = 10;

    // Spawn paths and failure stages, the same values as in pidfd4j.c.
    static final int PATH_CLONE_PIDFD = 1;
    static final int PATH_CLONE_THEN_PIDFD_OPEN = 2;
    static final int PATH_CLONE3 = 3;
    // Spawn flags (the SpawnBlock's flags word), the same values as in pidfd4j.c; any other bit is EINVAL.
    /** PR_SET_PDEATHSIG(SIGKILL) in the child, then a check that the JVM did not die before it was armed. */
    static final int SPAWN_KILL_ON_PARENT_DEATH = 1;
    /** clone3 CLONE_AUTOREAP (Linux 7.1): no zombie, no wait() sees the child. EINVAL off the clone3 path. */
    static final int SPAWN_AUTOREAP = 2;
    /**
     * clone3 CLONE_PIDFD_AUTOKILL (Linux 7.1): SIGKILL when the pidfd is closed. It needs and implies
     * SPAWN_AUTOREAP; without CAP_SYS_ADMIN the kernel answers EPERM (pidfd4j never adds CLONE_NNP,
     * which would defeat setuid programs). EINVAL off the clone3 path.
     */
    static final int SPAWN_AUTOKILL = 4;
    /** setpgid(0, 0) in the child before exec: it leads a new process group (any kernel, every path). */
    static final int SPAWN_NEW_PROCESS_GROUP = 8;
    /** setsid() in the child before exec: it leads a new session, and so a new process group too. */
    static final int SPAWN_NEW_SESSION = 16;
    /**
     * clone3 CLONE_INTO_CGROUP (Linux 5.7): the child is born in the cgroup v2 whose O_PATH directory
     * descriptor the SpawnBlock's cgroup word holds. EINVAL off the clone3 path.
     */
    static final int SPAWN_INTO_CGROUP = 32;

    static final int STAGE_CLONE = 1;
    static final int STAGE_PIDFD_OPEN = 2;
    static final int STAGE_FDS = 3;
    static final int STAGE_CHDIR = 4;
    static final int STAGE_EXEC = 5;
    static final int STAGE_STACK = 6;
    static final int STAGE_SEND_SIGNAL = 7;  // the probe only
    static final int STAGE_WAITID = 8;       // the probe only
    static final int STAGE_EXIT_INFO = 9;    // the probe only: an autoreaped child's status
    static final int STAGE_SETSID = 10;      // the child's setsid() (SPAWN_NEW_SESSION)
    static final int STAGE_SETPGID = 11;     // the child's setpgid(0, 0) (SPAWN_NEW_PROCESS_GROUP)
    static final int STAGE_PROBE_CHILD = 12; // the probe only: its child did not exit with PROBE_CHILD_EXIT
    /** The exit code of a probe child that ran to its end (pidfd4j.c's PROBE_CHILD_EXIT). */
    static final int PROBE_CHILD_EXIT = 97;

    // Linux constants, the same on every architecture.
    static final int WNOHANG = 1;
    static final int WEXITED = 4;
    static final int CLD_KILLED = 2;
    static final int CLD_DUMPED = 3;
    static final int EPOLLIN = 1;
    static final int EPOLLPRI = 2;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CTL_MOD = 3;
    static final int SIGKILL = 9;
    static final int SIGTERM = 15;
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int ESRCH = 3;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int E2BIG = 7;
    static final int EBADF = 9;
    static final int ECHILD = 10;
    static final int EINVAL = 22;
    static final int ENODATA = 61;
    static final int ENOSYS = 38;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int ENOTDIR = 20;

    private static final Throwable UNAVAILABILITY_CAUSE = load();

    private LinuxNative() {
    }

    static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    private static Throwable load() {
        try {
            NativeLibraryLoader.load(LinuxNative.class);
            int abi = pidfd4j_abi_version();
            if (abi != ABI_VERSION) {
                return new UnsatisfiedLinkError("libpidfd4j.so has ABI version " + abi + ", expected " + ABI_VERSION);
            }
            return null;
        } catch (Throwable t) {  // UnsatisfiedLinkError, no private directory, a noexec file system...
            return t;
        }
    }

    /**
     * strerror(3) text for an errno value, in the C library's locale, decoded as the JDK decodes the
     * texts of its own exceptions (JNU_NewStringPlatform: sun.jnu.encoding).
     */
    static String strerror(int errno) {
        return new String(pidfd4j_strerror(errno), JNU_CHARSET);
    }

    private static final Charset JNU_CHARSET = jnuCharset();

    private static Charset jnuCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding"));
        } catch (RuntimeException e) {  // unset or unsupported: what the JDK falls back to
            return Charset.defaultCharset();
        }
    }

    /** The descriptor number inside a {@link FileDescriptor}. */
    static int fdGet(FileDescriptor fd) {
        return pidfd4j_fd_get(fd);
    }

    /** A new {@link FileDescriptor} that owns this descriptor number. */
    static FileDescriptor fdNew(int fd) {
        FileDescriptor fdo = new FileDescriptor();
        pidfd4j_fd_set(fdo, fd);
        return fdo;
    }

    /** Makes an (invalid, placeholder) {@link FileDescriptor} own this descriptor number. */
    static void fdSet(FileDescriptor fdo, int fd) {
        pidfd4j_fd_set(fdo, fd);
    }

    static native int pidfd4j_abi_version();

    /**
     * Spawns and reaps one child through the path with the clone flags (SPAWN_AUTOREAP, SPAWN_AUTOKILL;
     * SPAWN_KILL_ON_PARENT_DEATH is EINVAL here). 0 or an errno; out (length 2): [0] 1 if
     * PIDFD_INFO_EXIT kept the child's status after the reap, [1] the STAGE_* that failed.
     */
    static native int pidfd4j_probe(int path, int flags, int[] out);

    /**
     * The block is a {@link PidfdLauncher} SpawnBlock (it carries the SPAWN_* flags); out: pid, pidfd,
     * stage, errno. 0 or -1.
     */
    static native int pidfd4j_spawn(int path, byte[] block, int redirectErr, int[] out);

    static native int pidfd4j_waitid(int pidfd, int options, int[] info, long[] usage);

    static native int pidfd4j_exit_status(int pidfd, int[] status);

    static native int pidfd4j_send_signal(int pidfd, int sig);

    /**
     * pidfd_send_signal with PIDFD_SIGNAL_PROCESS_GROUP (Linux 6.9): every member of the process group
     * whose id is the pidfd's pid. 0 or an errno; EINVAL on older kernels.
     */
    static native int pidfd4j_send_group_signal(int pidfd, int sig);

    /** kill(-pgid, sig); 0 or an errno (EINVAL for pgid 0 and 1, which would not mean one group). */
    static native int pidfd4j_kill_group(int pgid, int sig);

    static native int pidfd4j_poll(int pidfd, int timeoutMillis);

    static native int pidfd4j_pidfd_open(int pid);

    /** fcntl(F_DUPFD_CLOEXEC): a new close-on-exec descriptor for the same open file, or -errno. */
    static native int pidfd4j_dup_cloexec(int fd);

    static native int pidfd4j_pipe(int[] fds);

    /**
     * open(2) of a NUL-terminated path, close-on-exec from birth: {@code O_PATH | O_DIRECTORY} when
     * {@code directory} is 1 (a cgroup for CLONE_INTO_CGROUP), else {@code O_RDONLY}. The fd or -errno.
     */
    static native int pidfd4j_open(byte[] path, int directory);

    /** 1 or 0 as the cgroup.events file open on fd says "populated", or -errno; re-arms its EPOLLPRI. */
    static native int pidfd4j_cgroup_populated(int fd);

    /** rmdir(2) of a NUL-terminated path: 0 or an errno (EBUSY: a cgroup still populated). */
    static native int pidfd4j_rmdir(byte[] path);

    static native int pidfd4j_close(int fd);

    static native int pidfd4j_epoll_create();

    static native int pidfd4j_epoll_ctl(int epfd, int op, int fd, int events, long data);

    /** Fills data with the data words of ready entries (at most 64); their count or -errno. */
    static native int pidfd4j_epoll_wait(int epfd, long[] data, int timeoutMillis);

    static native byte[] pidfd4j_strerror(int errno);

    static native void pidfd4j_sigchld_default();

    private static native int pidfd4j_fd_get(FileDescriptor fd);

    private static native void pidfd4j_fd_set(FileDescriptor fd, int value);
}
