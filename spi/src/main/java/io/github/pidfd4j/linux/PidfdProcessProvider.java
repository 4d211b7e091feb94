package io.github.pidfd4j.linux;

import io.github.pidfd4j.ProcessProvider;
import io.github.pidfd4j.SpawnOptions;
import io.github.pidfd4j.SpawnPath;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code "pidfd"} provider: each child is created together with its process file descriptor and
 * reaped through it by one watcher thread. Available on Linux 5.4+ (x86_64, aarch64) where the
 * kernel and any seccomp filter allow it; see {@link #unavailabilityCause()} otherwise.
 *
 * <p>{@link #start} reproduces {@link ProcessBuilder#start()} around the spawn: the argument checks,
 * the "Cannot run program" wrapping, and {@link #startPipeline} the JDK's pipeline rules. Two things
 * only the JDK itself can do are not reproduced without the agent: the JFR {@code jdk.ProcessStart}
 * event and the {@code java.lang.ProcessBuilder} log record (JDK 21+).
 *
 * <p>It honours every {@link SpawnOptions} option, and
 * {@code -D}{@value SpawnOptions#KILL_ON_PARENT_DEATH_PROPERTY}{@code =true} for every spawn.
 */
public final class PidfdProcessProvider implements ProcessProvider {

    /** This provider's name. */
    public static final String NAME = "pidfd";

    private final SpawnPath path;  // null: the one Pidfd probed for this JVM
    private final Throwable pathCause;

    /** Creates the provider (used by {@link java.util.ServiceLoader}); probing happens on first use. */
    public PidfdProcessProvider() {
        this.path = null;
        this.pathCause = null;
    }

    /** A provider bound to one spawn path, whatever the probe chose (tests compare the paths). */
    PidfdProcessProvider(SpawnPath path) {
        if (path != SpawnPath.CLONE3_PIDFD && path != SpawnPath.CLONE_PIDFD && path != SpawnPath.CLONE_THEN_PIDFD_OPEN) {
            throw new IllegalArgumentException("not a pidfd spawn path: " + path);
        }
        Pidfd.Probe probe = LinuxNative.isAvailable() ? Pidfd.probe(path) : null;
        this.path = path;
        this.pathCause = probe == null ? LinuxNative.unavailabilityCause() : probe.succeeded() ? null
                : new UnsupportedOperationException(path + ": " + probe.failure());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    @Override
    public Throwable unavailabilityCause() {
        return path == null ? Pidfd.unavailabilityCause() : pathCause;
    }

    @Override
    public SpawnPath spawnPath() {
        return path == null ? Pidfd.spawnPath() : isAvailable() ? path : SpawnPath.NONE;
    }

    private void ensureAvailable() {
        Throwable cause = unavailabilityCause();
        if (cause != null) {
            throw new IllegalStateException("the pidfd process provider is unavailable: " + cause, cause);
        }
    }

    @Override
    public Process start(ProcessBuilder pb) throws IOException {
        return start(pb, SpawnOptions.defaults());
    }

    @Override
    public Process start(ProcessBuilder pb, SpawnOptions options) throws IOException {
        Objects.requireNonNull(pb, "pb");
        ensureAvailable();
        int nativePath = Pidfd.nativePath(spawnPath());
        return start(pb, new Redirect[] {pb.redirectInput(), pb.redirectOutput(), pb.redirectError()}, null,
                nativePath, ParentDeath.flags(options.killOnParentDeath(), nativePath) | groupFlags(options), options);
    }

    /** The spawn flags (LinuxNative.SPAWN_*) of the process group and session options. */
    private static int groupFlags(SpawnOptions options) {
        return (options.newProcessGroup() ? LinuxNative.SPAWN_NEW_PROCESS_GROUP : 0)
                | (options.newSession() ? LinuxNative.SPAWN_NEW_SESSION : 0);
    }

    /**
     * ProcessBuilder.start(Redirect[]), with the spawn itself through a pidfd. The cgroup options are
     * checked first (IllegalArgumentException, UnsupportedOperationException: nothing is started).
     */
    @SuppressWarnings("removal")  // the SecurityManager checks of JDK 17
    private Process start(ProcessBuilder pb, Redirect[] redirects, FileDescriptor[] links, int nativePath, int flags,
                          SpawnOptions options) throws IOException {
        // Only a cgroup option loads the cgroup classes.
        CgroupPlacement cgroup = options.cgroup().isEmpty() && options.newCgroupParent().isEmpty() ? null
                : CgroupPlacement.of(options.cgroup().orElse(null), options.newCgroupParent().orElse(null), nativePath);
        String[] cmdarray = pb.command().toArray(new String[0]);
        for (String arg : cmdarray) {
            if (arg == null) {
                throw new NullPointerException();
            }
        }
        String prog = cmdarray[0];  // IndexOutOfBoundsException if the command is empty, as the JDK
        SecurityManager security = System.getSecurityManager();
        if (security != null) {
            security.checkExec(prog);
        }
        String dir = pb.directory() == null ? null : pb.directory().toString();
        for (String s : cmdarray) {
            if (s.indexOf('\u0000') >= 0) {
                throw new IOException("invalid null character in command");
            }
        }
        // Unchanged from the JVM's environment, byte for byte: let the child inherit environ itself, as
        // the JDK does when environment() was never called (entries without '=' and duplicates included).
        Map<String, String> env = pb.environment();
        if (JdkEnvironment.isTheJvms(env)) {
            env = null;
        }
        try {
            return PidfdLauncher.start(nativePath, flags, cgroup, cmdarray, env, dir, redirects, pb.redirectErrorStream(),
                    links);
        } catch (IOException | IllegalArgumentException e) {
            String exceptionInfo = ": " + e.getMessage();
            Throwable cause = e;
            if (e instanceof IOException && security != null) {
                try {
                    security.checkRead(prog);  // do not disclose why a read-protected file failed
                } catch (SecurityException se) {
                    exceptionInfo = "";
                    cause = se;
                }
            }
            throw new IOException("Cannot run program \"" + prog + "\""
                    + (dir == null ? "" : " (in directory \"" + dir + "\")") + exceptionInfo, cause);
        }
    }

    @Override
    public List<Process> startPipeline(List<ProcessBuilder> builders) throws IOException {
        return startPipeline(builders, SpawnOptions.defaults());
    }

    /** Every stage with the options; with {@code withNewCgroup}, each stage in a new cgroup of its own. */
    @Override
    public List<Process> startPipeline(List<ProcessBuilder> builders, SpawnOptions options) throws IOException {
        Objects.requireNonNull(builders, "builders");
        ensureAvailable();
        int nativePath = Pidfd.nativePath(spawnPath());
        int flags = ParentDeath.flags(options.killOnParentDeath(), nativePath) | groupFlags(options);  // each stage its own group
        int numBuilders = builders.size();
        List<Process> processes = new ArrayList<>(numBuilders);
        FileDescriptor prevOutput = null;  // read end of the previous stage's stdout
        try {
            for (int index = 0; index < numBuilders; index++) {
                ProcessBuilder builder = builders.get(index);
                Redirect[] redirects = {builder.redirectInput(), builder.redirectOutput(), builder.redirectError()};
                FileDescriptor[] links = new FileDescriptor[3];
                if (index > 0) {
                    if (builder.redirectInput() != Redirect.PIPE) {
                        throw new IllegalArgumentException("builder redirectInput()"
                                + " must be PIPE except for the first builder: " + builder.redirectInput());
                    }
                    links[0] = prevOutput;
                }
                if (index < numBuilders - 1) {
                    if (builder.redirectOutput() != Redirect.PIPE) {
                        throw new IllegalArgumentException("builder redirectOutput()"
                                + " must be PIPE except for the last builder: " + builder.redirectOutput());
                    }
                    links[1] = new FileDescriptor();  // receives the read end for the next stage
                }
                processes.add(start(builder, redirects, links, nativePath, flags, options));
                if (prevOutput != null) {
                    close(prevOutput);  // the stage just started has its own copy
                    prevOutput = null;
                }
                prevOutput = links[1];
            }
        } catch (Exception ex) {
            if (prevOutput != null) {
                close(prevOutput);
            }
            processes.forEach(Process::destroyForcibly);
            for (Process p : processes) {
                try {
                    p.waitFor();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();  // go on with the next one, as the JDK does
                }
            }
            throw ex;
        }
        return processes;
    }

    private static void close(FileDescriptor fd) throws IOException {
        if (fd.valid()) {
            new FileInputStream(fd).close();
        }
    }

    @Override
    public String toString() {
        return "ProcessProvider[pidfd, " + spawnPath() + "]";
    }
}
