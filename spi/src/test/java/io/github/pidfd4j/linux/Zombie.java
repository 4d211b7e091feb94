package io.github.pidfd4j.linux;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;

/**
 * An exited process that nobody reaps while the test runs: a grandchild whose parent execs a
 * program that never waits. Its pidfd stays readable and raises no EPOLLHUP (that comes with the
 * reap), so once the watch is disarmed only a re-arm brings it back.
 */
final class Zombie implements AutoCloseable {
    final Process parent;
    final int pid;

    Zombie() throws Exception {
        parent = new ProcessBuilder("/bin/sh", "-c", "sleep 0.05 & echo $!; exec sleep 60").start();
        pid = Integer.parseInt(new BufferedReader(new InputStreamReader(parent.getInputStream())).readLine().trim());
    }

    int openPidfd() {
        int fd = LinuxNative.pidfd4j_pidfd_open(pid);
        assertTrue(fd >= 0, "pidfd_open: " + fd);
        return fd;
    }

    @Override
    public void close() throws Exception {
        parent.destroyForcibly().waitFor();  // the zombie goes to init, which reaps it
    }
}
