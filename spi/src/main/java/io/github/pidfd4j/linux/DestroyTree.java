package io.github.pidfd4j.linux;

import io.github.pidfd4j.SpawnOptions;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code -Dpidfd4j.destroyTree=true} ({@link SpawnOptions#DESTROY_TREE_PROPERTY}): how every child is
 * spawned so that its {@code destroy()} reaches its whole tree. Loaded only when the property is true
 * (PidfdLauncher reads it), so a JVM without it pays nothing; decided once, on the first spawn:
 * <ul>
 * <li>a cgroup per child, under {@value SpawnOptions#CGROUP_PARENT_PROPERTY} or else the JVM's own
 *     cgroup v2, where this JVM may create one there (probed once: a cgroup is created, must have
 *     {@code cgroup.kill}, Linux 5.14, and is removed) and spawns through clone3;</li>
 * <li>else a new process group per child.</li>
 * </ul>
 * One DEBUG line says which, and why not the cgroup.
 */
final class DestroyTree {

    /** The parent of the children's cgroups, or null where cgroups cannot be used (see {@link #WHY_NOT}). */
    private static final Path PARENT;
    /** Why no cgroup is used (null when one is). */
    private static final String WHY_NOT;

    static {
        // pidfd4j's own files (/proc, the cgroup tree), read as its own work under a JDK 17 SecurityManager.
        Object[] decided = Privileged.get(DestroyTree::decide);
        PARENT = (Path) decided[0];
        WHY_NOT = (String) decided[1];
    }

    /** {parent or null, why not or null}. */
    private static Object[] decide() {
        Path parent = null;
        String whyNot;
        try {
            String configured = ParentDeath.property(SpawnOptions.CGROUP_PARENT_PROPERTY);
            Path candidate = configured != null && !configured.isBlank()
                    ? Cgroups.checkOnV2Mount(Path.of(configured.trim()), "-D" + SpawnOptions.CGROUP_PARENT_PROPERTY)
                    : Cgroups.ownDirectory();
            whyNot = candidate == null ? "this JVM's cgroup v2 is not mounted here" : probe(candidate);
            parent = whyNot == null ? candidate : null;
        } catch (IOException | RuntimeException e) {  // unreadable /proc, a bad -Dpidfd4j.cgroupParent
            whyNot = e.getMessage();
        }
        return new Object[] {parent, whyNot};
    }

    private static volatile boolean reported;
    /** Set once the kernel refused a child in a cgroup under PARENT: no more tries. */
    private static volatile String refusedBy;

    private DestroyTree() {
    }

    /** Creates and removes one cgroup under {@code parent}: null when it worked and had cgroup.kill, else why not. */
    private static String probe(Path parent) {
        try {
            ChildCgroup probe = ChildCgroup.create(parent);
            boolean killable = Files.exists(probe.directory().resolve("cgroup.kill"));
            probe.rmdir();
            return killable ? null : "this kernel has no cgroup.kill (Linux 5.14)";
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /**
     * The cgroup a child spawned through {@code nativePath} is born in, or null for a new process group
     * instead (then {@link #groupFlags} says so).
     */
    static CgroupPlacement placement(int nativePath) {
        boolean cgroup = PARENT != null && refusedBy == null && nativePath == LinuxNative.PATH_CLONE3;
        report(cgroup, nativePath);
        return cgroup ? CgroupPlacement.newChildUnder(PARENT) : null;
    }

    /**
     * A spawn under -Dpidfd4j.destroyTree=true: into a new cgroup of its own, or as the leader of a new
     * process group ({@link DestroyTree}), unless the caller's options placed it in a new cgroup already.
     * Should the kernel refuse the cgroup after all (nothing was started then), this child and every
     * later one lead a process group instead.
     */
    static Process launch(int path, int flags, CgroupPlacement cgroup, String[] cmdarray,
                         Map<String, String> environment, String dir, Redirect[] redirects,
                         boolean redirectErrorStream, FileDescriptor[] links) throws IOException {
        boolean own = cgroup == null;
        if (own) {
            cgroup = placement(path);
        }
        if (cgroup == null || !cgroup.createsOne()) {
            flags |= groupFlags();
        }
        try {
            return PidfdLauncher.launch(path, flags, cgroup, cmdarray, environment, dir, redirects,
                    redirectErrorStream, links);
        } catch (CgroupPlacement.Refused e) {
            if (!own) {
                throw e;  // the caller's own option: its error
            }
            refused(e);
            return PidfdLauncher.launch(path, flags | groupFlags(), null, cmdarray, environment, dir, redirects,
                    redirectErrorStream, links);
        }
    }

    /** The kernel refused a child in the cgroup: every later child leads a process group instead. */
    static void refused(IOException e) {
        refusedBy = e.getMessage();
        Log.logger().log(Level.DEBUG, "pidfd4j: -D" + SpawnOptions.DESTROY_TREE_PROPERTY + "=true: every child from"
                + " now on leads a new process group, which destroy() signals: {0}", refusedBy);
    }

    /** The spawn flags of a child that gets no cgroup of its own: the leader of a new process group. */
    static int groupFlags() {
        return LinuxNative.SPAWN_NEW_PROCESS_GROUP;  // a session would also drop the terminal: more than asked
    }

    /** The one DEBUG line: which way, and why not the cgroup. */
    private static void report(boolean cgroup, int nativePath) {
        if (reported) {
            return;
        }
        reported = true;  // a race may log twice; never per spawn
        Log.logger().log(Level.DEBUG, cgroup
                ? "pidfd4j: -D" + SpawnOptions.DESTROY_TREE_PROPERTY + "=true: every child is spawned into a new cgroup"
                        + " under " + PARENT + ", killed with cgroup.kill"
                : "pidfd4j: -D" + SpawnOptions.DESTROY_TREE_PROPERTY + "=true: every child leads a new process group,"
                        + " which destroy() signals (no cgroup per child: "
                        + (WHY_NOT != null ? WHY_NOT : "spawns are not through clone3") + ")");
    }
}
