package io.github.pidfd4j.linux;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.function.Consumer;

/**
 * The exit of one child: recorded once, by whichever thread reaps it, then read by everyone. It is
 * one latch that publishes one immutable {@link ExitInfo}: {@link #now()} is a single volatile read
 * (isAlive, exitValue), {@link #await()} parks until {@link #record} opens the latch (waitFor), and
 * the onExit futures hang off one future that is completed right after.
 *
 * <p>Waits block and take interrupts as the JDK's ProcessImpl does (a lock and a condition there): a
 * thread that finds the exit recorded gets it even when interrupted; a wait that has to block throws
 * InterruptedException. The latch is the JDK's CountDownLatch's technique; it is not a
 * CompletableFuture.get(), which would run other async tasks of a pool thread while it waits.
 */
final class ExitRecord {

    /** Open once the info is set; parks the waiters until then. */
    private static final class Latch extends AbstractQueuedSynchronizer {
        volatile ExitInfo info;

        @Override
        protected int tryAcquireShared(int unused) {
            return info != null ? 1 : -1;
        }

        @Override
        protected boolean tryReleaseShared(int unused) {
            return true;  // info was set before: every waiter may go
        }
    }

    private final Latch latch = new Latch();

    /** Completed after the latch opens; only ever given dependents, never to users. */
    private final CompletableFuture<ExitInfo> exited = new CompletableFuture<>();

    /** See {@link #whenRecorded}: null unless a Flight Recorder watches this child. */
    private volatile Consumer<ExitInfo> observer;

    /** Records the exit, wakes every waiter, then completes the future. Called once, under the reap lock. */
    void record(ExitInfo info) {
        Consumer<ExitInfo> o = observer;
        if (o != null) {
            try {
                o.accept(info);  // before the waiters wake: what follows a waitFor() sees the exit event
            } catch (Throwable never) {
                // the observer catches its own failures; nothing may keep the exit from the waiters
            }
        }
        latch.info = info;
        latch.releaseShared(0);
        exited.complete(info);
    }

    /** The exit, or null while none is recorded. Never waits. */
    ExitInfo now() {
        return latch.info;
    }

    /** Waits for the exit, as {@code Process.waitFor()} does. */
    ExitInfo await() throws InterruptedException {
        ExitInfo info = latch.info;
        if (info == null) {
            latch.acquireSharedInterruptibly(0);
            info = latch.info;
        }
        return info;
    }

    /** Waits at most {@code nanos} for the exit, as {@code Process.waitFor(timeout, unit)} does; null if none. */
    ExitInfo await(long nanos) throws InterruptedException {
        ExitInfo info = latch.info;
        if (info == null && nanos > 0 && latch.tryAcquireSharedNanos(0, nanos)) {
            info = latch.info;
        }
        return info;
    }

    /**
     * A new future that completes with {@code value} after the exit, on the default async executor
     * as the JDK's do, so user dependents never run on the thread that reaped (the watcher, usually).
     */
    <T> CompletableFuture<T> whenExited(T value) {
        return exited.handleAsync((info, never) -> value);
    }

    /**
     * The exit value, completed on the thread that reaped: only for callers that attach nothing but
     * async stages (the agent's hook for the JDK's onExit(), which adds its own handleAsync).
     */
    CompletableFuture<Integer> exitValueFuture() {
        return exited.thenApply(ExitInfo::exitValue);
    }

    /**
     * A new future of the exit in {@link ExitInfo#toArray its neutral form}, completed on the default
     * async executor as {@link #whenExited} is; completing it changes nothing here.
     */
    CompletableFuture<long[]> arrayWhenExited(long pid) {
        return exited.thenApplyAsync(info -> info.toArray(pid));
    }

    /**
     * Runs {@code action} at the exit: on the thread that records it (the watcher, under the reap
     * lock), before the waiters wake; or, when the exit is recorded already or being recorded, on this
     * thread or the recording one, after. Possibly twice (the two paths cannot both miss it, but may
     * both see it): the action must run once only by itself. Only for pidfd4j's own work that never
     * blocks and never throws (the Flight Recorder exit event), never for user code.
     */
    void whenRecorded(Consumer<ExitInfo> action) {
        observer = action;
        exited.thenAccept(action);  // the exit recorded before the line above was seen: still told
    }
}
