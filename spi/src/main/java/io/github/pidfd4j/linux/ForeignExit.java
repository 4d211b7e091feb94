package io.github.pidfd4j.linux;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exit notification for a process that is not a pidfd4j child: {@code pidfd_open} plus the same
 * watcher, in place of the JDK's sleep loop (300 ms growing to 5 s). The exit status of a non-child
 * is not ours to read, so, like the JDK, the value is 0.
 */
final class ForeignExit {

    /** One pidfd per watched pid, shared by every caller until the exit. */
    private static final Map<Long, CompletableFuture<Integer>> WATCHED = new ConcurrentHashMap<>();

    private ForeignExit() {
    }

    /**
     * A future completed with 0 when the process exits, already completed if it is gone, or null
     * when pidfds cannot watch it (EPERM, EMFILE...): the caller falls back. It completes on the
     * watcher thread: for callers that attach only async stages (see AgentSupport.completion).
     */
    static CompletableFuture<Integer> onExit(long pid) {
        if (!Pidfd.isAvailable() || pid <= 0 || pid > Integer.MAX_VALUE) {
            return null;
        }
        CompletableFuture<Integer> existing = WATCHED.get(pid);
        if (existing != null) {
            return existing.copy();
        }
        int fd = LinuxNative.pidfd4j_pidfd_open((int) pid);
        if (fd < 0) {
            return fd == -LinuxNative.ESRCH ? CompletableFuture.completedFuture(0) : null;
        }
        CompletableFuture<Integer> exited = new CompletableFuture<>();
        CompletableFuture<Integer> raced = WATCHED.putIfAbsent(pid, exited);
        if (raced != null) {
            LinuxNative.pidfd4j_close(fd);
            return raced.copy();
        }
        PidfdWatcher.get().watch(new PidfdWatcher.Watch(new PidfdHandle(fd)) {
            @Override
            boolean onReadable() {  // readable means exited: a pidfd reports nothing else
                WATCHED.remove(pid, exited);
                exited.complete(0);
                return true;
            }

            @Override
            void onRegistrationFailed(int errno) {
                WATCHED.remove(pid, exited);
                pidfd.release();
                exited.completeExceptionally(new IllegalStateException("cannot watch pid " + pid + ": "
                        + LinuxNative.strerror(errno)));
            }
        });
        return exited.copy();  // a copy: a caller completing or cancelling it cannot touch the others'

    }
}
