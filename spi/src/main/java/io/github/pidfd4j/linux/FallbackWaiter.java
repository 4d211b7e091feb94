package io.github.pidfd4j.linux;

/**
 * Waits for one child on a thread of its own, for when epoll refuses its pidfd (ENOMEM, or ENOSPC
 * past fs.epoll.max_user_watches): slower than the watcher, but the child is still reaped and its
 * waiters still woken. The thread runs only pidfd4j's code and ends at the reap.
 */
final class FallbackWaiter {

    private FallbackWaiter() {
    }

    /** Starts the thread; it owns the watcher's reference to the pidfd from now on. */
    static void start(ChildReaper child) {
        Thread t = new Thread(null, () -> {
            do {
                LinuxNative.pidfd4j_poll(child.pidfd.fd(), -1);
            } while (!child.reapIfExited());
            child.pidfd.release();  // as the watcher does once a watch is done
        }, "pidfd4j-waiter (pid " + child.pid() + ")", 64 * 1024, false);
        t.setDaemon(true);
        t.setContextClassLoader(null);  // runs no user code, so it pins no class loader
        t.start();
    }
}
