package io.github.pidfd4j.linux;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

    /** Whether the parent of {@code pid} is this JVM, from /proc/{@code pid}/stat; false if unknown or gone. */
    static boolean isChildOfThisJvm(long pid) {
        byte[] head;
        try (FileInputStream in = new FileInputStream("/proc/" + pid + "/stat")) {
            head = in.readNBytes(512);  // "pid (comm) state ppid ...": comm is at most 64 bytes
        } catch (IOException | SecurityException e) {
            return false;
        }
        String stat = new String(head, StandardCharsets.ISO_8859_1);
        int end = stat.lastIndexOf(')');  // comm may contain spaces and parentheses, never past the last
        String[] fields = end < 0 ? new String[0] : stat.substring(end + 1).trim().split(" ", 3);
        try {
            // Not kept in a static: the agent initialises this class on its first spawn, and
            // ProcessHandle.current() would initialise the JDK's ProcessHandleImpl there (a thread
            // pool and two lambdas) for nothing; a caller of this has used ProcessHandle already.
            return fields.length >= 2 && Long.parseLong(fields[1]) == ProcessHandle.current().pid();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * A future completed with 0 when the process is gone (exited and reaped by its parent: until
     * then the JDK's handle says alive), already completed if it is gone, or null when no pidfd can
     * be opened for it (EPERM, EMFILE...): the caller falls back. It never completes before the
     * exit, not even exceptionally: where epoll refuses the pidfd, a thread of its own waits. It
     * completes on the watcher thread: for callers that attach only async stages (see
     * AgentSupport.completion).
     */
    static CompletableFuture<Integer> onExit(long pid) {
        return onExit(pid, PidfdWatcher.get());
    }

    /** The same, through the given watcher (a test's own). */
    static CompletableFuture<Integer> onExit(long pid, PidfdWatcher watcher) {
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
        PidfdWatcher.Watch watch = new NonChildWatch(new PidfdHandle(fd), pid) {
            @Override
            boolean onReadable() {
                if (!isReaped(pidfd)) {
                    return false;  // disarmed: the reap wakes it (EPOLLHUP, Linux 6.9+) or a retry
                }
                WATCHED.remove(pid, exited);
                exited.complete(0);
                return true;
            }
        };
        try {
            // Where epoll refuses the pidfd, a thread of its own waits (PidfdWatcher.waitAlone): never
            // an early completion, which the JDK's onExit() would report as the exit.
            watcher.watch(watch);
        } catch (Throwable e) {  // not even a thread: the caller falls back, and no one waits on this
            WATCHED.remove(pid, exited);
            watch.pidfd.release();
            throw e;
        }
        return exited.copy();  // a copy: a caller completing or cancelling it cannot touch the others'
    }
}
