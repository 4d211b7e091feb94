package io.github.pidfd4j;

/** How a {@link ProcessProvider} creates child processes. */
public enum SpawnPath {

    /**
     * {@code clone3} with {@code CLONE_VM | CLONE_VFORK | CLONE_PIDFD}, exit signal 0 and the child on
     * its own stack: the same child as {@link #CLONE_PIDFD}, through the extensible syscall that the
     * options of newer kernels need (clone3 is Linux 5.3; the provider's minimum stays 5.4). The first
     * choice; where the kernel, the architecture (only x86_64 and aarch64 have the child's entry) or a
     * seccomp filter refuses clone3 (Docker's default profile answers ENOSYS), the probe falls back to
     * {@link #CLONE_PIDFD}. Forced with {@code -Dpidfd4j.spawnPath=clone3-pidfd}. On aarch64 the child's
     * entry is built but has not run in pidfd4j's tests yet, so there it is tried only when forced.
     */
    CLONE3_PIDFD,

    /**
     * {@code clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD)}: the process descriptor exists atomically
     * with the child, one exec per spawn (Linux 5.4+: CLONE_PIDFD is 5.2, reaping through the pidfd
     * with {@code waitid(P_PIDFD)} 5.4). The exit signal is 0 until the exec (which resets it to
     * SIGCHLD, as Linux does for every exec), so a child that fails to exec is invisible to any
     * other wait() in the JVM. Forced with {@code -Dpidfd4j.spawnPath=clone-pidfd}.
     */
    CLONE_PIDFD,

    /**
     * {@code clone(CLONE_VM | CLONE_VFORK | CLONE_FILES)}, and the child opens its own pidfd with
     * {@code pidfd_open} before it execs: used where the kernel or a seccomp filter refuses
     * {@code CLONE_PIDFD}. Race-free too: no one else can reap the child before it has its pidfd.
     * Linux 5.4+ as well; forced with {@code -Dpidfd4j.spawnPath=clone-then-pidfd-open}.
     */
    CLONE_THEN_PIDFD_OPEN,

    /** The JDK's own launch mechanism ({@code jdk.lang.Process.launchMechanism}, POSIX_SPAWN by default). */
    JDK,

    /** None: the provider is unavailable. */
    NONE
}
