package io.github.pidfd4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A waiting thread borrows a child's watch out of the watcher's epoll set while it polls the pidfd
 * itself ({@link PidfdWatcher#lend}): the watcher must not see an exit meanwhile, must get back what is
 * given back unfinished, must take its own epoll_ctl failures on a lent watch for what they are (not a
 * lost registration), and at shutdown must leave epoll_wait to park when a borrower finished its last
 * watch. Each test runs a lending watcher of its own; the JVM's watcher lends the same way.
 */
class WatchLendingTest {

    @BeforeEach
    void pidfdsWork() {
        assumeTrue(Pidfd.isAvailable(), () -> "pidfds unusable here: " + Pidfd.unavailabilityCause());
    }

    /** Counts the watcher's looks; done once the process has exited, or at the second look with {@code secondLook}. */
    private static final class CountingWatch extends PidfdWatcher.Watch {
        final AtomicInteger looks = new AtomicInteger();
        final CompletableFuture<String> outcome = new CompletableFuture<>();
        final boolean secondLook;

        CountingWatch(int fd, boolean secondLook) {
            super(new PidfdHandle(fd));
            this.secondLook = secondLook;
        }

        @Override
        boolean onReadable() {
            int n = looks.incrementAndGet();
            if (secondLook && n == 1) {
                return false;  // as for a spurious wake-up: the watcher disarms it and re-arms it later
            }
            outcome.complete("seen by the watcher");
            return true;
        }

        @Override
        long retryNanos() {
            return 200_000_000;
        }

        @Override
        void onRegistrationFailed(int errno) {
            outcome.complete("handed to a thread of its own: " + LinuxNative.strerror(errno));
            pidfd.release();
        }
    }

    private static Process sleeper() throws Exception {
        return new ProcessBuilder("sleep", "60").start();
    }

    /** A watch of {@code p} through a pidfd of its own, handed to {@code watcher}. */
    private static CountingWatch watched(PidfdWatcher watcher, Process p) {
        int fd = LinuxNative.pidfd4j_pidfd_open((int) p.pid());
        assertTrue(fd >= 0, "pidfd_open: " + fd);
        CountingWatch w = new CountingWatch(fd, false);
        watcher.watch(w);
        return w;
    }

    @Test
    void anExitWhileLentWakesOnlyTheBorrowerWhichFinishesTheWatch() throws Exception {
        PidfdWatcher watcher = PidfdWatcher.lendingForTests("test-watcher-lend");
        Process p = sleeper();
        CountingWatch w = watched(watcher, p);
        assertTrue(watcher.lend(w));
        assertFalse(watcher.lend(w), "one borrower at a time");
        p.destroyForcibly().waitFor();  // the JDK reaps it; its pidfd is readable from now on
        Thread.sleep(200);
        assertEquals(0, w.looks.get(), "the watcher saw an exit while the watch was lent");
        assertEquals(1, watcher.size());
        watcher.giveBack(w, true);
        assertEquals(0, watcher.size(), "finished by the borrower");
        assertFalse(w.pidfd.acquire(), "the watch's reference was released: the pidfd is closed");
        Thread.sleep(100);
        assertEquals(0, w.looks.get());
    }

    @Test
    void aWatchGivenBackUnfinishedIsTheWatchersAgain() throws Exception {
        PidfdWatcher watcher = PidfdWatcher.lendingForTests("test-watcher-give-back");
        Process p = sleeper();
        CountingWatch w = watched(watcher, p);
        assertTrue(watcher.lend(w));
        watcher.giveBack(w, false);
        assertTrue(watcher.lend(w), "lent again once given back");
        watcher.giveBack(w, false);
        p.destroyForcibly();
        assertEquals("seen by the watcher", w.outcome.get(10, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (watcher.size() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);  // the outcome completes inside onReadable, just before the watcher forgets the watch
        }
        assertEquals(0, watcher.size());
        p.waitFor();
    }

    /**
     * The watcher's re-arm of a watch it disarmed fails with ENOENT while the watch is lent (out of the
     * set). That is no lost registration: the watch must not go to a thread of its own, and must be
     * looked at again once it is given back.
     */
    @Test
    void theWatchersFailuresOnALentWatchMeanNothing() throws Exception {
        PidfdWatcher watcher = PidfdWatcher.lendingForTests("test-watcher-lent-rearm");
        // An exited process nobody reaps for a while: readable, and no EPOLLHUP until its reap.
        Process parent = new ProcessBuilder("/bin/sh", "-c", "sleep 0.05 & echo $!; exec sleep 60").start();
        int pid = Integer.parseInt(new BufferedReader(new InputStreamReader(parent.getInputStream())).readLine().trim());
        try {
            int fd = LinuxNative.pidfd4j_pidfd_open(pid);
            assertTrue(fd >= 0, "pidfd_open: " + fd);
            CountingWatch w = new CountingWatch(fd, true);
            watcher.watch(w);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (w.looks.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, w.looks.get(), "first look: not done, so disarmed and queued for a re-arm in 200 ms");
            assertTrue(watcher.lend(w));
            Thread.sleep(500);  // the re-arm came and failed (ENOENT: not in the set)
            assertFalse(w.outcome.isDone(), () -> "the watcher treated a lent watch as lost: " + w.outcome.join());
            watcher.giveBack(w, false);
            assertEquals("seen by the watcher", w.outcome.get(10, TimeUnit.SECONDS));
            assertEquals(2, w.looks.get());
        } finally {
            parent.destroyForcibly().waitFor();
        }
    }

    @Test
    void atShutdownAWatcherLeftInEpollWaitWithNothingToWatchParks() throws Exception {
        PidfdWatcher watcher = PidfdWatcher.lendingForTests("test-watcher-quiesce");
        Process p = sleeper();
        CountingWatch w = watched(watcher, p);  // unparks the watcher, which waits in epoll_wait from now on
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (watcher.isIdle() && System.nanoTime() < deadline) {
            Thread.sleep(1);  // out of park first: taken back before, the watch would leave it parked
        }
        assertTrue(watcher.lend(w));
        p.destroyForcibly().waitFor();
        watcher.giveBack(w, true);
        Thread.sleep(100);
        assertEquals(0, watcher.size());
        assertFalse(watcher.isIdle(), "nothing told the watcher: it is still in epoll_wait (in native code)");
        watcher.quiesce();
        assertTrue(watcher.isIdle(), "parked before the hook returns, so HotSpot's exit need not wait for it");
        Process q = sleeper();
        CountingWatch after = watched(watcher, q);
        assertFalse(watcher.lend(after), "nothing is lent after shutdown began");
        q.destroyForcibly();
        assertEquals("seen by the watcher", after.outcome.get(10, TimeUnit.SECONDS), "and it still works");
        q.waitFor();
    }
}
