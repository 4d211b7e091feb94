package io.github.pidfd4j.linux;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * {@link Process#toHandle()} of a pidfd child. Its {@link #onExit()} is driven by the pidfd (the
 * JDK's own handle would be a second waiter, one blocked thread per handle); everything that reads {@code /proc}
 * is delegated to the JDK's handle of the same process. That handle is taken on first use, under
 * the child's reap lock, so it is taken while the child is unreaped (this process, not a later
 * owner of the pid) or never: after the reap, the process is gone and there is nothing to read.
 * Taking it at spawn time instead costs tens of microseconds, as /proc contends with the exec.
 *
 * <p>{@code equals} accepts the JDK's handle of the same process, so
 * {@code ProcessHandle.current().children().toList().contains(p.toHandle())} holds; the JDK's
 * {@code equals} and {@code compareTo} only accept their own class, so the reverse does not (with
 * the agent, {@code toHandle()} is the JDK's handle itself).
 */
final class PidfdProcessHandle implements ProcessHandle {

    private final ChildReaper child;
    private ProcessHandle jdk;  // guarded by child.reapLock()
    private boolean jdkTaken;   // guarded by child.reapLock()

    PidfdProcessHandle(ChildReaper child) {
        this.child = child;
    }

    /** The child's reaper, for its exit information (ExitLookup). */
    ChildReaper reaper() {
        return child;
    }

    /** The JDK's handle of this process; empty once the process was reaped before anyone asked. */
    private Optional<ProcessHandle> jdk() {
        synchronized (child.reapLock()) {
            if (!jdkTaken) {
                jdkTaken = true;
                jdk = child.exit().now() != null ? null : ProcessHandle.of(child.pid()).orElse(null);
                if (jdk != null && AgentPolicy.current().jdkHandles()) {
                    JdkHandles.register(jdk, this);  // with the agent, it is this child's handle, by identity
                }
            }
            return Optional.ofNullable(jdk);
        }
    }

    /** The JDK's handle of this process if it can still be taken, else this one. */
    ProcessHandle jdkOrSelf() {
        return jdk().orElse(this);
    }

    @Override
    public long pid() {
        return child.pid();
    }

    @Override
    public Optional<ProcessHandle> parent() {
        return jdk().flatMap(ProcessHandle::parent);
    }

    @Override
    public Stream<ProcessHandle> children() {
        return jdk().map(ProcessHandle::children).orElseGet(Stream::empty);
    }

    @Override
    public Stream<ProcessHandle> descendants() {
        return jdk().map(ProcessHandle::descendants).orElseGet(Stream::empty);
    }

    @Override
    public Info info() {
        return jdk().map(ProcessHandle::info).orElse(GoneInfo.INSTANCE);
    }

    @Override
    public CompletableFuture<ProcessHandle> onExit() {
        return child.exit().whenExited(this);
    }

    @Override
    public boolean supportsNormalTermination() {
        return true;
    }

    @Override
    public boolean destroy() {
        return child.exit().now() == null && child.pidfd().signal(LinuxNative.SIGTERM) == 0;
    }

    @Override
    public boolean destroyForcibly() {
        return child.exit().now() == null && child.pidfd().signal(LinuxNative.SIGKILL) == 0;
    }

    /** Alive until reaped, as with the JDK's handle; an exit the watcher has not seen yet is reaped here. */
    @Override
    public boolean isAlive() {
        return child.exitNow() == null;
    }

    @Override
    public int compareTo(ProcessHandle other) {
        return Long.compare(pid(), other.pid());
    }

    @Override
    public boolean equals(Object obj) {
        if (obj == this) {
            return true;
        }
        if (obj instanceof PidfdProcessHandle) {
            return false;  // one handle per process
        }
        if (!(obj instanceof ProcessHandle other) || other.pid() != pid()) {
            return false;
        }
        Optional<ProcessHandle> mine = jdk();
        // Reaped before anyone asked: a live process with this pid is a later owner of the pid.
        return mine.isPresent() ? mine.get().equals(other) : !other.isAlive();
    }

    @Override
    public int hashCode() {
        return Long.hashCode(pid());
    }

    @Override
    public String toString() {
        return String.valueOf(pid());
    }

    /** The info of a process that is gone: nothing is known, as with the JDK's handle then. */
    private static final class GoneInfo implements Info {
        static final GoneInfo INSTANCE = new GoneInfo();

        @Override
        public Optional<String> command() {
            return Optional.empty();
        }

        @Override
        public Optional<String> commandLine() {
            return Optional.empty();
        }

        @Override
        public Optional<String[]> arguments() {
            return Optional.empty();
        }

        @Override
        public Optional<java.time.Instant> startInstant() {
            return Optional.empty();
        }

        @Override
        public Optional<java.time.Duration> totalCpuDuration() {
            return Optional.empty();
        }

        @Override
        public Optional<String> user() {
            return Optional.empty();
        }

        @Override
        public String toString() {
            return "[]";
        }
    }
}
