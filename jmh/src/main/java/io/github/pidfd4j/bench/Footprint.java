package io.github.pidfd4j.bench;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 6, the footprint harness (JMH is the wrong tool for it): in a JVM set up as one
 * contender, start sleepers (tiny-pause, stdin from /dev/null, output discarded) up to N = 100, then
 * 1,000, then 10,000 live children (cumulatively), and after each level print the JVM's thread
 * count and resident memory, from {@code /proc/self/status} ({@code Threads}, {@code VmRSS}), i.e.
 * every thread of the process, the JVM's own included.
 *
 * <p>Output, one line per level: {@code F <n> <threads> <rss_kb> <java_threads>}; a level that cannot
 * be reached prints {@code X <n> <reason>} and ends the run. Every child is killed and reaped at
 * the end, also on failure; tiny-pause also dies with the thread that started it (PR_SET_PDEATHSIG).
 *
 * <p>Usage: {@code Footprint <contender> <levels, e.g. 100,1000,10000>}
 */
public final class Footprint {

    /** File descriptors kept free for the JVM itself and JMX. */
    private static final int FD_RESERVE = 512;

    private Footprint() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Footprint <contender> <levels, e.g. 100,1000,10000>");
            System.exit(2);
        }
        Contender c = Contender.of(args[0]);
        c.verify();
        List<Integer> levels = new ArrayList<>();
        for (String s : args[1].split(",")) {
            levels.add(Integer.parseInt(s.trim()));
        }
        ProcessBuilder pb = new ProcessBuilder(NativeTools.tinyPause())
                .redirectInput(Redirect.from(new File("/dev/null")))
                .redirectOutput(Redirect.DISCARD)
                .redirectError(Redirect.DISCARD);
        List<Process> children = new ArrayList<>();
        Thread cleanup = new Thread(() -> killAll(children), "footprint-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            sample(0);  // the baseline: this JVM before any child
            for (int n : levels) {
                if (n <= children.size()) {
                    continue;  // 0: the baseline, sampled above
                }
                String why = cannotReach(n, children.size());
                if (why != null) {
                    System.out.println("X " + n + " " + why);
                    break;
                }
                long t0 = System.nanoTime();
                int before = children.size();
                while (children.size() < n) {
                    synchronized (children) {
                        children.add(c.start(pb));
                    }
                }
                System.err.printf("footprint %s: %d live children (%d started in %.1f s)%n", c, n,
                        n - before, (System.nanoTime() - t0) / 1e9);
                sample(n);
            }
        } catch (IOException | RuntimeException e) {
            System.out.println("X " + (children.size() + 1) + " spawn failed after " + children.size()
                    + " children: " + e);
        } finally {
            killAll(children);
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
        System.out.flush();
    }

    /** Lets the JVM settle (reaper threads, GC), then prints one line. */
    private static void sample(int n) throws Exception {
        Thread.sleep(1000);
        System.gc();
        Thread.sleep(200);
        System.out.println("F " + n + " " + statusField("Threads") + " " + statusField("VmRSS") + " "
                + java.lang.management.ManagementFactory.getThreadMXBean().getThreadCount());
        System.out.flush();
    }

    /** Why N live children cannot be had here, or null. */
    static String cannotReach(int n, int live) throws IOException {
        long fds = openFileLimit();
        long pidMax = readLong(Path.of("/proc/sys/kernel/pid_max"));
        long threadsMax = readLong(Path.of("/proc/sys/kernel/threads-max"));
        // pidfd4j keeps one pidfd per child; the JDK one reaper thread (a task) per child.
        if (fds > 0 && n + FD_RESERVE > fds) {
            return "RLIMIT_NOFILE is " + fds + ", too low for " + n + " pidfds (raise it with ulimit -n)";
        }
        long tasks = countTasks();
        long need = 2L * (n - live);
        if (pidMax > 0 && tasks + need + 1000 > pidMax) {
            return "kernel.pid_max is " + pidMax + " with " + tasks + " tasks running: too low for " + n + " children";
        }
        if (threadsMax > 0 && tasks + need + 1000 > threadsMax) {
            return "kernel.threads-max is " + threadsMax + ": too low for " + n + " children";
        }
        return null;
    }

    private static long openFileLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        return -1;
    }

    private static long countTasks() {
        long n = 0;
        File[] procs = new File("/proc").listFiles((d, name) -> name.chars().allMatch(Character::isDigit));
        if (procs != null) {
            for (File p : procs) {
                String[] tasks = new File(p, "task").list();
                n += tasks == null ? 1 : tasks.length;
            }
        }
        return n;
    }

    private static long readLong(Path p) {
        try {
            // not Files.readString: on some kernels it reads a /proc/sys file short ("3" for 32768)
            return Long.parseLong(Files.readAllLines(p).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A field of /proc/self/status, as a number (VmRSS in kB). */
    static long statusField(String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(name + ":")) {
                return Long.parseLong(line.substring(name.length() + 1).trim().split("\\s+")[0]);
            }
        }
        throw new IOException("no " + name + " in /proc/self/status");
    }

    private static void killAll(List<Process> children) {
        synchronized (children) {
            for (Process p : children) {
                p.destroyForcibly();
            }
            for (Process p : children) {
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            children.clear();
        }
    }
}
