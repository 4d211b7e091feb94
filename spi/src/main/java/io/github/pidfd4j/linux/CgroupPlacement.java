package io.github.pidfd4j.linux;

import io.github.pidfd4j.SpawnPath;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Where a child is born (clone3 with CLONE_INTO_CGROUP, Linux 5.7): an existing cgroup v2 directory,
 * or a new one pidfd4j creates for that child under a parent ({@link ChildCgroup}). Checked before
 * anything is opened ({@link #of}), then for one spawn: {@link #open()} creates the cgroup and opens
 * its O_PATH descriptor, the spawn reads {@link #fd()}, and {@link #close()} closes it again; a spawn
 * that fails removes what {@link #open()} created ({@link #spawnFailed()}).
 */
final class CgroupPlacement implements AutoCloseable {

    private static final int LINUX_5_7 = 5007;

    private final Path directory;  // the cgroup itself, or the parent of a new one
    private final boolean newChild;
    private ChildCgroup created;
    private Path target;
    private int fd = -1;

    private CgroupPlacement(Path directory, boolean newChild) {
        this.directory = directory;
        this.newChild = newChild;
    }

    /**
     * The placement the options ask for ({@code cgroup} or {@code newCgroupParent}, at most one
     * non-null), or null for none.
     *
     * @throws IllegalArgumentException a relative directory, or one not on a cgroup v2 mount
     * @throws UnsupportedOperationException the spawn path is not clone3, or the kernel is older than 5.7
     */
    static CgroupPlacement of(Path cgroup, Path newCgroupParent, int nativePath) throws IOException {
        if (cgroup == null && newCgroupParent == null) {
            return null;
        }
        String option = cgroup != null ? "SpawnOptions.cgroup" : "SpawnOptions.newCgroup";
        Path given = cgroup != null ? cgroup : newCgroupParent;
        Path dir = Privileged.run(() -> Cgroups.checkOnV2Mount(given, option));  // reads /proc/self/mountinfo
        if (nativePath != LinuxNative.PATH_CLONE3) {
            // Only clone3 can place a child at its creation; a move after the start would let the child
            // (and whatever it forks first) run outside the cgroup for a while: never done silently.
            throw new UnsupportedOperationException(option + " needs clone3 with CLONE_INTO_CGROUP (Linux 5.7),"
                    + " and this JVM spawns through " + spawnPathName(nativePath) + " (" + SpawnPath.CLONE3_PIDFD
                    + " is " + clone3State() + ")");
        }
        int kernel = Cgroups.kernelVersion();
        if (kernel != 0 && kernel < LINUX_5_7) {
            throw new UnsupportedOperationException(option + " needs clone3 with CLONE_INTO_CGROUP (Linux 5.7);"
                    + " this kernel is " + System.getProperty("os.version"));
        }
        return new CgroupPlacement(dir, cgroup == null);
    }

    private static String spawnPathName(int nativePath) {
        return nativePath == LinuxNative.PATH_CLONE_PIDFD ? SpawnPath.CLONE_PIDFD.toString()
                : SpawnPath.CLONE_THEN_PIDFD_OPEN.toString();
    }

    private static String clone3State() {
        String forced = System.getProperty(Pidfd.SPAWN_PATH_PROPERTY);
        if (forced != null && !forced.isBlank()) {
            return "not used: -D" + Pidfd.SPAWN_PATH_PROPERTY + "=" + forced.trim();
        }
        return Pidfd.CLONE3_BY_DEFAULT ? "refused here (see the pidfd4j DEBUG log)"
                : "off on " + System.getProperty("os.arch") + " (untested)";
    }

    /** A new cgroup under {@code parent}, which {@link DestroyTree} has checked already. */
    static CgroupPlacement newChildUnder(Path parent) {
        return new CgroupPlacement(parent, true);
    }

    /** Whether the child gets a new cgroup of its own (else it goes into a given one). */
    boolean createsOne() {
        return newChild;
    }

    /** Creates the new cgroup (if asked) and opens the target's O_PATH descriptor. */
    void open() throws IOException {
        if (newChild) {
            created = ChildCgroup.create(directory);
            target = created.directory();
        } else {
            target = directory;
        }
        int r = LinuxNative.pidfd4j_open(ChildCgroup.nulTerminated(target), 1);
        if (r < 0) {
            spawnFailed();
            throw new IOException("cannot open the cgroup " + target + ": " + LinuxNative.strerror(-r));
        }
        fd = r;
    }

    /** The O_PATH descriptor of the cgroup the child is born in. */
    int fd() {
        return fd;
    }

    /** The cgroup pidfd4j created for this child, or null when the child goes into a given one. */
    ChildCgroup created() {
        return created;
    }

    /**
     * The clone3 failed: the IOException naming the cgroup (EACCES/EPERM: not writable by this JVM;
     * EBUSY: it has child cgroups with controllers enabled; ENODEV: removed; EOPNOTSUPP: threaded).
     */
    IOException cloneFailed(int errno) {  // declared IOException: Refused is loaded only when thrown
        String why = errno == LinuxNative.EACCES || errno == LinuxNative.EPERM
                ? " (this JVM may not write its cgroup.procs, or that of the nearest common ancestor with its own cgroup)"
                : errno == LinuxNative.EBUSY ? " (it has cgroups below it with controllers enabled)" : "";
        return new Refused("cannot start a process in the cgroup " + target + ": "
                + LinuxNative.strerror(errno) + why);
    }

    /** The kernel refused to create the child in the cgroup; nothing was started (DestroyTree falls back). */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** Nothing runs in the created cgroup (the spawn failed, the child was reaped): it goes again. */
    void spawnFailed() {
        if (created != null) {
            created.rmdir();
        }
    }

    @Override
    public void close() {
        if (fd >= 0) {
            LinuxNative.pidfd4j_close(fd);  // the child was born in it already: the cgroup needs no descriptor
            fd = -1;
        }
    }
}
