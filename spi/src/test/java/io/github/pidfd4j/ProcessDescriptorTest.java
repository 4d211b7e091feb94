package io.github.pidfd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ProcessDescriptor}: a feature the JDK lacks. The duplicate is checked from outside pidfd4j,
 * through the kernel's own view (/proc/self/fdinfo) and libc's poll, as other code would use it.
 */
class ProcessDescriptorTest {

    /** poll(2) and close(2) as other native code in the JVM would call them. */
    interface Poll extends Library {
        Poll C = Native.load("c", Poll.class);

        /** {@code fds}: struct pollfd {int fd; short events; short revents;} as two ints (little endian). */
        int poll(int[] fds, long nfds, int timeoutMillis);

        int close(int fd);
    }

    private static final int POLLIN = 1;
    private static final long O_CLOEXEC = 02000000;

    /** The revents poll reported for fd within the timeout (0: none). */
    private static int poll(int fd, int timeoutMillis) {
        int[] pfd = {fd, POLLIN};
        int n = Poll.C.poll(pfd, 1, timeoutMillis);
        assertTrue(n >= 0, "poll failed");
        return n == 0 ? 0 : pfd[1] >>> 16;
    }

    /** A field of /proc/self/fdinfo/fd, e.g. "Pid" or "flags". */
    private static String fdinfo(int fd, String key) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)).stream()
                .filter(l -> l.startsWith(key + ":")).map(l -> l.substring(key.length() + 1).trim())
                .findFirst().orElseThrow(() -> new AssertionError("no " + key + " in fdinfo of " + fd));
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#pidfd")
    void theDuplicateIsACloseOnExecPidfdOfTheChildThatReportsItsExit(ProcessProvider provider) throws Exception {
        assumeTrue(provider.isAvailable(), () -> Contenders.refusedHere(provider));
        Process p = provider.start(new ProcessBuilder("sleep", "100"));
        long fdsBefore = settledPidfdCount();  // pidfds only: other threads open and close other descriptors
        ProcessDescriptor counted = ProcessDescriptor.duplicate(p);
        assertEquals(fdsBefore + 1, Proc.openPidfds(), "one new descriptor");
        counted.close();
        assertEquals(fdsBefore, Proc.openPidfds(), "closed, nothing else left open");
        try (ProcessDescriptor pidfd = ProcessDescriptor.duplicate(p)) {
            int fd = pidfd.fd();
            assertEquals(p.pid(), pidfd.pid());
            assertEquals(String.valueOf(p.pid()), fdinfo(fd, "Pid"), "the kernel's view of the descriptor");
            long flags = Long.parseLong(fdinfo(fd, "flags"), 8);
            assertTrue((flags & O_CLOEXEC) != 0, () -> "close-on-exec: flags " + Long.toOctalString(flags));
            assertEquals(0, poll(fd, 0), "not readable while the child runs");
            p.destroyForcibly();
            assertTrue((poll(fd, 30_000) & POLLIN) != 0, "readable once the child exited");
        }
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue());
        p.onExit().get(30, TimeUnit.SECONDS);
    }

    @Test
    void closingTheDuplicateLeavesPidfd4jWatchingAndReaping() throws Exception {
        ProcessProvider provider = Contenders.anyPidfd();
        Process p = provider.start(Proc.sh("read x; exit 3"));
        ProcessDescriptor pidfd = ProcessDescriptor.duplicate(p);
        int fd = pidfd.fd();
        pidfd.close();
        pidfd.close();  // idempotent
        assertThrows(IllegalStateException.class, pidfd::fd);
        assertThrows(IllegalStateException.class, pidfd::release);
        assertTrue(pidfd.toString().contains("closed"), pidfd::toString);
        assertFalse(Files.exists(Path.of("/proc/self/fdinfo/" + fd)) && isPidfdOf(fd, p.pid()),
                "the duplicate is closed");
        assertTrue(p.isAlive());
        p.getOutputStream().close();  // the shell's read ends: it exits with 3
        assertEquals(3, p.onExit().get(30, TimeUnit.SECONDS).exitValue());
        assertEquals(OptionalInt.of(3), ExitInfo.of(p).get(30, TimeUnit.SECONDS).exitCode());
        assertTrue(Proc.eventually(10_000, () -> Proc.state(p.pid()) == '?'), "reaped by pidfd4j");
    }

    private static boolean isPidfdOf(int fd, long pid) {
        try {
            return fdinfo(fd, "Pid").equals(String.valueOf(pid));
        } catch (IOException | AssertionError e) {
            return false;
        }
    }

    @Test
    void releaseHandsTheDescriptorAwayAndEachDuplicateIsNew() throws Exception {
        Process p = Contenders.anyPidfd().start(new ProcessBuilder("sleep", "100"));
        try {
            ProcessDescriptor first = ProcessDescriptor.duplicate(p);
            ProcessDescriptor second = ProcessDescriptor.duplicate(p);
            assertNotEquals(first.fd(), second.fd());
            int owned = first.release();
            assertThrows(IllegalStateException.class, first::fd);
            first.close();  // released: not closed here
            assertEquals(String.valueOf(p.pid()), fdinfo(owned, "Pid"), "still open after release and close");
            assertEquals(0, Poll.C.close(owned), "the new owner closes it");
            second.close();
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void thePublicCloseEntryClosesOnlyDuplicatesItHandedOutAndStillOwns() throws Exception {
        // PidfdDuplicates.close is public (the agent's exported DescriptorLookup calls it): it must not be
        // a way to close another owner's descriptor, nor one a ProcessDescriptor released to its new owner.
        // Compared by what they name: the listing's own descriptor, gone after it, may be the new one's number.
        java.util.Set<String> before = fdNumbers();
        before.removeIf(n -> !isDevNull(n));
        try (java.io.FileInputStream stranger = new java.io.FileInputStream("/dev/null")) {
            java.util.Set<String> opened = fdNumbers();
            opened.removeIf(n -> !isDevNull(n));  // other threads may open descriptors meanwhile
            opened.removeAll(before);
            assertEquals(1, opened.size(), () -> "the stranger's descriptor among " + opened);
            int fd = Integer.parseInt(opened.iterator().next());
            assertEquals(9, io.github.pidfd4j.linux.PidfdDuplicates.close(fd), "EBADF, nothing closed");
            assertEquals(-1, stranger.read(), "another owner's file is still open");
        }
        Process p = Contenders.anyPidfd().start(new ProcessBuilder("sleep", "100"));
        try {
            int owned = ProcessDescriptor.duplicate(p).release();
            assertEquals(9, io.github.pidfd4j.linux.PidfdDuplicates.close(owned), "released: not pidfd4j's to close");
            assertEquals(String.valueOf(p.pid()), fdinfo(owned, "Pid"), "still open for its new owner");
            assertEquals(0, Poll.C.close(owned), "the new owner closes it");
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    private static boolean isDevNull(String fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString().equals("/dev/null");
        } catch (IOException e) {
            return false;  // closed meanwhile
        }
    }

    private static java.util.Set<String> fdNumbers() throws IOException {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(f -> f.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
        }
    }

    @Test
    void aReapedChildHasNoDescriptor() throws Exception {
        Process p = Contenders.anyPidfd().start(new ProcessBuilder("true"));
        assertEquals(0, p.waitFor());
        long fdsBefore = settledPidfdCount();  // pidfd4j closes the child's pidfd just after the exit is told
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ProcessDescriptor.duplicate(p));
        assertTrue(e.getMessage().contains("reaped") && e.getMessage().contains("another process"), e::getMessage);
        assertEquals(fdsBefore, Proc.openPidfds(), "no descriptor made for a refused request");
    }

    /** The number of open pidfds once it stays the same for 100 ms (at most 10 s). */
    private static long settledPidfdCount() throws Exception {
        long last = Proc.openPidfds();
        for (int i = 0; i < 100; i++) {
            Thread.sleep(100);
            long now = Proc.openPidfds();
            if (now == last) {
                return now;
            }
            last = now;
        }
        throw new AssertionError("the number of open pidfds never settled: " + last);
    }

    @Test
    void aJdkProcessIsRefusedWithItsClassNamed() throws Exception {
        Process p = Contenders.JDK.start(new ProcessBuilder("sleep", "100"));
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ProcessDescriptor.duplicate(p));
            assertTrue(e.getMessage().contains(p.getClass().getName()), e::getMessage);
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
        assertThrows(NullPointerException.class, () -> ProcessDescriptor.duplicate(null));
    }
}
