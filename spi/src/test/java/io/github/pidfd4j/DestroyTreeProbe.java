package io.github.pidfd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Run in a child JVM by {@link DestroyTreeTest}, with the properties under test: starts
 * {@code sh -c 'sleep 100 & sleep 100 & wait'} through the pidfd provider without options, as an
 * unchanged program's spawn would be, prints what it started ({@code child=}, {@code descendant=} for
 * each of the shell's children, {@code pgid=}, {@code cgroup=}), then {@code destroy()} or
 * {@code destroyForcibly()} (args[0]) and prints {@code exit=}, and, after waiting for the child's
 * cgroup to go, {@code cgroupRemoved=}. Every pidfd4j log record is printed as {@code log=}.
 */
public final class DestroyTreeProbe {

    /** Held: a JUL logger only weakly referenced could lose its level. */
    private static final Logger PIDFD4J = Logger.getLogger("io.github.pidfd4j");

    private DestroyTreeProbe() {
    }

    public static void main(String[] args) throws Exception {
        PIDFD4J.setLevel(Level.ALL);
        PIDFD4J.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                System.out.println("log=" + new SimpleFormatter().formatMessage(r).replace('\n', ' '));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        ProcessProvider pidfd = ProcessProviders.byName("pidfd").orElseThrow();
        Process p = pidfd.start(Proc.sh("sleep 100 & sleep 100 & wait"));
        System.out.println("child=" + p.pid());
        List<Long> descendants = new ArrayList<>();
        Path children = Path.of("/proc/" + p.pid() + "/task/" + p.pid() + "/children");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (descendants.size() < 2 && System.nanoTime() < deadline) {
            descendants.clear();
            for (String pid : Files.readString(children).trim().split(" ")) {
                if (!pid.isEmpty()) {
                    descendants.add(Long.parseLong(pid));
                }
            }
            Thread.sleep(5);
        }
        for (long d : descendants) {
            System.out.println("descendant=" + d);
        }
        System.out.println("pgid=" + Proc.statField(p.pid(), 5));
        System.out.println("cgroup=" + ProcessTree.cgroup(p).map(Path::toString).orElse("none"));
        if (args[0].equals("forcibly")) {
            p.destroyForcibly();
        } else {
            p.destroy();
        }
        System.out.println("exit=" + (p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : "none"));
        boolean removed = Proc.eventually(10_000, () -> ProcessTree.cgroup(p).isEmpty());
        System.out.println("cgroupRemoved=" + removed);
        System.out.println("done");
    }
}
