package io.github.pidfd4j.linux;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread that learns of every exit: {@code epoll_wait} over the pidfds of all watched
 * processes. It runs only pidfd4j's own short, non-blocking code (reap, record, signal waiters,
 * hand further work to other threads), never user code, and it never dies.
 *
 * <p>Each registration's epoll data is {@code generation << 32 | fd}, so an event for a descriptor
 * number that was closed and reused can never be attributed to the wrong process.
 *
 * <p>A thread that waits for a child polls its pidfd itself for a moment, and meanwhile borrows the
 * watch out of the epoll set ({@link #lend}): the exit of a short-lived child then wakes that thread
 * alone, and a loop of spawn-and-wait mostly leaves the watcher asleep (an exit before the loan still
 * wakes it). The watcher still owns every watch (the map); the borrower finishes it or puts it back.
 */
final class PidfdWatcher {

    /** Re-arm delay after a readiness that was not an exit (ptrace detach, the RHEL 8.5 poll bug). */
    private static final long SPURIOUS_RETRY_NANOS = 10_000_000;
    private static final int BATCH = 64;

    /**
     * Something waited for through a descriptor: a pidfd, or a cgroup.events file
     * ({@link ChildCgroup.Watch}). Called only on the watcher thread.
     */
    abstract static class Watch {
        final PidfdHandle pidfd;
        long key;

        Watch(PidfdHandle pidfd) {
            this.pidfd = pidfd;
        }

        /** The pidfd is readable; returns true when the watch is done (and may be forgotten). */
        abstract boolean onReadable();

        /**
         * The watch could not be registered, or lost its registration (a re-arm failed for good): the
         * watcher has forgotten it and will never call it again, and it must still complete somehow.
         * The pidfd is the watch's own again, to release. By default a thread of its own takes over
         * (see {@link #waitAlone}); a test may override this.
         */
        void onRegistrationFailed(int errno) {
            Log.logger().log(Level.WARNING, "pidfd4j: cannot watch {0} with epoll ({1}); waiting on a thread instead",
                    describe(), LinuxNative.strerror(errno));
            waitAlone(this);
        }

        /** The epoll events that mean "look": EPOLLIN for a pidfd (readable at the exit). */
        int events() {
            return LinuxNative.EPOLLIN;
        }

        /** What is watched, for messages and thread names. */
        String describe() {
            return pidfd.toString();
        }

        /**
         * How long to stay disarmed after {@link #onReadable()} returned false. While disarmed, the
         * pidfd still reports EPOLLHUP, which Linux 6.9+ raises when the process is reaped.
         */
        long retryNanos() {
            return SPURIOUS_RETRY_NANOS;
        }

        long rearmAt;      // watcher thread only: when to re-arm
        boolean disarmed;  // watcher thread only: in the re-arm queue

        /**
         * Odd while a waiting thread has borrowed the watch out of the epoll set ({@link #lend}); one
         * more at each lend and return. An epoll_ctl of the watcher that fails while it is odd, or
         * across a change, failed because of a loan, and means nothing (see {@link #lentDuring}).
         */
        volatile int loans;
    }

    /**
     * Drives one watch on a thread of its own, for when epoll refuses it (ENOMEM, or ENOSPC past
     * fs.epoll.max_user_watches): the same onReadable() and retryNanos() as the watcher, with poll(2)
     * instead of epoll and a sleep instead of the disarmed wait. Slower, but nothing is lost. The
     * thread runs only pidfd4j's code and ends with the watch; if it cannot start, the error goes to
     * whoever registered the watch, and the pidfd stays theirs (the launcher kills and reaps through it).
     */
    static void waitAlone(Watch w) {
        Thread t = new Thread(null, new Runnable() {
            @Override
            public void run() {
                try {
                    while (LinuxNative.pidfd4j_poll(w.pidfd.fd(), -1) == 0 || !w.onReadable()) {
                        // poll: EINTR. onReadable: not done yet (a zombie not reaped, a status on its
                        // way); the watcher would stay disarmed this long, so does this thread.
                        LockSupport.parkNanos(w.retryNanos());
                    }
                } finally {
                    w.pidfd.release();  // as the watcher does once a watch is done
                }
            }
        }, "pidfd4j-waiter (" + w.describe() + ")", 64 * 1024, false);
        t.setDaemon(true);
        t.setContextClassLoader(null);  // runs no user code, so it pins no class loader
        t.start();
    }

    private static final class Holder {
        static final PidfdWatcher INSTANCE = new PidfdWatcher();
    }

    static PidfdWatcher get() {
        return Holder.INSTANCE;
    }

    /** epoll_ctl(2); a test substitutes one that fails. Returns 0 or an errno. */
    @FunctionalInterface
    interface EpollCtl {
        int ctl(int epfd, int op, int fd, int events, long data);
    }

    // Named classes, not lambdas, here and below: the first spawn would otherwise pay for the JDK's
    // lambda bootstrap (a library user's first spawn is meant to cost what the JDK's does).

    /** The real epoll_ctl. */
    private static final class NativeEpollCtl implements EpollCtl {
        @Override
        public int ctl(int epfd, int op, int fd, int events, long data) {
            return LinuxNative.pidfd4j_epoll_ctl(epfd, op, fd, events, data);
        }
    }

    /** nanoTime order: compare differences, never the values (they may wrap). */
    private static final class ByRearmTime implements Comparator<Watch> {
        @Override
        public int compare(Watch a, Watch b) {
            return Long.signum(a.rearmAt - b.rearmAt);
        }
    }

    /** The epoll data of {@link #wakeFd}; never a watch's key, which ends in a descriptor number, never -1. */
    private static final long WAKE_KEY = -1L;

    private final EpollCtl epoll;
    private final int epfd;
    private final Map<Long, Watch> watches = new ConcurrentHashMap<>();
    private final AtomicInteger generation = new AtomicInteger();
    /** Disarmed watches by re-arm time; watcher thread only. Delays differ per watch (see retryNanos). */
    private final PriorityQueue<Watch> rearm = new PriorityQueue<>(new ByRearmTime());

    /**
     * The watcher parks in Java while nothing is watched, instead of waiting in epoll_wait: at exit
     * HotSpot waits up to 300 ms for every thread that is in native code (VM_Exit::
     * wait_for_threads_in_native_to_block), so an idle watcher in epoll_wait made every JVM that had
     * used pidfd4j take 0.3 s longer to exit (measured: ./bench --only start-up, wall time).
     */
    private volatile boolean idle;
    private final Thread thread;

    /**
     * Whether waiting threads may borrow watches. A borrower that finishes the last watch leaves the
     * watcher in epoll_wait with nothing to watch, i.e. in native code at exit (see {@link #idle}); so
     * only a watcher whose shutdown hook wakes it first ({@link #quiesce}) lends, and not after it ran.
     */
    private volatile boolean lending;
    /** Read end of a pipe whose write end is closed, so always readable: put in the epoll set to wake the watcher. */
    private final int wakeFd;

    private PidfdWatcher() {
        this("pidfd4j-watcher", new NativeEpollCtl(), true, true);
    }

    /** A watcher of its own, for tests: a thread and an epoll set apart from the JVM's one watcher; it lends nothing. */
    PidfdWatcher(String threadName, EpollCtl epoll) {
        this(threadName, epoll, false, false);
    }

    /** A test watcher that lends without a shutdown hook: its test calls {@link #quiesce} itself. */
    static PidfdWatcher lendingForTests(String threadName) {
        return lendingForTests(threadName, new NativeEpollCtl());
    }

    /** The same with an epoll_ctl of the test's, which can step in between two calls. */
    static PidfdWatcher lendingForTests(String threadName, EpollCtl epoll) {
        return new PidfdWatcher(threadName, epoll, true, false);
    }

    private PidfdWatcher(String threadName, EpollCtl epoll, boolean lends, boolean shutdownHook) {
        this.epoll = epoll;
        int fd = LinuxNative.pidfd4j_epoll_create();
        if (fd < 0) {
            throw new IllegalStateException("epoll_create1: " + LinuxNative.strerror(-fd));
        }
        epfd = fd;
        wakeFd = lends ? wakeDescriptor() : -1;
        Thread t = new Thread(rootGroup(), new Runnable() {
            @Override
            public void run() {
                loop();
            }
        }, threadName, 0, false);
        t.setDaemon(true);
        t.setPriority(Thread.MAX_PRIORITY);  // like the JDK's reapers: exits are latency-sensitive
        t.setContextClassLoader(null);       // runs no user code, so it pins no class loader
        thread = t;
        t.start();
        lending = wakeFd >= 0 && (!shutdownHook || addShutdownHook());
    }

    /** A pipe's read end with the write end closed (readable at once: end of file), or -1. */
    private static int wakeDescriptor() {
        int[] p = new int[2];
        if (LinuxNative.pidfd4j_pipe(p) != 0) {  // close-on-exec from birth (pipe2 O_CLOEXEC)
            return -1;
        }
        LinuxNative.pidfd4j_close(p[1]);
        return p[0];
    }

    /** Registers {@link #quiesce} to run at shutdown; false if it cannot be (shutdown under way, a security manager). */
    private boolean addShutdownHook() {
        try {
            Thread hook = new Thread(rootGroup(), new Runnable() {
                @Override
                public void run() {
                    quiesce();
                }
            }, "pidfd4j-watcher-shutdown", 0, false);
            hook.setContextClassLoader(null);  // runs no user code
            Runtime.getRuntime().addShutdownHook(hook);
            return true;
        } catch (IllegalStateException | SecurityException e) {
            return false;  // watches are then never lent: the watcher sees every exit and parks when idle
        }
    }

    /**
     * At shutdown: lends no more, and if the watcher waits in epoll_wait with nothing to watch (a
     * borrower finished the last watch), wakes it and gives it a moment to park, so that HotSpot's exit
     * does not wait 300 ms for a thread in native code (see {@link #idle}). With live children it stays
     * in epoll_wait, as it always has.
     */
    void quiesce() {
        lending = false;
        if (wakeFd < 0 || idle || !watches.isEmpty()) {
            return;
        }
        wake();
        long deadline = System.nanoTime() + 100_000_000;
        while (!idle && watches.isEmpty() && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(100_000);
        }
    }

    /** Makes the watcher's epoll_wait return (it takes the wake descriptor out again). */
    private void wake() {
        epoll.ctl(epfd, LinuxNative.EPOLL_CTL_ADD, wakeFd, LinuxNative.EPOLLIN, WAKE_KEY);
    }

    /** Whether the watcher is parked, waiting for a first watch (for tests). */
    boolean isIdle() {
        return idle;
    }

    /**
     * For a thread about to poll a child's pidfd itself ({@link ChildReaper#pollBriefly}): takes the
     * watch out of the epoll set, so that the exit wakes that thread alone. Otherwise the watcher woke
     * at every exit too, and queued on the reap lock behind the waiter; and, parked again once idle,
     * had to be woken at the next spawn (measured: spawn+wait of a static program 10-15% faster on 2
     * CPUs, jmh/README.md). DEL, not a disarm (MOD to no events): a disarmed pidfd still reports
     * EPOLLHUP when its process is reaped. The watcher still owns the watch; {@link #giveBack} returns
     * it. False when not lent (another thread has it, the watcher finished it, shutdown, epoll refused):
     * the caller then polls alongside the watcher.
     */
    boolean lend(Watch w) {
        if (!lending) {
            return false;
        }
        synchronized (w) {
            if ((w.loans & 1) != 0) {
                return false;
            }
            w.loans++;
        }
        if (watches.get(w.key) == w && epoll.ctl(epfd, LinuxNative.EPOLL_CTL_DEL, w.pidfd.fd(), 0, 0) == 0) {
            return true;
        }
        w.loans++;
        return false;
    }

    /**
     * Returns a watch lent by {@link #lend}. {@code done}: its exit is recorded, so it is finished
     * here as the watcher finishes one (forgotten, its reference released), unless the watcher did it
     * meanwhile. Otherwise it goes back into the epoll set, armed; should epoll refuse now, it is
     * forgotten and waited for on a thread of its own, as when its first registration fails.
     */
    void giveBack(Watch w, boolean done) {
        try {
            if (done) {
                if (watches.remove(w.key, w)) {
                    w.pidfd.release();
                    if (!lending && watches.isEmpty()) {
                        wake();  // lent before the shutdown hook ran, finished after: the hook did not wake it
                    }
                }
            } else if (watches.get(w.key) == w) {
                int err = epoll.ctl(epfd, LinuxNative.EPOLL_CTL_ADD, w.pidfd.fd(), w.events(), w.key);
                if (err != 0) {
                    if (watches.remove(w.key, w)) {
                        w.onRegistrationFailed(err);
                    }
                } else if (watches.get(w.key) != w) {
                    // The watcher finished it just now, from an exit it had read before the loan: out
                    // again, or its pidfd, readable for good, would wake the watcher under a key it no
                    // longer knows for as long as the file lives (a duplicate can keep it alive). The
                    // borrower still holds the pidfd, so this number is still this file.
                    epoll.ctl(epfd, LinuxNative.EPOLL_CTL_DEL, w.pidfd.fd(), 0, 0);
                }
            }
        } finally {
            w.loans++;
        }
    }

    /** Whether a watch was lent at some point since {@code before} was read from its {@link Watch#loans}. */
    private static boolean lentDuring(Watch w, int before) {
        return (before & 1) != 0 || w.loans != before;
    }

    private static ThreadGroup rootGroup() {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        while (g.getParent() != null) {
            g = g.getParent();
        }
        return g;
    }

    /** Number of processes currently watched. */
    int size() {
        return watches.size();
    }

    /** Starts watching; if the pidfd is readable already, the watch fires at once. */
    void watch(Watch w) {
        long key = ((long) generation.incrementAndGet() << 32) | (w.pidfd.fd() & 0xffffffffL);
        w.key = key;
        watches.put(key, w);
        int err = epoll.ctl(epfd, LinuxNative.EPOLL_CTL_ADD, w.pidfd.fd(), w.events(), key);
        if (err != 0) {  // ENOMEM, or ENOSPC past fs.epoll.max_user_watches
            watches.remove(key);
            w.onRegistrationFailed(err);
        } else if (idle) {  // read after the put: the watcher either sees the watch or is woken here
            LockSupport.unpark(thread);
        }
    }

    private void loop() {
        long[] ready = new long[BATCH];
        while (true) {
            try {
                if (watches.isEmpty()) {
                    idle = true;  // written before the map is read again: see watch()
                    while (watches.isEmpty()) {
                        LockSupport.park(this);
                    }
                    idle = false;
                }
                int n = LinuxNative.pidfd4j_epoll_wait(epfd, ready, timeoutMillis());
                if (n < 0) {
                    Log.logger().log(Level.ERROR, "pidfd4j: epoll_wait failed: {0}", LinuxNative.strerror(-n));
                    Thread.sleep(10);
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    if (ready[i] == WAKE_KEY) {  // quiesce(): out again, then park below if nothing is watched
                        epoll.ctl(epfd, LinuxNative.EPOLL_CTL_DEL, wakeFd, 0, 0);
                        continue;
                    }
                    Watch w = watches.get(ready[i]);
                    if (w != null) {
                        dispatch(w);
                    }
                }
                rearmDue();
            } catch (Throwable t) {  // never die: every live child depends on this thread
                Log.logger().log(Level.ERROR, "pidfd4j: unexpected error in the watcher thread", t);
            }
        }
    }

    private void dispatch(Watch w) {
        // Read before anything else: a loan that starts after this read shows as a change, and one
        // that ended before it either put the watch back armed (the epoll_ctl below works) or
        // finished it (it is no longer in the map, looked at below). Read any later, a whole loan
        // could fall between the look and the read, and its DEL look like our own failure.
        int lent = w.loans;
        boolean done;
        try {
            done = w.onReadable();
        } catch (Throwable t) {
            Log.logger().log(Level.ERROR, "pidfd4j: error while handling the exit of " + w.pidfd, t);
            done = true;
        }
        if (done) {
            if (!watches.remove(w.key, w)) {
                return;  // finished by a borrower meanwhile (giveBack), which released it
            }
            int err = epoll.ctl(epfd, LinuxNative.EPOLL_CTL_DEL, w.pidfd.fd(), 0, 0);
            if (err != 0 && !lentDuring(w, lent)) {
                // Nothing leaks and nothing is misattributed: closing the pidfd (release, just below)
                // drops its epoll entry with the file, and an event from it until then carries a key
                // that is no longer in the map. A failure still means a bug (EBADF: someone closed our
                // pidfd), so it is said.
                Log.logger().log(Level.WARNING, "pidfd4j: epoll_ctl(DEL) of {0} failed: {1}", w.pidfd,
                        LinuxNative.strerror(err));
            }
            w.pidfd.release();
        } else {
            // Readable but not done: disarm, and look again later instead of spinning. One already
            // queued for a re-arm is disarmed again, not queued twice: a borrower gave it back armed
            // (giveBack cannot know it was disarmed). Otherwise a disarmed watch is woken only by
            // EPOLLHUP, i.e. once the process is reaped, which every Watch takes as done.
            if (watches.get(w.key) != w) {
                return;  // finished by a borrower meanwhile: its descriptor may be closed already
            }
            int err = modify(w, 0);
            if (err != 0) {
                if (lentDuring(w, lent)) {
                    return;  // out of the set on loan: it comes back armed, and is looked at again then
                }
                // Transient: it is still armed, so epoll reports it again at once (level-triggered)
                // and both the look and the disarm are retried, a busy loop only while that lasts.
                if (!isTransient(err)) {
                    lost(w, err);
                }
                return;
            }
            if (!w.disarmed) {
                w.disarmed = true;
                w.rearmAt = System.nanoTime() + w.retryNanos();
                rearm.add(w);
            }
        }
    }

    /**
     * EPOLL_CTL_MOD of a watch the map still holds, with its pidfd held meanwhile: a borrower may
     * finish the watch at any moment and release it, and the number of a closed pidfd can come back
     * at once as another child's, whose entry a MOD would then hijack. EBADF if it is closed already.
     */
    private int modify(Watch w, int events) {
        if (!w.pidfd.acquire()) {
            return LinuxNative.EBADF;
        }
        try {
            return epoll.ctl(epfd, LinuxNative.EPOLL_CTL_MOD, w.pidfd.fd(), events, w.key);
        } finally {
            w.pidfd.release();
        }
    }

    /**
     * Whether an epoll_ctl failure may pass if tried again. MOD allocates nothing in today's kernels;
     * ENOMEM and EAGAIN are there for a kernel that does, EINTR for a fatal signal on its way.
     */
    private static boolean isTransient(int err) {
        return err == LinuxNative.ENOMEM || err == LinuxNative.EAGAIN || err == LinuxNative.EINTR;
    }

    /**
     * A re-arm or disarm failed for good (ENOENT: the entry went with a closed file; EBADF, EINVAL,
     * EPERM: a bug): epoll will never report this watch again, so it is forgotten here and falls back
     * to its own way of waiting, exactly as when its registration failed. Never a silent loss: that
     * would be a child that is never reaped and an onExit() that never completes.
     */
    private void lost(Watch w, int err) {
        watches.remove(w.key);
        // An entry that may still be there is removed, or a readable one would be reported forever
        // under a forgotten key. Not after ENOENT or EBADF: then there is none for this number, and
        // a DEL could hit the entry of another watch whose pidfd got the number meanwhile.
        if (err != LinuxNative.ENOENT && err != LinuxNative.EBADF) {
            epoll.ctl(epfd, LinuxNative.EPOLL_CTL_DEL, w.pidfd.fd(), 0, 0);
        }
        w.onRegistrationFailed(err);
    }

    private int timeoutMillis() {
        Watch due = rearm.peek();
        return due == null ? -1 : (int) Math.max(0, (due.rearmAt - System.nanoTime() + 999_999) / 1_000_000);
    }

    private void rearmDue() {
        long now = System.nanoTime();
        List<Watch> again = null;  // queued after the loop: a zero delay must not make it endless
        while (!rearm.isEmpty() && rearm.peek().rearmAt - now <= 0) {
            Watch w = rearm.poll();
            w.disarmed = false;
            int lent = w.loans;  // before the map, as in dispatch()
            // Done meanwhile (woken by EPOLLHUP while disarmed): its descriptor may be closed and its
            // number reused by another watch, which a MOD here would hijack.
            if (watches.get(w.key) != w) {
                continue;
            }
            int err = modify(w, w.events());
            if (err == 0 || lentDuring(w, lent)) {
                continue;  // on loan: it comes back armed
            }
            if (isTransient(err)) {  // still disarmed: try again after the watch's next delay
                w.disarmed = true;
                w.rearmAt = now + w.retryNanos();
                (again == null ? again = new ArrayList<>() : again).add(w);
            } else {
                lost(w, err);
            }
        }
        if (again != null) {
            rearm.addAll(again);
        }
    }
}
