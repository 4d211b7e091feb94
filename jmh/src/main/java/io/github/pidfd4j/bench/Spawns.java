package io.github.pidfd4j.bench;

import java.io.IOException;

/** The unit of work shared by the spawn benchmarks and the tests. */
public final class Spawns {

    private Spawns() {
    }

    /**
     * Starts {@code pb} (default redirects: three pipes, as most code does), waits for the exit and
     * closes the parent's pipe ends, as careful code does; fails unless the exit value is 0.
     */
    public static Process startAndWait(ProcessBuilder pb, Contender c) throws IOException, InterruptedException {
        Process p = c.start(pb);
        int rc = p.waitFor();
        closeStreams(p);
        if (rc != 0) {
            throw new IllegalStateException(pb.command() + " exited with " + rc);
        }
        return p;
    }

    /** Closes the three pipe ends of {@code p}. */
    public static void closeStreams(Process p) throws IOException {
        p.getOutputStream().close();
        p.getInputStream().close();
        p.getErrorStream().close();
    }
}
