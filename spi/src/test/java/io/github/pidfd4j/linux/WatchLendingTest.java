package io.github.pidfd4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        try (Zombie z = new Zombie()) {  // readable, and no EPOLLHUP until its reap
            CountingWatch w = new CountingWatch(z.openPidfd(), true);
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

    /**
     * Borrows itself and finishes itself from inside the watcher's look: a whole loan between the
     * watcher's wake-up and its epoll_ctl, as when a waitFor() polls a child that has just been killed
     * (CI's 500-children run caught the watcher reporting the borrower's DEL as its own failure).
     */
    private static final class FinishedByABorrowerDuringTheLook extends PidfdWatcher.Watch {
        final PidfdWatcher watcher;
        final boolean lookSaysDone;
        final CompletableFuture<String> outcome = new CompletableFuture<>();
        final AtomicInteger failedRegistrations = new AtomicInteger();

        FinishedByABorrowerDuringTheLook(PidfdWatcher watcher, int fd, boolean lookSaysDone) {
            super(new PidfdHandle(fd));
            this.watcher = watcher;
            this.lookSaysDone = lookSaysDone;
        }

        @Override
        boolean onReadable() {
            if (outcome.isDone()) {
                return true;  // a second look at a finished watch: the failure shows in outcome
            }
            if (!watcher.lend(this)) {
                outcome.complete("not lent");
                return true;
            }
            watcher.giveBack(this, true);  // releases the watch's reference: the pidfd is closed now
            outcome.complete("finished by the borrower");
            return lookSaysDone;
        }

        @Override
        void onRegistrationFailed(int errno) {
            failedRegistrations.incrementAndGet();
            pidfd.release();
        }
    }

    @ParameterizedTest(name = "the watcher''s look says done: {0}")
    @ValueSource(booleans = {false, true})
    void aLoanThatBeginsAndEndsWhileTheWatcherLooksIsNoFailure(boolean lookSaysDone) throws Exception {
        try (LogCapture log = LogCapture.warnings()) {
            PidfdWatcher watcher = PidfdWatcher.lendingForTests("test-watcher-loan-in-look-" + lookSaysDone);
            Process p = sleeper();
            int fd = LinuxNative.pidfd4j_pidfd_open((int) p.pid());
            assertTrue(fd >= 0, "pidfd_open: " + fd);
            FinishedByABorrowerDuringTheLook w = new FinishedByABorrowerDuringTheLook(watcher, fd, lookSaysDone);
            watcher.watch(w);
            p.destroyForcibly().waitFor();
            assertEquals("finished by the borrower", w.outcome.get(10, TimeUnit.SECONDS));
            Thread.sleep(300);  // well past the watcher's epoll_ctl after the look
            assertEquals(0, w.failedRegistrations.get(), "a watch its borrower finished was taken for lost");
            assertEquals(0, watcher.size());
            assertEquals(List.of(), log.said());
        }
    }

    /** Done at its first look, which waits for the test's word first. */
    private static final class HeldLook extends PidfdWatcher.Watch {
        final CountDownLatch inLook = new CountDownLatch(1);
        final CountDownLatch lookMayEnd = new CountDownLatch(1);

        HeldLook(int fd) {
            super(new PidfdHandle(fd));
        }

        @Override
        boolean onReadable() {
            inLook.countDown();
            try {
                return lookMayEnd.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }

        @Override
        void onRegistrationFailed(int errno) {
            pidfd.release();
        }
    }

    /**
     * The watcher read an exit just before the watch was lent, and finishes the watch while the
     * borrower gives it back unfinished (its poll timed out): the borrower's ADD must not leave an
     * entry behind under a key the watcher has forgotten, which would report the readable pidfd to
     * the watcher again and again.
     */
    @Test
    void aWatchTheWatcherFinishesWhileItIsGivenBackLeavesNoEntry() throws Exception {
        AtomicBoolean holdAdd = new AtomicBoolean();
        AtomicInteger epfd = new AtomicInteger(-1);
        PidfdWatcher[] watcher = new PidfdWatcher[1];
        HeldLook[] w = new HeldLook[1];
        PidfdWatcher.EpollCtl ctl = (ep, op, fd, events, data) -> {
            epfd.set(ep);
            if (op == LinuxNative.EPOLL_CTL_ADD && holdAdd.getAndSet(false)) {
                w[0].lookMayEnd.countDown();  // the watcher finishes the watch between giveBack's look and its ADD
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (watcher[0].size() != 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            }
            return LinuxNative.pidfd4j_epoll_ctl(ep, op, fd, events, data);
        };
        watcher[0] = PidfdWatcher.lendingForTests("test-watcher-finish-while-given-back", ctl);
        Process p = sleeper();
        int fd = LinuxNative.pidfd4j_pidfd_open((int) p.pid());
        assertTrue(fd >= 0, "pidfd_open: " + fd);
        w[0] = new HeldLook(fd);
        watcher[0].watch(w[0]);
        p.destroyForcibly().waitFor();
        assertTrue(w[0].inLook.await(10, TimeUnit.SECONDS), "the watcher never looked");
        assertTrue(w[0].pidfd.acquire(), "held as a borrower holds it");
        try {
            assertTrue(watcher[0].lend(w[0]));
            holdAdd.set(true);
            watcher[0].giveBack(w[0], false);
            assertFalse(holdAdd.get(), "giveBack did not ADD");
            assertEquals(0, watcher[0].size());
            assertEquals(LinuxNative.ENOENT, LinuxNative.pidfd4j_epoll_ctl(epfd.get(), LinuxNative.EPOLL_CTL_DEL, fd, 0, 0),
                    "an entry for the finished watch was left in the epoll set");
        } finally {
            w[0].pidfd.release();
        }
    }

    /** Not done until told, looked at again every second meanwhile. */
    private static final class DoneWhenTold extends PidfdWatcher.Watch {
        final AtomicInteger looks = new AtomicInteger();
        final AtomicBoolean told = new AtomicBoolean();
        final CompletableFuture<String> outcome = new CompletableFuture<>();

        DoneWhenTold(int fd) {
            super(new PidfdHandle(fd));
        }

        @Override
        boolean onReadable() {
            looks.incrementAndGet();
            if (!told.get()) {
                return false;
            }
            outcome.complete("seen by the watcher");
            return true;
        }

        @Override
        long retryNanos() {
            return 1_000_000_000;  // far beyond the test's 150 ms of quiet, even on a loaded machine
        }

        @Override
        void onRegistrationFailed(int errno) {
            outcome.complete("handed to a thread of its own: " + LinuxNative.strerror(errno));
            pidfd.release();
        }
    }

    /**
     * A watch the watcher disarmed (readable, not done) and queued for a re-arm is lent and given back
     * unfinished, i.e. armed: the watcher must disarm it again at its next look rather than be woken by
     * it at every epoll_wait until the re-arm is due.
     */
    @Test
    void aWatchGivenBackArmedWhileQueuedForARearmIsDisarmedAgain() throws Exception {
        PidfdWatcher watcher = PidfdWatcher.lendingForTests("test-watcher-give-back-disarmed");
        try (Zombie z = new Zombie()) {  // readable, and no EPOLLHUP until its reap
            DoneWhenTold w = new DoneWhenTold(z.openPidfd());
            watcher.watch(w);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (w.looks.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(1, w.looks.get(), "first look: not done, so disarmed and queued for a re-arm in 1 s");
            Thread.sleep(20);  // the disarm, just after the look
            assertTrue(watcher.lend(w));
            watcher.giveBack(w, false);  // back in the set, armed
            Thread.sleep(150);           // before the re-arm is due
            assertEquals(2, w.looks.get(), "one look after the give-back, then quiet until the re-arm");
            w.told.set(true);
            assertEquals("seen by the watcher", w.outcome.get(10, TimeUnit.SECONDS), "at the re-arm");
            assertEquals(3, w.looks.get());
        }
    }
}
