package io.github.pidfd4j.linux;

import java.util.concurrent.locks.LockSupport;

/**
 * The one thread that creates the children which must die with the JVM through the parent-death
 * signal. Linux sends {@code PR_SET_PDEATHSIG} when the <em>thread</em> that created the child ends,
 * not the process (prctl(2)); a child created by a short-lived application thread, or a virtual
 * thread's carrier that the pool retires, would be killed long before the JVM dies. So those spawns
 * are handed to this thread, which lives as long as the JVM: it ends only when the whole process does,
 * which is exactly when the signal must fire.
 *
 * <p>It runs nothing but {@link LinuxNative#pidfd4j_spawn}: the caller prepares everything (redirect
 * files, pipes, the spawn block, the SecurityManager checks, all with the caller's own rights and
 * exceptions) and does everything after. Started on the first spawn that needs it, never otherwise.
 * It never dies: whatever a spawn throws goes back to its caller. Spawns through it are made one at a
 * time, in the order they were handed over.
 */
final class ParentDeathSpawner {

    /** One spawn handed over: its arguments, then its result. Allocated before the hand-over. */
    static final class Request {
        private final int path;
        private final byte[] block;
        private final int redirectErr;
        private final int[] out;
        private final Thread caller = Thread.currentThread();
        private Request next;               // under LOCK: the queue is a list of requests
        private int result;                 // written by the spawner before done
        private Throwable failure;          // written by the spawner before done
        private volatile boolean done;

        Request(int path, byte[] block, int redirectErr, int[] out) {
            this.path = path;
            this.block = block;
            this.redirectErr = redirectErr;
            this.out = out;
        }

        private void run() {
            try {
                result = LinuxNative.pidfd4j_spawn(path, block, redirectErr, out);
            } catch (Throwable t) {  // e.g. OutOfMemoryError in the JNI call: the caller's to handle
                failure = t;
            } finally {
                done = true;
                LockSupport.unpark(caller);
            }
        }
    }

    private static final Object LOCK = new Object();  // private: no user code can hold it
    private static Thread thread;                     // under LOCK: null until the first spawn
    private static Request head;                      // under LOCK
    private static Request tail;                      // under LOCK

    private ParentDeathSpawner() {
    }

    /** Starts the thread unless it runs; throws (an OutOfMemoryError: no thread can be created) when it cannot. */
    static void ensureStarted() {
        synchronized (LOCK) {
            if (thread == null) {
                Thread t = Privileged.get(ParentDeathSpawner::newThread);  // it must not inherit the caller's context
                t.start();
                thread = t;  // only once it runs: a thread that failed to start would leave every spawn waiting
            }
        }
    }

    private static Thread newThread() {
        Thread t = new Thread(rootGroup(), new Runnable() {
            @Override
            public void run() {
                loop();
            }
        }, "pidfd4j-parent-death-spawner", 0, false);
        t.setDaemon(true);               // never keeps the JVM alive; its death is the JVM's
        t.setContextClassLoader(null);   // runs no user code, so it pins no class loader
        return t;
    }

    private static ThreadGroup rootGroup() {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        while (g.getParent() != null) {
            g = g.getParent();
        }
        return g;
    }

    /**
     * A spawn to hand over: starts the thread unless it runs. Called before the spawn, where a
     * failure (no thread can be created) still frees what the spawn took.
     */
    static Request request(int path, byte[] block, int redirectErr, int[] out) {
        ensureStarted();
        return new Request(path, block, redirectErr, out);
    }

    /**
     * Spawns on the spawner thread (after {@link #request}); the same contract as
     * {@link LinuxNative#pidfd4j_spawn}. Once handed over, the spawn cannot be recalled, so the
     * caller waits for it even when interrupted, and gets the child or the failure: the interrupt is
     * kept for the caller's next blocking call (as the JDK's own process start, which is not
     * interruptible either).
     */
    static int spawn(Request r) {
        synchronized (LOCK) {  // no allocation here: the list is made of the requests themselves
            if (tail == null) {
                head = r;
            } else {
                tail.next = r;
            }
            tail = r;
            LOCK.notify();
        }
        boolean interrupted = false;
        while (!r.done) {
            LockSupport.park(r);  // no monitor: a virtual thread waits without pinning its carrier
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable t = r.failure;
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        return r.result;  // the native call throws nothing checked
    }

    private static void loop() {
        for (;;) {
            try {
                Request r;
                synchronized (LOCK) {
                    while (head == null) {
                        LOCK.wait();
                    }
                    r = head;
                    head = r.next;
                    if (head == null) {
                        tail = null;
                    }
                    r.next = null;
                }
                r.run();
            } catch (Throwable t) {  // InterruptedException (no one should), anything else: never die
                // The request, if taken, has its answer (run() catches all); nothing to hand back here.
            }
        }
    }
}
