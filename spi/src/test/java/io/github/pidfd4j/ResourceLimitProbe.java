package io.github.pidfd4j;

import java.io.FileInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a child JVM by {@link ResourceLimitTest}. Prints one line per attempt and contender:
 * {@code <case> <spawn path> <result>}, the result being "started" or the exception's message with
 * newlines as "\n".
 * <ul>
 * <li>{@code nproc}: lowers its own RLIMIT_NPROC to 0 (prlimit) once every contender has started a
 *     child, so that the next fork/clone fails with EAGAIN (not for root: it ignores the limit);</li>
 * <li>{@code nofile}: takes every free descriptor, then gives them back one at a time, trying every
 *     contender with 0, 1, 2... descriptors free.</li>
 * </ul>
 */
public final class ResourceLimitProbe {

    private ResourceLimitProbe() {
    }

    public static void main(String[] args) throws Exception {
        List<ProcessProvider> contenders = Contenders.list();
        for (ProcessProvider p : contenders) {
            attempt(p);  // warm up: classes loaded, the watcher and reaper threads running
        }
        if (args[0].equals("nproc")) {
            long self = ProcessHandle.current().pid();
            Process prlimit = new ProcessBuilder("prlimit", "--pid", Long.toString(self), "--nproc=0:").inheritIO().start();
            if (prlimit.waitFor() != 0) {
                throw new IllegalStateException("prlimit failed");
            }
            for (ProcessProvider p : contenders) {
                System.out.println("nproc " + p.spawnPath() + " " + attempt(p));
            }
        } else {
            List<FileInputStream> taken = new ArrayList<>();
            try (FileInputStream warm = new FileInputStream("/dev/null")) {
                firstLost(List.of(warm));  // loads the NIO classes and library now, while a descriptor is free
            }
            try {
                while (true) {
                    taken.add(new FileInputStream("/dev/null"));
                }
            } catch (IOException e) {
                // every descriptor is taken
            }
            StringBuilder out = new StringBuilder();  // printed at the end: nothing may need a descriptor meanwhile
            for (int free = 0; free <= 12 && !taken.isEmpty(); free++) {
                for (ProcessProvider p : contenders) {
                    out.append("nofile-").append(free).append(' ').append(p.spawnPath()).append(' ').append(attempt(p)).append('\n');
                    // Nothing may close (or replace) a descriptor it does not own: the taken ones must still
                    // be the same open /dev/null. Checked after each attempt, so a culprit is named.
                    int lost = firstLost(taken);
                    if (lost >= 0) {
                        out.append("lost ").append(p.spawnPath()).append(" nofile-").append(free)
                                .append(": descriptor ").append(lost).append(" of ").append(taken.size())
                                .append(" taken before the attempts is no longer an open /dev/null\n");
                        System.out.print(out);
                        System.exit(3);  // the rest would run with a descriptor table someone else changed
                    }
                }
                taken.remove(taken.size() - 1).close();
            }
            for (FileInputStream f : taken) {
                f.close();
            }
            System.out.print(out);
        }
    }

    /** The index of the first stream whose descriptor is closed or now names something else, or -1. */
    private static int firstLost(List<FileInputStream> taken) {
        for (int i = 0; i < taken.size(); i++) {
            try {
                taken.get(i).getChannel().position();  // lseek: EBADF if closed, ESPIPE if now a pipe
            } catch (IOException e) {
                return i;
            }
        }
        return -1;
    }

    private static String attempt(ProcessProvider provider) {
        try {
            Process p = provider.start(new ProcessBuilder("true"));
            p.getOutputStream().close();
            p.getInputStream().close();
            p.getErrorStream().close();
            p.waitFor();
            return "started";
        } catch (IOException e) {
            return e.getMessage().replace("\n", "\\n");
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
