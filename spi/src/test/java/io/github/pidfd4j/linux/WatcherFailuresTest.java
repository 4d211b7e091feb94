package io.github.pidfd4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.pidfd4j.Proc;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * epoll_ctl failing under the watcher: no exit may be lost and no onExit() may complete early. Each
 * test runs a watcher of its own whose epoll_ctl fails where the test says.
 */
class WatcherFailuresTest {

    private static final int ENOSPC = 28;  // past fs.epoll.max_user_watches

    @BeforeEach
    void pidfdsWork() {
        assumeTrue(Pidfd.isAvailable(), () -> "pidfds unusable here: " + Pidfd.unavailabilityCause());
    }

    /** epoll_ctl that fails the first {@code times} calls of op with these events with err, then works. */
    private static PidfdWatcher.EpollCtl failing(int op, int events, int err, int times) {
        AtomicInteger left = new AtomicInteger(times);
        return (epfd, o, fd, ev, data) -> {
            if (o == op && ev == events && left.getAndDecrement() > 0) {
                return err;
            }
            return LinuxNative.pidfd4j_epoll_ctl(epfd, o, fd, ev, data);
        };
    }

    /** Reports "not done" at the first readiness (as for a spurious wake-up), done at the second. */
    private static final class SecondLook extends PidfdWatcher.Watch {
        final AtomicInteger looks = new AtomicInteger();
        final CompletableFuture<String> outcome = new CompletableFuture<>();

        SecondLook(int fd) {
            super(new PidfdHandle(fd));
        }

        @Override
        boolean onReadable() {
            if (looks.incrementAndGet() == 1) {
                return false;
            }
            outcome.complete("seen again");
            return true;
        }

        @Override
        long retryNanos() {
            return 1_000_000;
        }

        @Override
        void onRegistrationFailed(int errno) {
            pidfd.release();
            outcome.complete("handed back: " + LinuxNative.strerror(errno));
        }
    }

    @Test
    void aTransientlyFailedReArmIsTriedAgain() throws Exception {
        PidfdWatcher watcher = new PidfdWatcher("test-watcher-rearm-enomem",
                failing(LinuxNative.EPOLL_CTL_MOD, LinuxNative.EPOLLIN, LinuxNative.ENOMEM, 1));
        try (Zombie z = new Zombie()) {
            SecondLook w = new SecondLook(z.openPidfd());
            watcher.watch(w);
            // Before: the failed re-arm was ignored, the watch stayed disarmed, the exit was never seen again.
            assertEquals("seen again", w.outcome.get(20, TimeUnit.SECONDS));
            assertTrue(Proc.eventually(10_000, () -> watcher.size() == 0), "forgotten by the watcher");
        }
    }

    @Test
    void aReArmThatFailsForGoodHandsTheWatchBack() throws Exception {
        PidfdWatcher watcher = new PidfdWatcher("test-watcher-rearm-enoent", (epfd, op, fd, events, data) -> {
            if (op == LinuxNative.EPOLL_CTL_MOD && events == LinuxNative.EPOLLIN) {
                // The entry is gone, as when its file was closed under the watcher: re-arming cannot work.
                LinuxNative.pidfd4j_epoll_ctl(epfd, LinuxNative.EPOLL_CTL_DEL, fd, 0, 0);
                return LinuxNative.ENOENT;
            }
            return LinuxNative.pidfd4j_epoll_ctl(epfd, op, fd, events, data);
        });
        try (Zombie z = new Zombie()) {
            SecondLook w = new SecondLook(z.openPidfd());
            watcher.watch(w);
            // Before: nothing was told, and the watcher kept a watch that epoll would never report.
            assertEquals("handed back: " + LinuxNative.strerror(LinuxNative.ENOENT), w.outcome.get(20, TimeUnit.SECONDS));
            assertTrue(Proc.eventually(10_000, () -> watcher.size() == 0), "forgotten by the watcher");
        }
    }

    @Test
    void onExitOfANonChildWaitsForTheExitWhenEpollRefusesThePidfd() throws Exception {
        PidfdWatcher watcher = new PidfdWatcher("test-watcher-add-enospc",
                failing(LinuxNative.EPOLL_CTL_ADD, LinuxNative.EPOLLIN, ENOSPC, Integer.MAX_VALUE));
        Process p = new ProcessBuilder("sleep", "60").start();  // the JDK's child: not pidfd4j's
        try {
            CompletableFuture<Integer> exited = ForeignExit.onExit(p.pid(), watcher);
            // Before: completed exceptionally at once, which the JDK's onExit() reports as the exit.
            assertFalse(exited.isDone(), "done while the process runs: " + exited);
            p.destroy();
            assertEquals(0, exited.get(20, TimeUnit.SECONDS));
            // Gone for the kernel (reaped). Not p.isAlive(): the JDK's reaper thread marks its Process
            // exited a moment after its waitpid returns, which failed this test once in about ten runs.
            assertFalse(ProcessHandle.of(p.pid()).isPresent(), "completed before the reap");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /** Like SecondLook, but leaves a refused registration to the watcher's own fallback (waitAlone). */
    private static final class SecondLookAlone extends PidfdWatcher.Watch {
        final AtomicInteger looks = new AtomicInteger();
        final CompletableFuture<String> outcome = new CompletableFuture<>();

        SecondLookAlone(int fd) {
            super(new PidfdHandle(fd));
        }

        @Override
        boolean onReadable() {
            if (looks.incrementAndGet() == 1) {
                return false;  // as a child whose stolen status is still on its way
            }
            outcome.complete(Thread.currentThread().getName());
            return true;
        }

        @Override
        long retryNanos() {
            return 1_000_000;
        }
    }

    @Test
    void aWatchEpollRefusesIsDrivenByAThreadOfItsOwnUntilDone() throws Exception {
        PidfdWatcher watcher = new PidfdWatcher("test-watcher-add-enospc-alone",
                failing(LinuxNative.EPOLL_CTL_ADD, LinuxNative.EPOLLIN, ENOSPC, Integer.MAX_VALUE));
        try (Zombie z = new Zombie(); LogCapture log = LogCapture.warnings()) {
            SecondLookAlone w = new SecondLookAlone(z.openPidfd());
            watcher.watch(w);
            // The same onReadable()/retryNanos() contract as under epoll: looked at again after "not done".
            assertEquals("pidfd4j-waiter (" + w.pidfd + ")", w.outcome.get(20, TimeUnit.SECONDS));
            assertEquals(2, w.looks.get());
            assertTrue(Proc.eventually(10_000, () -> w.pidfd.signal(0) == LinuxNative.EBADF), "the pidfd released once done");
            assertEquals(0, watcher.size());
            // A slower way of waiting is said, once (and this shows LogCapture hears the watcher).
            assertEquals(List.of("WARNING pidfd4j: cannot watch " + w.pidfd + " with epoll (" + LinuxNative.strerror(ENOSPC)
                    + "); waiting on a thread instead"), log.said());
        }
    }
}
