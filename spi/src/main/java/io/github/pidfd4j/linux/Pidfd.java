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
 * and move on to {@link SpawnPath#CLONE_THEN_PIDFD_OPEN}; when that fails too, the provider is
 * unavailable, and the cause names the step that failed on each path. (Which kernel brings what:
 * the table in {@link LinuxNative}.)
 *
 * <p>{@value #SPAWN_PATH_PROPERTY} forces a path, for tests and for working around a broken
 * environment: {@code clone-pidfd} or {@code clone-then-pidfd-open}, the {@link SpawnPath} names in
 * lower case ({@code pidfd-open}, the old name of the second, is still accepted).
 */
final class Pidfd {

    static final String SPAWN_PATH_PROPERTY = "pidfd4j.spawnPath";
    /** The property's old value for CLONE_THEN_PIDFD_OPEN, from before it was named after the SpawnPath. */
    private static final String OLD_CLONE_THEN_PIDFD_OPEN = "pidfd-open";

    private static final SpawnPath PATH;
    private static final Throwable CAUSE;
    /** The kernel keeps a reaped child's status for its pidfd (PIDFD_INFO_EXIT, 6.15+), as the probe child showed. */
    private static final boolean EXIT_STATUS_KEPT;

    static {
        SpawnPath path = SpawnPath.NONE;
        Probe used = null;
        Throwable cause = LinuxNative.unavailabilityCause();
        if (cause == null) {
            String value = System.getProperty(SPAWN_PATH_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
            SpawnPath forced = forcedPath(value);
            Probe clone = forced == SpawnPath.CLONE_THEN_PIDFD_OPEN ? null : probe(SpawnPath.CLONE_PIDFD);
            Probe open = null;
            if (clone != null && clone.succeeded()) {
                path = SpawnPath.CLONE_PIDFD;
                used = clone;
            } else if (forced != SpawnPath.CLONE_PIDFD
                    && (open = probe(SpawnPath.CLONE_THEN_PIDFD_OPEN)).succeeded()) {
                path = SpawnPath.CLONE_THEN_PIDFD_OPEN;
                used = open;
                if (clone != null) {
                    Log.logger().log(Level.DEBUG, "pidfd4j: {0}; using {1}", clone.failure(), path);
                }
            } else {
                cause = new UnsupportedOperationException("pidfds are unusable here: "
                        + SpawnPath.CLONE_PIDFD + ": " + (clone == null ? "not tried" : clone.failure()) + "; "
                        + SpawnPath.CLONE_THEN_PIDFD_OPEN + ": " + (open == null ? "not tried" : open.failure())
                        + (forced == null ? "" : " (-D" + SPAWN_PATH_PROPERTY + "=" + value + ")"));
            }
            if (cause == null) {
                LinuxNative.pidfd4j_sigchld_default();  // as the JDK's ProcessImpl.init() does
            }
        }
        PATH = path;
        CAUSE = cause;
        EXIT_STATUS_KEPT = used != null && used.exitStatusKept();
    }

    private Pidfd() {
    }

    /** The path the property forces, or null (unset, or unknown: then a warning says so). */
    private static SpawnPath forcedPath(String value) {
        if (value.isEmpty()) {
            return null;
        }
        if (value.equals(OLD_CLONE_THEN_PIDFD_OPEN)) {
            // DEBUG, not WARNING: it still works, and a warning would reach the stderr of every
            // application run with it (the agent passes the value through unchanged).
            Log.logger().log(Level.DEBUG, "pidfd4j: -D{0}={1} is the old name of {2}", SPAWN_PATH_PROPERTY, value,
                    propertyValue(SpawnPath.CLONE_THEN_PIDFD_OPEN));
            return SpawnPath.CLONE_THEN_PIDFD_OPEN;
        }
        for (SpawnPath p : new SpawnPath[] {SpawnPath.CLONE_PIDFD, SpawnPath.CLONE_THEN_PIDFD_OPEN}) {
            if (value.equals(propertyValue(p))) {
                return p;
            }
        }
        Log.logger().log(Level.WARNING, "pidfd4j: ignoring -D{0}={1}: expected {2} or {3}", SPAWN_PATH_PROPERTY, value,
                propertyValue(SpawnPath.CLONE_PIDFD), propertyValue(SpawnPath.CLONE_THEN_PIDFD_OPEN));
        return null;
    }

    /** The property's value for a path: its name in lower case, with '-' for '_'. */
    static String propertyValue(SpawnPath path) {
        return path.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** What probing one path found: 0 or an errno, the step that failed, whether the status was kept. */
    record Probe(SpawnPath path, int err, int stage, boolean exitStatusKept) {

        boolean succeeded() {
            return err == 0;
        }

        /** Which step failed and how, e.g. "clone(CLONE_PIDFD) failed with errno 1 (Operation not permitted)". */
        String failure() {
            return step() + " failed with " + describe(err);
        }

        private String step() {
            switch (stage) {
                case LinuxNative.STAGE_STACK:
                    return "mmap of the child's stack";
                case LinuxNative.STAGE_CLONE:
                    return path == SpawnPath.CLONE_PIDFD ? "clone(CLONE_PIDFD)" : "clone(CLONE_FILES)";
                case LinuxNative.STAGE_PIDFD_OPEN:
                    return "pidfd_open in the child";
                case LinuxNative.STAGE_SEND_SIGNAL:
                    return "pidfd_send_signal";
                case LinuxNative.STAGE_WAITID:
                    return "waitid(P_PIDFD)";
                default:
                    return "the probe child (stage " + stage + ")";
            }
        }
    }

    /** Probes a path; a refusal that may be transient (EAGAIN, ENOMEM...) gets a second try. */
    static Probe probe(SpawnPath path) {
        Probe p = probeOnce(path);
        return p.succeeded() || isUnsupported(p.err()) ? p : probeOnce(path);
    }

    private static Probe probeOnce(SpawnPath path) {
        int[] out = new int[2];  // exit status kept, stage
        int err = LinuxNative.pidfd4j_probe(nativePath(path), 0, out);
        return new Probe(path, err, out[1], out[0] == 1);
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
        return path == SpawnPath.CLONE_PIDFD ? LinuxNative.PATH_CLONE_PIDFD : LinuxNative.PATH_CLONE_THEN_PIDFD_OPEN;
    }

    static void ensureAvailable() {
        if (CAUSE != null) {
            throw new IllegalStateException("the pidfd process provider is unavailable: " + CAUSE, CAUSE);
        }
    }
}
