package io.github.pidfd4j.linux;

import io.github.pidfd4j.SpawnPath;
import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * The once-only capability check: which {@link SpawnPath} this JVM uses, or why pidfds are unusable.
 *
 * <p>Like Go's {@code checkPidfd}, it spawns and reaps one real child through each path rather than
 * trusting the kernel version: a seccomp filter, a container runtime or qemu-user may refuse what the
 * kernel supports. ENOSYS, EPERM, EINVAL and E2BIG from {@code CLONE_PIDFD} mean "unsupported here"
 * and move on to {@code pidfd_open}; when that fails too, the provider is unavailable.
 *
 * <p>{@value #SPAWN_PATH_PROPERTY} ({@code clone-pidfd} or {@code pidfd-open}) forces a path, for
 * tests and for working around a broken environment.
 */
final class Pidfd {

    static final String SPAWN_PATH_PROPERTY = "pidfd4j.spawnPath";

    /** Looked up only to log: the first System.getLogger bootstraps the JDK's logging (~30 ms). */
    private static System.Logger log() {
        return System.getLogger("io.github.pidfd4j");
    }

    private static final SpawnPath PATH;
    private static final Throwable CAUSE;
    /** The kernel keeps a reaped child's status for its pidfd (PIDFD_INFO_EXIT, 6.15+), as the probe child showed. */
    private static final boolean EXIT_STATUS_KEPT;

    static {
        SpawnPath path = SpawnPath.NONE;
        int[] features = new int[1];
        Throwable cause = LinuxNative.unavailabilityCause();
        if (cause == null) {
            String forced = System.getProperty(SPAWN_PATH_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
            if (!forced.isEmpty() && !forced.equals("clone-pidfd") && !forced.equals("pidfd-open")) {
                log().log(Level.WARNING, "pidfd4j: ignoring -D{0}={1}: expected clone-pidfd or pidfd-open",
                        SPAWN_PATH_PROPERTY, forced);
                forced = "";
            }
            int cloneErr = forced.equals("pidfd-open") ? -1 : probe(LinuxNative.PATH_CLONE_PIDFD, features);
            int openErr = -1;
            if (cloneErr == 0) {
                path = SpawnPath.CLONE_PIDFD;
            } else if (!forced.equals("clone-pidfd") && (openErr = probe(LinuxNative.PATH_PIDFD_OPEN, features)) == 0) {
                path = SpawnPath.CLONE_THEN_PIDFD_OPEN;
                if (cloneErr > 0) {
                    log().log(Level.DEBUG, "pidfd4j: clone(CLONE_PIDFD) refused ({0}); using clone + pidfd_open",
                            describe(cloneErr));
                }
            } else {
                cause = new UnsupportedOperationException("pidfds are unusable here: clone(CLONE_PIDFD) "
                        + (cloneErr < 0 ? "not tried" : "failed with " + describe(cloneErr))
                        + ", clone + pidfd_open " + (openErr < 0 ? "not tried" : "failed with " + describe(openErr))
                        + (forced.isEmpty() ? "" : " (-D" + SPAWN_PATH_PROPERTY + "=" + forced + ")"));
            }
            if (cause == null) {
                LinuxNative.pidfd4j_sigchld_default();  // as the JDK's ProcessImpl.init() does
            }
        }
        PATH = path;
        CAUSE = cause;
        EXIT_STATUS_KEPT = cause == null && features[0] == 1;
    }

    private Pidfd() {
    }

    /**
     * Probes a path; a refusal that may be transient (EAGAIN, ENOMEM...) gets a second try.
     * features[0] tells whether the kernel kept the reaped probe child's status (see exitStatusKept).
     */
    static int probe(int path, int[] features) {
        int err = LinuxNative.pidfd4j_probe(path, features);
        if (err != 0 && !isUnsupported(err)) {
            err = LinuxNative.pidfd4j_probe(path, features);
        }
        return err;
    }

    private static boolean isUnsupported(int err) {
        return err == LinuxNative.ENOSYS || err == LinuxNative.EPERM || err == LinuxNative.EINVAL || err == LinuxNative.E2BIG;
    }

    static String describe(int err) {
        return "errno " + err + " (" + LinuxNative.strerror(err) + ")";
    }

    static boolean isAvailable() {
        return CAUSE == null;
    }

    static Throwable unavailabilityCause() {
        return CAUSE;
    }

    /**
     * Whether a pidfd still tells its child's status after someone else reaped it (Linux 6.15+). The
     * kernel records it as the reaper releases the task, a moment after waitid on our side already
     * fails with ECHILD; knowing it will come, the caller waits for it instead of reporting 0.
     */
    static boolean exitStatusKept() {
        return EXIT_STATUS_KEPT;
    }

    static SpawnPath spawnPath() {
        return PATH;
    }

    /** The native path code for {@link LinuxNative#pidfd4j_spawn}. */
    static int nativePath() {
        return nativePath(PATH);
    }

    static int nativePath(SpawnPath path) {
        return path == SpawnPath.CLONE_PIDFD ? LinuxNative.PATH_CLONE_PIDFD : LinuxNative.PATH_PIDFD_OPEN;
    }

    static void ensureAvailable() {
        if (CAUSE != null) {
            throw new IllegalStateException("the pidfd process provider is unavailable: " + CAUSE, CAUSE);
        }
    }
}
