package io.github.pidfd4j.linux;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reference-counted pidfd. The owner's reference is dropped once the process is reaped; anyone
 * who signals the process holds a reference meanwhile. The descriptor is closed when the last one
 * goes, so a signal can never reach a recycled descriptor number (Go issue 67641).
 */
final class PidfdHandle {

    private final int fd;
    private final AtomicInteger refs = new AtomicInteger(1);

    PidfdHandle(int fd) {
        this.fd = fd;
    }

    int fd() {
        return fd;
    }

    /** Takes a reference; false once the descriptor is closed or about to be. */
    boolean acquire() {
        for (int r = refs.get(); r > 0; r = refs.get()) {
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
        return false;
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            LinuxNative.pidfd4j_close(fd);
        }
    }

    /**
     * Sends a signal through the descriptor. Returns 0 or an errno: ESRCH once the process is
     * reaped, EBADF once the descriptor is gone.
     */
    int signal(int sig) {
        if (!acquire()) {
            return LinuxNative.EBADF;
        }
        try {
            return LinuxNative.pidfd4j_send_signal(fd, sig);
        } finally {
            release();
        }
    }

    /**
     * Sends a signal to the process group whose id is the process's pid, through the descriptor
     * (PIDFD_SIGNAL_PROCESS_GROUP, Linux 6.9+). Returns 0 or an errno: EBADF once the descriptor is
     * gone, ESRCH when the group has no member left, EINVAL on older kernels.
     */
    int signalGroup(int sig) {
        if (!acquire()) {
            return LinuxNative.EBADF;
        }
        try {
            return LinuxNative.pidfd4j_send_group_signal(fd, sig);
        } finally {
            release();
        }
    }

    @Override
    public String toString() {
        return "pidfd " + fd;
    }
}
