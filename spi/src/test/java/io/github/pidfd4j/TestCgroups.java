package io.github.pidfd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.opentest4j.TestAbortedException;

/**
 * A cgroup v2 directory a test may create cgroups in, found the way pidfd4j finds it (never a hard-coded
 * path): the cgroup2 mount of /proc/self/mountinfo and this JVM's {@code 0::} line of /proc/self/cgroup.
 * Where the machine has no cgroup v2 hierarchy, or this JVM may not create a cgroup in its own, the test
 * is skipped, saying which.
 */
final class TestCgroups {

    private TestCgroups() {
    }

    /** The cgroup2 mount point and this JVM's own cgroup directory on it. */
    record Own(Path mount, String mountRoot, Path directory) {

        /** What /proc/<pid>/cgroup's 0:: line says for a process in {@code dir}. */
        String procLine(Path dir) {
            String rel = mount.relativize(dir).toString();
            String root = mountRoot.equals("/") ? "" : mountRoot;
            return "0::" + root + "/" + rel;
        }
    }

    static Own own() throws IOException {
        String ownPath = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            if (line.startsWith("0::")) {
                ownPath = line.substring(3);
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            int dash = line.indexOf(" - ");
            if (dash < 0 || !line.substring(dash + 3).startsWith("cgroup2 ")) {
                continue;
            }
            String[] f = line.substring(0, dash).split(" ");
            Path mount = Path.of(f[4]);
            String root = f[3].equals("/") ? "" : f[3];
            if (ownPath != null && (ownPath.equals(root) || ownPath.startsWith(root + "/"))) {
                String rest = ownPath.substring(root.length());
                Path dir = rest.isEmpty() || rest.equals("/") ? mount : mount.resolve(rest.substring(1));
                return new Own(mount, f[3], dir);
            }
        }
        throw new TestAbortedException("no cgroup v2 hierarchy shows this JVM's cgroup here (/proc/self/cgroup 0:: line: "
                + ownPath + "): the cgroup tests need one");
    }

    /**
     * A new, empty cgroup for one test under this JVM's own, or the test is skipped where the JVM may not
     * create one (systemd machines delegate only some subtrees). The caller removes it ({@link #remove}).
     */
    static Path create(String name) throws IOException {
        Own own = own();
        Path dir = own.directory().resolve("pidfd4j-test-" + ProcessHandle.current().pid() + "-" + name);
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new TestAbortedException("cannot create a cgroup under this JVM's own cgroup " + own.directory()
                    + " (" + e + "): the cgroup tests need a writable cgroup v2 hierarchy");
        }
        if (!Files.exists(dir.resolve("cgroup.kill"))) {
            remove(dir);
            throw new TestAbortedException("this kernel has no cgroup.kill (Linux 5.14): " + System.getProperty("os.version"));
        }
        return dir;
    }

    /** The pids in a cgroup, or an empty list once it is gone. */
    static List<Long> procs(Path dir) {
        List<Long> pids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (IOException e) {
            // gone
        }
        return pids;
    }

    /** The cgroups below dir. */
    static List<Path> children(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).toList();
        }
    }

    /**
     * Kills whatever is left in dir and every cgroup below it, then removes them all (deepest first),
     * polling: a cgroup can be removed only once its last process has exited.
     */
    static void remove(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        for (Path child : children(dir)) {
            remove(child);
        }
        try {
            Files.writeString(dir.resolve("cgroup.kill"), "1");
        } catch (IOException e) {
            // no cgroup.kill: nothing can be left in it then, as no test ran there
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
