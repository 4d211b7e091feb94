package io.github.pidfd4j;

import io.github.pidfd4j.linux.TestProviders;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a child JVM by {@link KillOnParentDeathTest}: starts {@code sleep 100} children, prints
 * {@code child=<pid>} for each, {@code spawner=<whether pidfd4j's spawner thread runs>} and
 * {@code ready}, then waits to be killed.
 *
 * <p>args[0]: {@code option} (a pidfd provider on the spawn path args[1], with
 * {@code withKillOnParentDeath(true)}), {@code plain} (the same without options) or {@code selected}
 * ({@link ProcessProviders#start(ProcessBuilder)}, for the global property).
 */
public final class ParentDeathProbe {

    private static final int CHILDREN = 3;

    private ParentDeathProbe() {
    }

    public static void main(String[] args) throws Exception {
        List<Process> children = new ArrayList<>();
        System.out.println("spawnerBefore=" + spawnerRuns());
        for (int i = 0; i < CHILDREN; i++) {
            ProcessBuilder pb = new ProcessBuilder("sleep", "100");
            switch (args[0]) {
                case "option":
                    children.add(TestProviders.pidfd(SpawnPath.valueOf(args[1]))
                            .start(pb, SpawnOptions.defaults().withKillOnParentDeath(true)));
                    break;
                case "plain":
                    children.add(TestProviders.pidfd(SpawnPath.valueOf(args[1])).start(pb));
                    break;
                case "selected":
                    children.add(ProcessProviders.start(pb));
                    break;
                default:
                    throw new IllegalArgumentException(args[0]);
            }
        }
        for (Process p : children) {
            System.out.println("child=" + p.pid());
        }
        System.out.println("provider=" + ProcessProviders.provider().name());
        System.out.println("path=" + ProcessProviders.provider().spawnPath());
        System.out.println("spawner=" + spawnerRuns());
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);  // killed by the test with SIGKILL
    }

    private static boolean spawnerRuns() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("pidfd4j-parent-death-spawner"));
    }
}
