package io.github.pidfd4j;

/** How a {@link ProcessProvider} creates child processes. */
public enum SpawnPath {

    /**
     * {@code clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD)} with exit signal 0: the process descriptor
     * exists atomically with the child, one exec per spawn, no SIGCHLD (Linux 5.4+).
     */
    CLONE_PIDFD,

    /**
     * {@code clone(CLONE_VM | CLONE_VFORK)} with exit signal 0, then {@code pidfd_open} on the
     * still-unreaped child: used where the kernel or a seccomp filter refuses {@code CLONE_PIDFD}.
     * Race-free, because no one else can reap a child whose exit signal is 0.
     */
    CLONE_THEN_PIDFD_OPEN,

    /** The JDK's own launch mechanism ({@code jdk.lang.Process.launchMechanism}, POSIX_SPAWN by default). */
    JDK,

    /** None: the provider is unavailable. */
    NONE
}
