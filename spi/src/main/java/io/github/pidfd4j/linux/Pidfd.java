package io.github.pidfd4j.linux;

import io.github.pidfd4j.SpawnPath;
import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * The once-only capability check: which {@link SpawnPath} this JVM uses, or why pidfds are unusable.
 *
 * <p>Like Go's {@code checkPidfd}, it spawns and reaps one real child through each path rather than
 * trusting the kernel version: a seccomp filter, a container runtime or qemu-user may refuse what the
 * kernel supports. The chain is {@link SpawnPath#CLONE3_PIDFD}, {@link SpawnPath#CLONE_PIDFD},
 * {@link SpawnPath#CLONE_THEN_PIDFD_OPEN}: every clone3 or clone errno in ENOSYS, EPERM, EINVAL and
 * E2BIG means "unsupported here" and moves on to the next (Docker's default profile answers clone3 with
 * ENOSYS, older ones with EPERM); when the last fails too, the provider is unavailable, and the cause
 * names the step that failed on each path. (Which kernel brings what: the table in {@link LinuxNative}.)
 *
 * <p>{@value #SPAWN_PATH_PROPERTY} forces a path, for tests and for working around a broken
 * environment: {@code clone3-pidfd}, {@code clone-pidfd} or {@code clone-then-pidfd-open}, the
 * {@link SpawnPath} names in lower case ({@code pidfd-open}, the old name of the last, is still accepted).
 *
 * <p>The clone3 flags of Linux 7.1 are probed only when first asked for ({@link #autoreapSupported()},
 * {@link #autokillSupported()}), never at start-up: no spawn needs them unless an option does.
 * {@value #AUTOREAP_PROPERTY}{@code =true} makes every clone3 spawn use CLONE_AUTOREAP where the kernel
 * has it (off by default: it could not be tested on the kernels pidfd4j was developed on).
 */
final class Pidfd {

    static final String SPAWN_PATH_PROPERTY = "pidfd4j.spawnPath";
    static final String AUTOREAP_PROPERTY = "pidfd4j.autoreap";
    /** The spawn paths in probe order. */
    private static final SpawnPath[] CHAIN = {SpawnPath.CLONE3_PIDFD, SpawnPath.CLONE_PIDFD, SpawnPath.CLONE_THEN_PIDFD_OPEN};
    /** The property's old value for CLONE_THEN_PIDFD_OPEN, from before it was named after the SpawnPath. */
    private static final String OLD_CLONE_THEN_PIDFD_OPEN = "pidfd-open";

    private static final SpawnPath PATH;
    private static final Throwable CAUSE;
    /** The kernel keeps a reaped child's status for its pidfd (PIDFD_INFO_EXIT, 6.15+), as the probe child showed. */
    private static final boolean EXIT_STATUS_KEPT;
    /**
     * Whether the clone3 tier is tried without being forced: only where its assembly entry has run in
     * the tests (x86_64). The aarch64 entry is built but has never run (no such machine to test on): off
     * there unless {@code -Dpidfd4j.spawnPath=clone3-pidfd} asks for it. A broken entry would crash the
     * child before it reports anything; the probe sees that (its child must end with its own exit code),
     * so such a tier fails the probe instead of every spawn, but what has never run stays off by default.
     */
    static final boolean CLONE3_BY_DEFAULT = "amd64".equals(System.getProperty("os.arch"));

    /** -Dpidfd4j.autoreap=true: clone3 spawns use CLONE_AUTOREAP where the kernel has it. */
    private static final boolean AUTOREAP_REQUESTED = Boolean.getBoolean(AUTOREAP_PROPERTY);

    static {
        SpawnPath path = SpawnPath.NONE;
        Probe used = null;
        Throwable cause = LinuxNative.unavailabilityCause();
        if (cause == null) {
            String value = System.getProperty(SPAWN_PATH_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
            SpawnPath forced = forcedPath(value);
            // Forced: that path only. Else each in turn until one works; every refusal of a path is
            // "unsupported here" (a transient one was retried), so the next is always worth a try.
            Probe[] probes = new Probe[CHAIN.length];
            for (int i = 0; i < CHAIN.length && used == null; i++) {
                if (forced == null ? CHAIN[i] != SpawnPath.CLONE3_PIDFD || CLONE3_BY_DEFAULT : forced == CHAIN[i]) {
                    probes[i] = probe(CHAIN[i]);
                    if (probes[i].succeeded()) {
                        used = probes[i];
                        path = CHAIN[i];
                    }
                }
            }
            StringBuilder failures = new StringBuilder();
            for (int i = 0; i < CHAIN.length; i++) {
                if (probes[i] != null && !probes[i].succeeded()) {
                    failures.append(failures.length() == 0 ? "" : "; ").append(CHAIN[i]).append(": ")
                            .append(probes[i].failure());
                } else if (probes[i] == null && used == null) {
                    failures.append(failures.length() == 0 ? "" : "; ").append(CHAIN[i]).append(
                            forced == null ? ": off on " + System.getProperty("os.arch") + " (untested)" : ": not tried");
                }
            }
            if (used == null) {
                cause = new UnsupportedOperationException("pidfds are unusable here: " + failures
                        + (forced == null ? "" : " (-D" + SPAWN_PATH_PROPERTY + "=" + value + ")"));
            } else if (failures.length() > 0) {
                Log.logger().log(Level.DEBUG, "pidfd4j: {0}; using {1}", failures, path);
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
        for (SpawnPath p : CHAIN) {
            if (value.equals(propertyValue(p))) {
                return p;
            }
        }
        Log.logger().log(Level.WARNING, "pidfd4j: ignoring -D{0}={1}: expected {2}, {3} or {4}", SPAWN_PATH_PROPERTY,
                value, propertyValue(CHAIN[0]), propertyValue(CHAIN[1]), propertyValue(CHAIN[2]));
        return null;
    }

    /** The property's value for a path: its name in lower case, with '-' for '_'. */
    static String propertyValue(SpawnPath path) {
        return path.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * What probing one path found: 0 or an errno, the step that failed, whether the status was kept, and
     * how the probe child ended (its exit code, 128 + a signal, or -1 when not known).
     */
    record Probe(SpawnPath path, int flags, int err, int stage, boolean exitStatusKept, int childEnd) {

        boolean succeeded() {
            return err == 0;
        }

        /** Which step failed and how, e.g. "clone(CLONE_PIDFD) failed with errno 1 (Operation not permitted)". */
        String failure() {
            if (stage == LinuxNative.STAGE_PROBE_CHILD) {
                // Not a refused syscall: the clone worked, but its child did not run to its end.
                return "the probe child did not run to its end: it ended with " + childEnd
                        + (childEnd > 128 ? " (killed by signal " + (childEnd - 128) + ")" : "")
                        + " instead of exit code " + LinuxNative.PROBE_CHILD_EXIT;
            }
            return step() + " failed with " + describe(err);
        }

        private String step() {
            switch (stage) {
                case LinuxNative.STAGE_STACK:
                    return "mmap of the child's stack";
                case LinuxNative.STAGE_CLONE:
                    return path == SpawnPath.CLONE3_PIDFD ? "clone3(CLONE_PIDFD" + clone3FlagNames(flags) + ")"
                            : path == SpawnPath.CLONE_PIDFD ? "clone(CLONE_PIDFD)" : "clone(CLONE_FILES)";
                case LinuxNative.STAGE_PIDFD_OPEN:
                    return "pidfd_open in the child";
                case LinuxNative.STAGE_SEND_SIGNAL:
                    return "pidfd_send_signal";
                case LinuxNative.STAGE_WAITID:
                    return "waitid(P_PIDFD)";
                case LinuxNative.STAGE_EXIT_INFO:
                    return "PIDFD_INFO_EXIT of an autoreaped child";
                default:
                    return "the probe child (stage " + stage + ")";
            }
        }
    }

    private static String clone3FlagNames(int flags) {
        return ((flags & (LinuxNative.SPAWN_AUTOREAP | LinuxNative.SPAWN_AUTOKILL)) != 0 ? " | CLONE_AUTOREAP" : "")
                + ((flags & LinuxNative.SPAWN_AUTOKILL) != 0 ? " | CLONE_PIDFD_AUTOKILL" : "");
    }

    /** Probes a path; a refusal that may be transient (EAGAIN, ENOMEM...) gets a second try. */
    static Probe probe(SpawnPath path) {
        return probe(path, 0);
    }

    /** Probes a path with clone3 flags (LinuxNative.SPAWN_AUTOREAP, SPAWN_AUTOKILL). */
    static Probe probe(SpawnPath path, int flags) {
        Probe p = probeOnce(path, flags);
        return p.succeeded() || isUnsupported(p.err()) ? p : probeOnce(path, flags);
    }

    private static Probe probeOnce(SpawnPath path, int flags) {
        int[] out = new int[3];  // exit status kept, stage, how the probe child ended
        int err = LinuxNative.pidfd4j_probe(nativePath(path), flags, out);
        return new Probe(path, flags, err, out[1], out[0] == 1, out[2]);
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
        return path == SpawnPath.CLONE3_PIDFD ? LinuxNative.PATH_CLONE3
                : path == SpawnPath.CLONE_PIDFD ? LinuxNative.PATH_CLONE_PIDFD : LinuxNative.PATH_CLONE_THEN_PIDFD_OPEN;
    }

    /** Whether clone3 spawns here can use CLONE_AUTOREAP (Linux 7.1); probed once, on the first call. */
    static boolean autoreapSupported() {
        return AutoreapProbe.UNAVAILABILITY == null;
    }

    /** Whether clone3 spawns here can use CLONE_PIDFD_AUTOKILL (Linux 7.1, CAP_SYS_ADMIN); probed once, on the first call. */
    static boolean autokillSupported() {
        return AutokillProbe.UNAVAILABILITY == null;
    }

    /**
     * Why clone3 cannot use the flag here (LinuxNative.SPAWN_AUTOREAP or SPAWN_AUTOKILL), e.g.
     * "clone3(CLONE_PIDFD | CLONE_AUTOREAP) failed with errno 22 (Invalid argument)"; null when it can.
     */
    static String clone3FlagUnavailability(int flag) {
        switch (flag) {
            case LinuxNative.SPAWN_AUTOREAP:
                return AutoreapProbe.UNAVAILABILITY;
            case LinuxNative.SPAWN_AUTOKILL:
                return AutokillProbe.UNAVAILABILITY;
            default:
                throw new IllegalArgumentException("not a clone3 spawn flag: " + flag);
        }
    }

    /** Why a clone3 flag is unusable, or null: a spawned, exited and autoreaped child shows it. */
    private static String probeClone3Flag(int flag) {
        if (CAUSE != null) {
            return "the pidfd provider is unavailable: " + CAUSE;
        }
        Probe p = probe(SpawnPath.CLONE3_PIDFD, flag);
        String why = p.succeeded() ? null : p.failure();
        Log.logger().log(Level.DEBUG, "pidfd4j: clone3 flag{0}: {1}", clone3FlagNames(flag),
                why == null ? "supported" : "unavailable, spawns go without it: " + why);
        return why;
    }

    /**
     * The spawn flags with SPAWN_AUTOREAP added where {@value #AUTOREAP_PROPERTY}{@code =true} asks for
     * it, the spawn goes through clone3 and the kernel has the flag (the first such spawn probes it; a
     * DEBUG line tells when it is missing); else unchanged.
     */
    static int withRequestedAutoreap(int path, int flags) {
        return AUTOREAP_REQUESTED && path == LinuxNative.PATH_CLONE3 && autoreapSupported()
                ? flags | LinuxNative.SPAWN_AUTOREAP : flags;
    }

    // Holders, so that each flag is probed once, when first asked for, and never at start-up.
    private static final class AutoreapProbe {
        static final String UNAVAILABILITY = probeClone3Flag(LinuxNative.SPAWN_AUTOREAP);
    }

    private static final class AutokillProbe {
        static final String UNAVAILABILITY = probeClone3Flag(LinuxNative.SPAWN_AUTOKILL);
    }

    static void ensureAvailable() {
        if (CAUSE != null) {
            throw new IllegalStateException("the pidfd process provider is unavailable: " + CAUSE, CAUSE);
        }
    }
}
