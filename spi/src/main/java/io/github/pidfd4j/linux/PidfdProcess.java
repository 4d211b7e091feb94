package io.github.pidfd4j.linux;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A child started through a pidfd. Its exit is learnt by {@link PidfdWatcher} and nothing else: no
 * reaper thread per child, no SIGCHLD handling. Observable behaviour follows the JDK's ProcessImpl.
 */
final class PidfdProcess extends Process {

    /** Looked up only to log: the first System.getLogger bootstraps the JDK's logging (~30 ms). */
    private static System.Logger log() {
        return System.getLogger("io.github.pidfd4j");
    }
    private static final AtomicBoolean STOLEN_LOGGED = new AtomicBoolean();

    /** Live (unreaped) children by pid, for the agent's ProcessHandle.onExit() hook. */
    private static final Map<Long, PidfdProcess> LIVE = new ConcurrentHashMap<>();

    /** With the agent, toHandle() is the JDK's own handle, whose onExit() the agent makes pidfd-driven. */
    static volatile boolean preferJdkHandles;

    /**
     * Drains and closes the streams of exited children when the watcher cannot do it at once: a user
     * thread inside a read or write holds the stream's monitor, possibly blocked (as with the JDK,
     * whose reaper thread blocks then). Threads come and go with that rare demand.
     */
    private static final class StreamCloser {  // a holder: built on first need, not at start-up
        static final Executor EXECUTOR = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 5, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(null, r, "pidfd4j-exit-streams", 0, false);
                    t.setDaemon(true);
                    t.setContextClassLoader(null);
                    return t;
                });
    }

    private final int pid;
    private final PidfdHandle pidfd;
    private final PidfdProcessHandle handle;
    private final OutputStream stdin;
    private final InputStream stdout;
    private final InputStream stderr;

    /** How long a waiting thread polls the pidfd itself before it parks (see pollBriefly). */
    private static final long POLL_MILLIS = 2;

    /** Held while reaping, so that the handle can take the JDK's view of the pid while it is ours. */
    private final Object reapLock = new Object();
    /** Reap lock: when waitid first found the child reaped elsewhere with its status still on its way. */
    private long statusPendingSince;
    private static final long STATUS_PENDING_LIMIT_NANOS = 5_000_000_000L;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition exitedCondition = lock.newCondition();
    private volatile boolean hasExited;
    private int exitcode;
    private ExitInfo exitInfo;

    /** Completed on the watcher thread; only ever given async dependents, never to users. */
    private final CompletableFuture<PidfdProcess> exited = new CompletableFuture<>();

    PidfdProcess(int pid, PidfdHandle pidfd, OutputStream stdin, InputStream stdout, InputStream stderr) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.handle = new PidfdProcessHandle(this);
    }

    /** Hands the child to the watcher; from here on it is always reaped. */
    void watch() {
        LIVE.put((long) pid, this);
        try {
            PidfdWatcher.get().watch(new ChildWatch(pidfd));
        } catch (Throwable t) {  // not watched: the caller kills and reaps the child
            LIVE.remove((long) pid, this);
            throw t;
        }
    }

    /** The live pidfd4j child with this pid, if any. */
    static PidfdProcess live(long pid) {
        return LIVE.get(pid);
    }

    /** Reaps the child when the watcher reports its pidfd readable. */
    private final class ChildWatch extends PidfdWatcher.Watch {
        ChildWatch(PidfdHandle pidfd) {
            super(pidfd);
        }

        @Override
        boolean onReadable() {
            return reapIfExited();  // false: readable, yet not exited
        }

        @Override
        void onRegistrationFailed(int errno) {
            // Cannot watch it with epoll: wait for it on a thread of its own rather than lose it.
            log().log(Level.WARNING, "pidfd4j: cannot watch pid {0} with epoll ({1}); waiting on a thread instead",
                    pid, LinuxNative.strerror(errno));
            Thread t = new Thread(null, () -> {
                do {
                    LinuxNative.pidfd4j_poll(pidfd.fd(), -1);
                } while (!reapIfExited());
                pidfd.release();
            }, "pidfd4j-waiter (pid " + pid + ")", 64 * 1024, false);
            t.setDaemon(true);
            t.start();
        }
    }

    /**
     * Reaps the child if it has exited, under the reap lock: the watcher and a waiter that polled the
     * pidfd itself may both try; the first reaps, the other finds it done. True once exited.
     */
    boolean reapIfExited() {
        synchronized (reapLock) {  // only pidfd4j code takes it, for a /proc read at most
            if (hasExited) {
                return true;
            }
            int[] info = new int[3];
            long[] usage = new long[9];
            int err = LinuxNative.pidfd4j_waitid(pidfd.fd(), LinuxNative.WEXITED | LinuxNative.WNOHANG, info, usage);
            if (err == 0 && info[2] == 0) {
                return false;
            }
            ExitInfo exit = err == 0 ? ExitInfo.fromWaitid(info[0], info[1], usage) : reapedElsewhere(err);
            if (exit == null) {
                return false;  // reaped elsewhere, its status not yet recorded: the watcher looks again
            }
            exited(exit);
            return true;
        }
    }

    /**
     * A waiting platform thread first polls the pidfd itself, for a short while: a short-lived child
     * then wakes the waiter directly instead of the watcher, which then wakes the waiter (a thread
     * hand-off costs 100 us and more on a small VM). An interrupt is noticed when the poll ends, at
     * most {@value #POLL_MILLIS} ms late. Virtual threads do not poll: it would pin their carrier.
     */
    private void pollBriefly(long maxMillis) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (maxMillis <= 0 || VirtualThreads.isVirtual(Thread.currentThread()) || !pidfd.acquire()) {
            return;
        }
        try {
            if (LinuxNative.pidfd4j_poll(pidfd.fd(), (int) Math.min(maxMillis, POLL_MILLIS)) > 0) {
                reapIfExited();
            }
        } finally {
            pidfd.release();
        }
    }

    /**
     * waitid failed: someone else reaped our child (a wait() or waitpid(-1) in native code: the exec
     * made its exit signal SIGCHLD again), or SIGCHLD is ignored and the kernel reaped it. Linux 6.15+
     * still tells the status through the pidfd; before that the JDK's answer is 0, so it is ours too.
     */
    private ExitInfo reapedElsewhere(int err) {
        int[] status = new int[1];
        int statusErr = LinuxNative.pidfd4j_exit_status(pidfd.fd(), status);
        if (statusErr == 0) {
            return ExitInfo.fromWaitStatus(status[0]);
        }
        // ECHILD comes as soon as the other reaper has claimed the child; the kernel records the
        // status for the pidfd only when that reaper releases the task, microseconds later (ENODATA
        // while the task is still there, ESRCH after). Wait for it rather than lose it: this race
        // cost one exit code in ~1,500 stolen children. The bound only guards against a kernel that
        // breaks its word.
        if (err == LinuxNative.ECHILD && Pidfd.exitStatusKept()
                && (statusErr == LinuxNative.ENODATA || statusErr == LinuxNative.ESRCH)) {
            long now = System.nanoTime();
            if (statusPendingSince == 0) {
                statusPendingSince = now | 1;  // never 0 once set
            }
            if (now - statusPendingSince < STATUS_PENDING_LIMIT_NANOS) {
                return null;
            }
            log().log(Level.ERROR, "pidfd4j: pid {0} was reaped by someone else and its exit status did not arrive "
                    + "through its pidfd within {1} s ({2}); reporting 0", pid,
                    STATUS_PENDING_LIMIT_NANOS / 1_000_000_000, LinuxNative.strerror(statusErr));
            return ExitInfo.UNKNOWN;
        }
        if (STOLEN_LOGGED.compareAndSet(false, true)) {
            log().log(Level.WARNING, "pidfd4j: pid {0} was reaped by someone else ({1}) and this kernel cannot tell its "
                    + "exit status; reporting 0 as the JDK does (logged once)", pid, LinuxNative.strerror(err));
        }
        return ExitInfo.UNKNOWN;
    }

    /** Watcher thread: the child is reaped. Record, wake waiters, and hand the rest elsewhere. */
    private void exited(ExitInfo info) {
        // Drain and close the pipes first, here when no thread is inside a stream method (the usual
        // case); otherwise on another thread, which may have to wait for a blocked reader or writer.
        // processExitedIfIdle only tries the stream's own lock and never takes its monitor, which user
        // code may hold for as long as it likes: this never waits, so recording the exit below is
        // never delayed by user code. First, because a woken waiter usually starts the next child at
        // once, and this thread's leftover work would then compete with that child for a CPU.
        boolean out = !(stdout instanceof ProcessStreams.ProcessPipeInputStream s) || s.processExitedIfIdle();
        boolean err = !(stderr instanceof ProcessStreams.ProcessPipeInputStream s) || s.processExitedIfIdle();
        boolean in = !(stdin instanceof ProcessStreams.ProcessPipeOutputStream s) || s.processExitedIfIdle();
        if (!(out && err && in)) {
            StreamCloser.EXECUTOR.execute(() -> closeStreamsAfterExit(!out, !err, !in));
        }
        LIVE.remove((long) pid, this);
        lock.lock();
        try {
            exitInfo = info;
            exitcode = info.exitValue();
            hasExited = true;
            exitedCondition.signalAll();
        } finally {
            lock.unlock();
        }
        exited.complete(this);
    }

    private void closeStreamsAfterExit(boolean out, boolean err, boolean in) {
        if (out) {
            ((ProcessStreams.ProcessPipeInputStream) stdout).processExited();
        }
        if (err) {
            ((ProcessStreams.ProcessPipeInputStream) stderr).processExited();
        }
        if (in) {
            ((ProcessStreams.ProcessPipeOutputStream) stdin).processExited();
        }
    }

    /**
     * A new future that completes with {@code value} after the exit, on the default async executor
     * as the JDK's do, so user dependents never run on the watcher thread.
     */
    <T> CompletableFuture<T> whenExited(T value) {
        return exited.handleAsync((p, t) -> value);
    }

    /**
     * The exit value, completed on the watcher thread itself: only for callers that attach nothing
     * but async stages (the agent's hook for the JDK's onExit(), which adds its own handleAsync).
     */
    CompletableFuture<Integer> exitValueFuture() {
        return exited.thenApply(p -> p.exitcode);  // written before exited completed: visible here
    }

    boolean hasExited() {
        return hasExited;
    }

    /**
     * Whether the child has exited, asking the pidfd when the exit is not recorded yet: other code may
     * have seen the exit before the watcher did (the JDK's {@code ProcessHandle.of(pid).onExit()}
     * waits with WNOWAIT), and once any onExit() has completed no isAlive() may say true. One poll(2)
     * that never waits; the reap itself happens under the reap lock, as in pollBriefly.
     */
    boolean exitedNow() {
        if (!hasExited && pidfd.acquire()) {  // acquire fails only once closed, i.e. after the reap
            try {
                if (LinuxNative.pidfd4j_poll(pidfd.fd(), 0) > 0) {
                    reapIfExited();
                }
            } finally {
                pidfd.release();
            }
        }
        return hasExited;
    }

    Object reapLock() {
        return reapLock;
    }

    PidfdHandle pidfd() {
        return pidfd;
    }

    /** Status and resource usage once exited, else null. */
    ExitInfo exitInfo() {
        lock.lock();
        try {
            return exitInfo;
        } finally {
            lock.unlock();
        }
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
        if (!hasExited) {
            pollBriefly(POLL_MILLIS);
        }
        lock.lock();
        try {
            while (!hasExited) {
                exitedCondition.await();
            }
            return exitcode;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        long remainingNanos = unit.toNanos(timeout);  // NPE for a null unit, even after the exit
        if (!hasExited && remainingNanos > 0) {
            long start = System.nanoTime();
            pollBriefly(TimeUnit.NANOSECONDS.toMillis(remainingNanos));
            remainingNanos -= System.nanoTime() - start;
        } else if (remainingNanos <= 0) {
            return exitedNow();  // waitFor(0, ...) is a question, answered as isAlive() answers it
        }
        lock.lock();
        try {
            while (remainingNanos > 0 && !hasExited) {
                remainingNanos = exitedCondition.awaitNanos(remainingNanos);
            }
            return hasExited;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int exitValue() {
        exitedNow();  // not "alive" per isAlive() must mean an exit value here
        lock.lock();
        try {
            if (!hasExited) {
                throw new IllegalThreadStateException("process hasn't exited");
            }
            return exitcode;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isAlive() {
        return !exitedNow();
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
        // Through the pidfd: it names this child and no other, even if its pid were reused, and after
        // the reap it is closed, so there is no window for killing a stranger.
        if (!hasExited) {
            pidfd.signal(force ? LinuxNative.SIGKILL : LinuxNative.SIGTERM);
        }
        try { stdin.close(); } catch (IOException ignored) { }
        try { stdout.close(); } catch (IOException ignored) { }
        try { stderr.close(); } catch (IOException ignored) { }
    }

    @Override
    public boolean supportsNormalTermination() {
        return true;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public ProcessHandle toHandle() {
        return preferJdkHandles ? handle.jdkOrSelf() : handle;
    }

    @Override
    public CompletableFuture<Process> onExit() {
        return whenExited(this);
    }

    @Override
    public String toString() {
        return new StringBuilder("Process[pid=").append(pid)
                .append(", exitValue=").append(hasExited ? exitcode : "\"not exited\"")
                .append("]").toString();
    }
}
