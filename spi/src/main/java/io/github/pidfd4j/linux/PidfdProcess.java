package io.github.pidfd4j.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A child started through a pidfd, shaped like the JDK's ProcessImpl: a thin {@link Process} over one
 * {@link ExitRecord}, which its {@link ChildReaper} fills once the child is reaped (no reaper thread
 * per child, no SIGCHLD handling). Observable behaviour follows the JDK's.
 */
final class PidfdProcess extends Process {

    private final ChildReaper reaper;
    private final ExitRecord exit;
    private final PidfdProcessHandle handle;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;
    /** Whether the agent lists this child among the live ones; fixed at the start, as the policy then. */
    private final boolean listed;
    /** Whether the child was spawned as the leader of a new process group (or session), whose id is its pid. */
    private final boolean groupLeader;

    /** The cgroup pidfd4j created for this child (SpawnOptions.withNewCgroup), or null. */
    private final ChildCgroup cgroup;

    PidfdProcess(int pid, PidfdHandle pidfd, OutputStream stdin, InputStream stdout, InputStream stderr,
                 boolean groupLeader) {
        this(pid, pidfd, stdin, stdout, stderr, groupLeader, null);
    }

    PidfdProcess(int pid, PidfdHandle pidfd, OutputStream stdin, InputStream stdout, InputStream stderr,
                 boolean groupLeader, ChildCgroup cgroup) {
        this.groupLeader = groupLeader;
        this.cgroup = cgroup;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.reaper = new ChildReaper(pid, pidfd, new Runnable() {  // not a lambda: see PidfdWatcher
            @Override
            public void run() {
                reaped();
            }
        });
        this.exit = reaper.exit();
        this.handle = new PidfdProcessHandle(reaper);
        this.listed = AgentPolicy.current().liveChildren();
    }

    /** Hands the child to the watcher; from here on it is always reaped. */
    void watch() {
        if (listed) {
            LiveChildren.add(this);
        }
        try {
            reaper.watch();
        } catch (Throwable t) {  // not watched: the caller kills and reaps the child
            if (listed) {
                LiveChildren.remove(this);
            }
            throw t;
        }
    }

    /** The child is reaped, its exit about to be recorded: the pipes are drained and closed first. */
    private void reaped() {
        PipesAtExit.processExited(stdin, stdout, stderr);
        if (listed) {
            LiveChildren.remove(this);
        }
        if (cgroup != null) {
            try {
                cgroup.childReaped();  // removed now if empty, else once its last process has exited
            } catch (RuntimeException e) {  // never keep the exit from being recorded
                Log.logger().log(System.Logger.Level.WARNING, "pidfd4j: cannot clean up " + cgroup, e);
            }
        }
    }

    /** The cgroup pidfd4j created for this child, or null. */
    ChildCgroup cgroup() {
        return cgroup;
    }

    ChildReaper reaper() {
        return reaper;
    }

    /** Whether the child was spawned as the leader of a new process group (see {@link GroupSignal}). */
    boolean groupLeader() {
        return groupLeader;
    }

    @Override
    public OutputStream getOutputStream() {
        return stdin;
    }

    @Override
    public InputStream getInputStream() {
        return stdout;
    }

    @Override
    public InputStream getErrorStream() {
        return stderr;
    }

    @Override
    public int waitFor() throws InterruptedException {
        ExitInfo exited = exit.now();
        if (exited == null) {
            reaper.pollBriefly(ChildReaper.POLL_MILLIS);
            exited = exit.await();
        }
        return exited.exitValue();
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        long remainingNanos = unit.toNanos(timeout);  // NPE for a null unit, even after the exit
        if (exit.now() != null) {
            return true;
        }
        if (remainingNanos <= 0) {
            return reaper.exitNow() != null;  // waitFor(0, ...) is a question, answered as isAlive() answers it
        }
        long start = System.nanoTime();
        reaper.pollBriefly(TimeUnit.NANOSECONDS.toMillis(remainingNanos));
        return exit.await(remainingNanos - (System.nanoTime() - start)) != null;
    }

    @Override
    public int exitValue() {
        ExitInfo exited = reaper.exitNow();  // not "alive" per isAlive() must mean an exit value here
        if (exited == null) {
            throw new IllegalThreadStateException("process hasn't exited");
        }
        return exited.exitValue();
    }

    @Override
    public boolean isAlive() {
        return reaper.exitNow() == null;
    }

    @Override
    public void destroy() {
        destroy(false);
    }

    @Override
    public Process destroyForcibly() {
        destroy(true);
        return this;
    }

    private void destroy(boolean force) {
        int sig = force ? LinuxNative.SIGKILL : LinuxNative.SIGTERM;
        // -Dpidfd4j.destroyTree=true with a group and no cgroup: the group signal reaches the child too
        // (once: a handler of SIGTERM must not run twice). Else, or when it could not be sent:
        boolean treeSignalled = PidfdLauncher.DESTROY_TREE && cgroup == null && groupLeader
                && GroupSignal.send(this, sig) == GroupSignal.SENT;
        // Through the pidfd: it names this child and no other, even if its pid were reused, and after
        // the reap it is closed, so there is no window for killing a stranger.
        if (!treeSignalled && exit.now() == null) {
            reaper.pidfd().signal(sig);
        }
        if (PidfdLauncher.DESTROY_TREE && cgroup != null) {
            destroyCgroup(force);
        }
        try { stdin.close(); } catch (IOException ignored) { }
        try { stdout.close(); } catch (IOException ignored) { }
        try { stderr.close(); } catch (IOException ignored) { }
    }

    /**
     * -Dpidfd4j.destroyTree=true, a child in its own cgroup: after the child itself, every other process
     * in the cgroup: SIGKILL to all through cgroup.kill, or SIGTERM to each (through pidfds, see
     * ChildCgroup), the child skipped while it is unreaped (it had its signal). Also after the child
     * was reaped, while processes are left in the cgroup.
     */
    private void destroyCgroup(boolean force) {
        try {
            if (force) {
                cgroup.kill();
            } else {
                cgroup.terminate(exit.now() == null ? reaper.pid() : 0);
            }
        } catch (IOException | RuntimeException e) {  // destroy() throws nothing: the child itself was signalled
            Log.logger().log(System.Logger.Level.DEBUG, "pidfd4j: cannot signal the processes of " + cgroup, e);
        }
    }

    @Override
    public boolean supportsNormalTermination() {
        return true;
    }

    @Override
    public long pid() {
        return reaper.pid();
    }

    @Override
    public ProcessHandle toHandle() {
        // With the agent, the JDK's own handle, whose onExit(), destroy() and isAlive() it makes pidfd-driven.
        return AgentPolicy.current().jdkHandles() ? handle.jdkOrSelf() : handle;
    }

    @Override
    public CompletableFuture<Process> onExit() {
        return exit.whenExited(this);
    }

    @Override
    public String toString() {
        ExitInfo exited = exit.now();
        return new StringBuilder("Process[pid=").append(pid())
                .append(", exitValue=").append(exited != null ? exited.exitValue() : "\"not exited\"")
                .append("]").toString();
    }
}
