package io.github.pidfd4j.linux;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cgroup pidfd4j created for one child ({@code SpawnOptions.withNewCgroup}) and removes once it is
 * empty: at the child's reap if nothing else is left in it, else when its {@code cgroup.events} says
 * "populated 0" ({@link Watch}, on the watcher thread, which only reads that file and calls rmdir).
 * Until then it can be killed as a whole ({@link #kill()}) or sent SIGTERM member by member
 * ({@link #terminate()}), even after the child itself has exited.
 */
final class ChildCgroup {

    /** Unique names within this JVM; the JVM's pid keeps them apart from other JVMs'. */
    private static final AtomicLong COUNTER = new AtomicLong();

    private final Path directory;
    private final byte[] directoryBytes;  // NUL-terminated, for the native open and rmdir
    /** Set once the directory has been removed, by pidfd4j or by someone else: nothing to kill any more. */
    private volatile boolean removed;

    private ChildCgroup(Path directory) {
        this.directory = directory;
        this.directoryBytes = nulTerminated(directory);
    }

    /**
     * Creates {@code parent/pidfd4j-<jvm pid>-<n>} (mode 0755). IOException naming the directory when the
     * JVM may not (EACCES: {@code parent} is not this user's to write), or {@code parent} is missing.
     */
    static ChildCgroup create(Path parent) throws IOException {
        while (true) {
            Path dir = parent.resolve("pidfd4j-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
            try {
                Files.createDirectory(dir);  // cgroupfs ignores the umask-reduced mode; 0755 is its default
                return new ChildCgroup(dir);
            } catch (FileAlreadyExistsException e) {
                continue;  // left behind by an earlier JVM with this pid: take the next number
            } catch (AccessDeniedException e) {
                throw new IOException("cannot create a cgroup under " + parent + ": permission denied"
                        + " (the directory is not writable by this JVM)", e);
            } catch (NoSuchFileException e) {
                throw new IOException("cannot create a cgroup under " + parent + ": no such directory", e);
            } catch (IOException e) {
                throw new IOException("cannot create a cgroup under " + parent + ": " + e, e);
            }
        }
    }

    Path directory() {
        return directory;
    }

    byte[] directoryBytes() {
        return directoryBytes;
    }

    static byte[] nulTerminated(Path p) {
        byte[] s = p.toString().getBytes(PidfdLauncher.CHARSET);
        byte[] b = new byte[s.length + 1];
        System.arraycopy(s, 0, b, 0, s.length);
        return b;
    }

    /** Whether pidfd4j still owns the directory (it has not been removed). */
    boolean exists() {
        return !removed;
    }

    /**
     * SIGKILL to every process in the cgroup and every cgroup below it, through {@code cgroup.kill}
     * (Linux 5.14): however often they forked, no pid read. False when the cgroup is gone already
     * (every process in it had exited).
     *
     * @throws UnsupportedOperationException when the kernel has no {@code cgroup.kill}
     */
    boolean kill() throws IOException {
        return Privileged.run(this::killNow);  // pidfd4j's own files, as the launcher's work (JDK 17 SecurityManager)
    }

    private Boolean killNow() throws IOException {
        if (removed) {
            return false;
        }
        try {
            Files.write(directory.resolve("cgroup.kill"), new byte[] {'1'});
            return true;
        } catch (NoSuchFileException e) {
            if (removed || !Files.isDirectory(directory)) {
                return false;  // removed meanwhile: it was empty
            }
            throw new UnsupportedOperationException("cannot kill the processes of " + directory
                    + ": this kernel has no cgroup.kill (Linux 5.14)", e);
        }
    }

    /**
     * SIGTERM to every process in the cgroup (not the cgroups below it), each through a pidfd, so that no
     * recycled pid is hit: a pid is opened, then looked up in {@code cgroup.procs} again; if it is still
     * listed, the opened process is the one listed (a live process keeps its pid), and if it is not, the
     * signal finds an exited process (ESRCH) or is not sent. Processes forked meanwhile are missed; only
     * {@link #kill()} reaches every one. False when the cgroup is gone already.
     */
    boolean terminate() throws IOException {
        return terminate(0);
    }

    /**
     * The same, but not to {@code skip} (a pid, or 0): the child, which destroy() signalled through its
     * own pidfd already. The caller passes it only while pidfd4j has not reaped the child, so the pid is
     * still the child's.
     */
    boolean terminate(int skip) throws IOException {
        return Privileged.run(() -> terminateNow(skip));
    }

    private Boolean terminateNow(int skip) throws IOException {
        if (removed) {
            return false;
        }
        List<Long> before = procs();
        if (before == null) {
            return false;
        }
        List<int[]> opened = new ArrayList<>();  // pid, pidfd
        try {
            for (long pid : before) {
                if (pid == skip) {
                    continue;
                }
                int fd = LinuxNative.pidfd4j_pidfd_open((int) pid);
                if (fd >= 0) {
                    opened.add(new int[] {(int) pid, fd});
                }
            }
            List<Long> after = procs();
            if (after == null) {
                return false;
            }
            for (int[] p : opened) {
                if (after.contains((long) p[0])) {
                    LinuxNative.pidfd4j_send_signal(p[1], LinuxNative.SIGTERM);  // ESRCH: exited meanwhile
                }
            }
            return true;
        } finally {
            for (int[] p : opened) {
                LinuxNative.pidfd4j_close(p[1]);
            }
        }
    }

    /** The pids in cgroup.procs, or null when the cgroup is gone. */
    private List<Long> procs() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(directory.resolve("cgroup.procs"), StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return null;
        }
        List<Long> pids = new ArrayList<>(lines.size());
        for (String line : lines) {
            if (!line.isEmpty()) {
                pids.add(Long.parseLong(line.trim()));
            }
        }
        return pids;
    }

    /**
     * The child was reaped: removes the cgroup if nothing is left in it, else watches it until it is
     * empty. Runs where the reap happens (often the watcher thread): a few syscalls, no waiting.
     */
    void childReaped() {
        int err = rmdir();
        if (err != LinuxNative.EBUSY) {
            return;  // removed, or cannot be (said by rmdir)
        }
        // Still populated (a descendant lives, or the child's exit is not yet accounted): follow
        // cgroup.events. Opened before the populated read, which sets the baseline a later change
        // is reported against (EPOLLPRI), so no change between the read and the registration is missed.
        byte[] events = nulTerminated(directory.resolve("cgroup.events"));
        int fd = LinuxNative.pidfd4j_open(events, 0);
        if (fd < 0) {
            Log.logger().log(Level.DEBUG, "pidfd4j: cannot follow {0} ({1}); it is left behind",
                    directory, LinuxNative.strerror(-fd));
            return;
        }
        if (LinuxNative.pidfd4j_cgroup_populated(fd) != 1) {  // emptied meanwhile, or gone
            LinuxNative.pidfd4j_close(fd);
            removeEmpty();
            return;
        }
        // No log line here: this usually runs on the watcher thread, and a System.Logger may be the
        // application's (its locks, its code); only failures are said there, as the watcher does.
        PidfdWatcher.get().watch(new Watch(this, new PidfdHandle(fd)));
    }

    /** rmdir(2) once cgroup.events said it is empty: EBUSY now means cgroups below it, which are not pidfd4j's. */
    private void removeEmpty() {
        if (rmdir() == LinuxNative.EBUSY) {
            Log.logger().log(Level.DEBUG, "pidfd4j: cannot remove {0}: it has cgroups below it; it is left behind",
                    directory);
        }
    }

    /** rmdir(2) of the directory: 0 or an errno; EBUSY while populated. Other failures are logged. */
    int rmdir() {
        int err = LinuxNative.pidfd4j_rmdir(directoryBytes);
        if (err == 0 || err == LinuxNative.ENOENT) {
            removed = true;
        } else if (err != LinuxNative.EBUSY) {
            Log.logger().log(Level.DEBUG, "pidfd4j: cannot remove {0} ({1}); it is left behind",
                    directory, LinuxNative.strerror(err));
        }
        return err;
    }

    @Override
    public String toString() {
        return directory.toString();
    }

    /**
     * Follows a reaped child's cgroup through its {@code cgroup.events} (kernfs raises EPOLLPRI when it
     * changes) and removes the cgroup once it says "populated 0". The watcher's refcounted descriptor
     * holds the events file here, not a pidfd.
     */
    static final class Watch extends PidfdWatcher.Watch {

        private final ChildCgroup cgroup;

        Watch(ChildCgroup cgroup, PidfdHandle events) {
            super(events);
            this.cgroup = cgroup;
        }

        @Override
        int events() {
            return LinuxNative.EPOLLPRI;  // EPOLLIN is always set on a kernfs file
        }

        /**
         * After a change that left processes in the cgroup the watcher disarms the watch this long; a change
         * meanwhile is not lost: the file reports EPOLLPRI until it is read again, so the re-arm (a
         * level-triggered EPOLL_CTL_MOD polls the file) finds it. Where
         * epoll refuses the watch, {@link PidfdWatcher#waitAlone} reads the file this often instead (it is
         * always readable), until the cgroup is empty.
         */
        @Override
        long retryNanos() {
            return 100_000_000;
        }

        @Override
        boolean onReadable() {
            int populated = LinuxNative.pidfd4j_cgroup_populated(pidfd.fd());  // also re-arms EPOLLPRI
            if (populated == 1) {
                return false;  // a change that left processes in it: look again on the next one
            }
            if (populated < 0) {  // ENODEV: removed by someone else
                cgroup.removed = true;
                return true;
            }
            cgroup.removeEmpty();
            return true;
        }

        @Override
        String describe() {
            return "cgroup " + cgroup;
        }
    }
}
