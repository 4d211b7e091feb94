package io.github.pidfd4j;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How to start a process beyond what {@link ProcessBuilder} can say, passed beside it:
 * {@code ProcessProviders.start(pb, SpawnOptions.defaults().withKillOnParentDeath(true))}.
 *
 * <p>Immutable: each {@code with...} method returns a new instance (or this one, when nothing
 * changes); instances are equal when all their options are. {@link #defaults()} starts a process
 * exactly as {@link ProcessBuilder#start()} would, and every provider accepts it. A provider that
 * cannot honour an option rejects the spawn with an {@link UnsupportedOperationException} naming the
 * option; it never ignores it. The {@code "jdk"} provider honours none of them.
 *
 * <p>Kernel requirements are per option. Options may be added in later versions; their defaults will
 * keep the behaviour of {@link #defaults()} unchanged.
 */
public final class SpawnOptions {

    /**
     * The system property that makes every process the {@code "pidfd"} provider starts die with this
     * JVM, whatever its options say ({@code true} or {@code false}; read once, on the first spawn; other
     * values are ignored with a warning). It holds for unchanged programs under pidfd4j's agent too.
     * It does not change {@link #defaults()}, so a spawn cannot opt out of it; the {@code "jdk"}
     * provider cannot honour it and says so once, as a warning, instead of failing every spawn.
     */
    public static final String KILL_ON_PARENT_DEATH_PROPERTY = "pidfd4j.killOnParentDeath";

    /**
     * The system property that makes {@code destroy()} and {@code destroyForcibly()} of every process the
     * {@code "pidfd"} provider starts reach the whole tree of processes it started, not only the process
     * itself ({@code true} or {@code false}, off by default; read once, on the first spawn). Meant for
     * unchanged programs under pidfd4j's agent. Each child is then spawned into a cgroup of its own where
     * this JVM may create one ({@value #CGROUP_PARENT_PROPERTY}, by default the JVM's own cgroup v2, and
     * clone3 with Linux 5.14+): {@code destroyForcibly()} writes its {@code cgroup.kill}, and
     * {@code destroy()} sends SIGTERM to every process in it (see
     * {@link ProcessTree#destroyCgroup(Process)}). Elsewhere each child leads a new process group, whose
     * members {@code destroy()} and {@code destroyForcibly()} signal; such a child no longer receives the
     * terminal's Ctrl-C with this JVM. One DEBUG line of the {@code io.github.pidfd4j} logger says which.
     */
    public static final String DESTROY_TREE_PROPERTY = "pidfd4j.destroyTree";

    /**
     * Where {@value #DESTROY_TREE_PROPERTY} creates each child's cgroup: an absolute directory of a cgroup
     * v2 hierarchy that this JVM may write. Unset: the JVM's own cgroup v2 (the {@code 0::} line of
     * {@code /proc/self/cgroup}), so that the children stay inside the JVM's limits and accounting.
     */
    public static final String CGROUP_PARENT_PROPERTY = "pidfd4j.cgroupParent";

    private static final SpawnOptions DEFAULTS = new SpawnOptions(false, false, false, null, null);

    private final boolean killOnParentDeath;
    private final boolean newProcessGroup;
    private final boolean newSession;
    /** An existing cgroup v2 directory the child is born in, or null. */
    private final Path cgroup;
    /** The directory under which a new cgroup is created for the child, or null. At most one of the two is set. */
    private final Path newCgroupParent;

    private SpawnOptions(boolean killOnParentDeath, boolean newProcessGroup, boolean newSession, Path cgroup,
                         Path newCgroupParent) {
        this.killOnParentDeath = killOnParentDeath;
        this.newProcessGroup = newProcessGroup;
        this.newSession = newSession;
        this.cgroup = cgroup;
        this.newCgroupParent = newCgroupParent;
    }

    /** No option set: a spawn like {@link ProcessBuilder#start()}. */
    public static SpawnOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Whether the child is killed (SIGKILL) when this JVM ends, however it ends: {@code kill -9}, a
     * crash, {@link System#exit}, or the last non-daemon thread returning. This is what the
     * {@code "pidfd"} provider does with it:
     * <ul>
     * <li>Any kernel pidfd4j runs on: the child asks for {@code PR_SET_PDEATHSIG(SIGKILL)} before
     *     it execs, then checks that its parent is still this JVM (and exits at once if not: the JVM
     *     died between the clone and the request). The kernel sends that signal when the <em>thread</em>
     *     that created the child ends, so such children are created by one pidfd4j daemon thread that
     *     lives as long as the JVM ({@code pidfd4j-parent-death-spawner}, started on the first spawn
     *     that asks); spawns with this option are therefore made one at a time. The kernel clears the
     *     request when the child execs a set-user-ID or set-group-ID program, or one with file
     *     capabilities: such a child survives the JVM.</li>
     * <li>Linux 7.1+, only with {@code -Dpidfd4j.autokill=true} (off by default: this path has not been
     *     tested, the machines pidfd4j is tested on run older kernels): {@code clone3} with
     *     {@code CLONE_PIDFD_AUTOKILL | CLONE_AUTOREAP}, where the kernel accepts them; the child is
     *     killed when the JVM's process descriptor for it closes, which the JVM's death does. Where the
     *     kernel refuses them, the parent-death signal above is used.</li>
     * </ul>
     * Without it (the default), children outlive the JVM as with {@link ProcessBuilder}: they are
     * reparented to init (or the nearest subreaper) and keep running. Once the child has exited, the
     * option has no further effect. The child's own children are not affected.
     */
    public boolean killOnParentDeath() {
        return killOnParentDeath;
    }

    /** These options with {@link #killOnParentDeath()} set as given. */
    public SpawnOptions withKillOnParentDeath(boolean killOnParentDeath) {
        if (killOnParentDeath == this.killOnParentDeath) {
            return this;
        }
        return new SpawnOptions(killOnParentDeath, newProcessGroup, newSession, cgroup, newCgroupParent);
    }

    /**
     * The existing cgroup v2 directory the child is born in ({@link #withCgroup(Path)}), if any.
     */
    public Optional<Path> cgroup() {
        return Optional.ofNullable(cgroup);
    }

    /**
     * These options with the child born in the existing cgroup v2 {@code directory}, e.g.
     * {@code /sys/fs/cgroup/my.slice/jobs}: it runs there from its first instruction, and so does every
     * process it starts, unless moved. Replaces {@link #withNewCgroup(Path)}; {@code null} places the
     * child where this JVM is, as by default.
     *
     * <p>The {@code "pidfd"} provider does it with {@code clone3(CLONE_INTO_CGROUP)} (Linux 5.7), which
     * places the child atomically as it is created: never a move after the start, never a silent
     * placement elsewhere. Checked when spawning, and nothing is started when it fails:
     * <ul>
     * <li>a relative {@code directory}, or one that is not on a cgroup v2 mount (per
     *     {@code /proc/self/mountinfo}): {@link IllegalArgumentException} naming it;</li>
     * <li>the provider does not spawn through clone3 ({@link SpawnPath#CLONE3_PIDFD}: forced otherwise,
     *     refused by a sandbox, not x86_64), or the kernel is older than 5.7:
     *     {@link UnsupportedOperationException} naming what is missing;</li>
     * <li>the directory is missing, or this JVM may not place a process in it (EACCES or EPERM: its
     *     {@code cgroup.procs}, or that of the nearest common ancestor with the JVM's cgroup, is not
     *     writable; EBUSY: it has child cgroups with controllers enabled): {@link java.io.IOException}
     *     naming the directory.</li>
     * </ul>
     */
    public SpawnOptions withCgroup(Path directory) {
        if (Objects.equals(directory, cgroup) && newCgroupParent == null) {
            return this;
        }
        return new SpawnOptions(killOnParentDeath, newProcessGroup, newSession, directory, null);
    }

    /**
     * The directory under which a new cgroup is created for each child ({@link #withNewCgroup(Path)}), if any.
     */
    public Optional<Path> newCgroupParent() {
        return Optional.ofNullable(newCgroupParent);
    }

    /**
     * These options with a new cgroup v2 created for the child under {@code parent} (an existing cgroup v2
     * directory this JVM may write), the child born in it as with {@link #withCgroup(Path)} (clone3 with
     * {@code CLONE_INTO_CGROUP}, Linux 5.7; the same exceptions). Replaces {@link #withCgroup(Path)};
     * {@code null} creates none.
     *
     * <p>The cgroup is named {@code pidfd4j-<this JVM's pid>-<a counter>} (mode 0755) and belongs to
     * pidfd4j: every process the child starts stays in it unless moved, so {@link ProcessTree} can kill
     * the whole tree through {@code cgroup.kill} (Linux 5.14), even after the child itself has exited.
     * pidfd4j removes the cgroup once it is empty: once the child has been reaped and every process in it
     * has exited (pidfd4j's watcher follows its {@code cgroup.events}; nothing waits for it). If this JVM
     * exits first, the cgroup is left behind under {@code parent}, named by this JVM's pid; it can be
     * removed with {@code rmdir} once empty.
     */
    public SpawnOptions withNewCgroup(Path parent) {
        if (Objects.equals(parent, newCgroupParent) && cgroup == null) {
            return this;
        }
        return new SpawnOptions(killOnParentDeath, newProcessGroup, newSession, null, parent);
    }
        
    /**
     * Whether the child leads a new process group, whose id is its pid: the {@code "pidfd"} provider
     * calls {@code setpgid(0, 0)} in the child before it execs (any kernel pidfd4j runs on). Its
     * descendants join that group unless they leave it ({@code setpgid}, {@code setsid}; an interactive
     * shell or {@code set -m} puts each job in a group of its own), so that
     * {@link ProcessTree#destroyGroup(Process)} reaches the child and them together. Signals to the
     * JVM's own group no longer reach the child: a terminal's Ctrl-C (SIGINT to its foreground group)
     * kills the JVM but not the child. The child is in the background of the JVM's terminal, if it has
     * one: when it reads from that terminal (an inherited stdin), the kernel stops it with SIGTTIN. In
     * a pipeline, each stage leads a group of its own.
     *
     * <p>Without it (the default), the child stays in the JVM's process group, as with
     * {@link ProcessBuilder}. {@link #newSession()} implies it.
     */
    public boolean newProcessGroup() {
        return newProcessGroup;
    }

    /** These options with {@link #newProcessGroup()} set as given. */
    public SpawnOptions withNewProcessGroup(boolean newProcessGroup) {
        if (newProcessGroup == this.newProcessGroup) {
            return this;
        }
        return new SpawnOptions(killOnParentDeath, newProcessGroup, newSession, cgroup, newCgroupParent);
    }

    /**
     * Whether the child leads a new session, and so a new process group too (both ids are its pid):
     * the {@code "pidfd"} provider calls {@code setsid()} in the child before it execs (any kernel
     * pidfd4j runs on). Everything {@link #newProcessGroup()} says holds, and more: the new session
     * has no controlling terminal, so the JVM's terminal neither stops the child nor sends it its
     * hangup (SIGHUP when the terminal closes) or job-control signals, and the child cannot open
     * {@code /dev/tty}. What daemons and terminal emulators ({@code setsid(1)}) do. Setting
     * {@link #newProcessGroup()} as well changes nothing.
     *
     * <p>Without it (the default), the child stays in the JVM's session, as with {@link ProcessBuilder}.
     */
    public boolean newSession() {
        return newSession;
    }

    /** These options with {@link #newSession()} set as given. */
    public SpawnOptions withNewSession(boolean newSession) {
        if (newSession == this.newSession) {
            return this;
        }
        return new SpawnOptions(killOnParentDeath, newProcessGroup, newSession, cgroup, newCgroupParent);
    }

    /** Whether every option has its default value, i.e. these options equal {@link #defaults()}. */
    public boolean isDefault() {
        return equals(DEFAULTS);
    }

    /**
     * The names of the options that differ from {@link #defaults()}, as in {@link #toString()}, for
     * the message of a provider that cannot honour them.
     */
    String nonDefaultOptions() {
        StringBuilder names = new StringBuilder();
        if (killOnParentDeath) {
            names.append("killOnParentDeath");
        }
        if (newProcessGroup) {
            names.append(names.length() == 0 ? "" : ", ").append("newProcessGroup");
        }
        if (newSession) {
            names.append(names.length() == 0 ? "" : ", ").append("newSession");
        }
        if (cgroup != null) {
            names.append(names.length() == 0 ? "" : ", ").append("cgroup");
        }
        if (newCgroupParent != null) {
            names.append(names.length() == 0 ? "" : ", ").append("newCgroup");
        }
        return names.toString();
    }

    /** The exception of a provider that cannot honour these (non-default) options. */
    UnsupportedOperationException unsupportedBy(ProcessProvider provider, String advice) {
        String names = nonDefaultOptions();
        return new UnsupportedOperationException("SpawnOptions." + names.replace(", ", ", SpawnOptions.")
                + (names.indexOf(',') >= 0 ? " are" : " is")
                + " not supported by the \"" + provider.name() + "\" process provider" + advice);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpawnOptions other && other.killOnParentDeath == killOnParentDeath
                && other.newProcessGroup == newProcessGroup && other.newSession == newSession
                && Objects.equals(other.cgroup, cgroup) && Objects.equals(other.newCgroupParent, newCgroupParent);
    }

    @Override
    public int hashCode() {
        return Objects.hash(killOnParentDeath, newProcessGroup, newSession, cgroup, newCgroupParent);
    }

    @Override
    public String toString() {
        return "SpawnOptions[killOnParentDeath=" + killOnParentDeath + ", newProcessGroup=" + newProcessGroup
                + ", newSession=" + newSession + (cgroup != null ? ", cgroup=" + cgroup : "")
                + (newCgroupParent != null ? ", newCgroup=" + newCgroupParent : "") + "]";
    }
}
