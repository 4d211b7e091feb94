package io.github.pidfd4j.it.programs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the tests need to tell the pidfd path from the JDK's, printed on lines of their own that start
 * with {@value #PREFIX}; the tests compare everything else between runs with and without the agent.
 * Nothing here changes what a program does.
 */
public final class Evidence {

    public static final String PREFIX = "@evidence ";

    private Evidence() {
    }

    /** Prints {@code @evidence <label> k=v k=v ...}. */
    public static void print(String label, Object... keyValues) {
        StringBuilder b = new StringBuilder(PREFIX).append(label);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            b.append(' ').append(keyValues[i]).append('=').append(keyValues[i + 1]);
        }
        System.out.println(b);
        System.out.flush();
    }

    /** The state while children are alive: how many, how many pidfds this JVM holds, its threads. */
    public static void snapshot(String label) {
        print(label, "children", ProcessHandle.current().children().count(), "pidfds", pidfds(),
                "threads", threads(), "watcher", watcherThread());
    }

    /** The class that implements a Process: java.lang.ProcessImpl, or pidfd4j's. */
    public static void process(String label, Process p) {
        print(label, "class", p.getClass().getName());
    }

    /** Entries of /proc/self/fd that are pidfds. */
    public static int pidfds() {
        int n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().contains("pidfd")) {
                        n++;
                    }
                } catch (IOException e) {
                    // closed meanwhile (the directory stream's own fd, for one)
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return n;
    }

    /** All threads of this process, as the kernel counts them (/proc/self/status). */
    public static int threads() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring(8).trim());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no Threads: line in /proc/self/status");
    }

    /** Whether pidfd4j's watcher thread runs in this JVM. */
    public static boolean watcherThread() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("pidfd4j-watcher"));
    }

    /** The pids of {@code p}'s children once it has {@code count} of them, or fewer after 10 s. */
    public static List<String> children(Process p, int count) throws IOException, InterruptedException {
        Path children = Path.of("/proc/" + p.pid() + "/task/" + p.pid() + "/children");
        List<String> pids = new ArrayList<>();
        for (int i = 0; i < 2_000 && pids.size() < count; i++) {
            pids = new ArrayList<>(List.of(Files.readString(children).trim().split(" +")));
            pids.removeIf(String::isEmpty);
            Thread.sleep(5);
        }
        return pids;
    }
}
