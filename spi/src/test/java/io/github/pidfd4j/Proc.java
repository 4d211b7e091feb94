package io.github.pidfd4j;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Small helpers shared by the behaviour tests. */
public final class Proc {

    private Proc() {
    }

    /** What a finished process left behind. */
    public record Result(int exit, String out, String err) {
    }

    public static ProcessBuilder sh(String script) {
        return new ProcessBuilder("/bin/sh", "-c", script);
    }

    /** Starts, closes stdin, reads stdout and stderr at the same time, waits (at most a minute). */
    public static Result run(ProcessProvider provider, ProcessBuilder pb) throws Exception {
        Process p = provider.start(pb);
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("process did not exit within 60 s: " + pb.command());
        }
        return new Result(p.exitValue(), out, err.get(60, TimeUnit.SECONDS));
    }

    public static String read(InputStream in) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Open descriptors of this JVM. */
    public static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /**
     * Open pidfds of this JVM: a count that other threads' files, sockets and pipes (the watcher's work
     * for earlier tests, class loading, a cgroup's events file) cannot disturb.
     */
    public static long openPidfds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().contains("pidfd");  // anon_inode:[pidfd]
                } catch (IOException e) {
                    return false;  // closed meanwhile
                }
            }).count();
        }
    }

    /** Children of this JVM that are zombies (exited, not reaped). */
    public static long zombies() {
        return ProcessHandle.current().children().filter(h -> state(h.pid()) == 'Z').count();
    }

    /** The state letter of /proc/<pid>/stat, or '?' if the process is gone. */
    public static char state(long pid) {
        String stat = stat(pid);
        return stat == null ? '?' : stat.charAt(stat.lastIndexOf(')') + 2);
    }

    /** Field n (1-based, as in proc(5)) of /proc/<pid>/stat, or null if the process is gone. */
    public static String statField(long pid, int n) {
        String stat = stat(pid);
        if (stat == null) {
            return null;
        }
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return rest[n - 3];
    }

    private static String stat(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            return null;
        }
    }

    /** A line of /proc/<pid>/status, e.g. "SigBlk", without its name. */
    public static String status(long pid, String key) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                .filter(l -> l.startsWith(key + ":")).map(l -> l.substring(key.length() + 1).trim())
                .findFirst().orElseThrow();
    }

    /**
     * Whether this JVM was started with the signal ignored (SigIgn; exec keeps it ignored in every child,
     * whatever the provider): e.g. SIGINT and SIGQUIT for a build started with {@code &} by a shell
     * without job control, SIGHUP under nohup. SIGPIPE does not count: the JVM ignores it for itself.
     */
    public static boolean inheritedIgnored(int sig) throws IOException {
        long ignored = Long.parseUnsignedLong(status(ProcessHandle.current().pid(), "SigIgn"), 16);
        return sig != 13 && (ignored & (1L << (sig - 1))) != 0;
    }

    /** Whether the thread is blocked in a native read (FileInputStream.readBytes), i.e. waiting for input. */
    public static boolean inNativeRead(Thread t) {
        StackTraceElement[] stack = t.getStackTrace();
        return stack.length > 0 && stack[0].isNativeMethod() && stack[0].getMethodName().toLowerCase().contains("read");
    }

    /** Whether the thread waits (in waitFor, park, sleep or a monitor), rather than running. */
    public static boolean waiting(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED;
    }

    /** Polls until the condition holds; false after the timeout. */
    public static boolean eventually(long timeoutMillis, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
