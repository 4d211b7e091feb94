package io.github.pidfd4j.it.programs;

import io.github.pidfd4j.ProcessTree;
import java.nio.file.Path;
import java.util.List;

/**
 * A program that has pidfd4j-spi on its class path and asks {@link ProcessTree} about a shell it started
 * with {@link ProcessBuilder} (under the agent: the agent's process, in another class loader): its
 * cgroup, and a kill of the whole tree through it ({@code -Dpidfd4j.destroyTree=true} gives every child
 * a cgroup of its own; without it the agent's copy refuses with IllegalStateException).
 */
public final class CgroupTreeApp {

    private CgroupTreeApp() {
    }

    public static void main(String[] args) throws Exception {
        Process sh = new ProcessBuilder("sh", "-c", "sleep 100 & sleep 100 & wait").start();
        List<String> pids = Evidence.children(sh, 2);
        Evidence.print("tree", "child", sh.pid(), "descendants", String.join(",", pids), "cgroup",
                ProcessTree.cgroup(sh).map(Path::toString).orElse("none"));
        try {
            Evidence.print("kill", "sent", ProcessTree.destroyCgroupForcibly(sh));
        } catch (IllegalStateException | IllegalArgumentException e) {
            Evidence.print("kill", "refused", e.getClass().getSimpleName());
            sh.destroyForcibly();  // the shell alone, as the JDK would; the test kills its children
        }
        Evidence.print("exit", "value", sh.waitFor());
        boolean removed = false;
        for (int i = 0; i < 2_000 && !removed; i++) {  // at most 10 s for the cgroup to empty and go
            removed = ProcessTree.cgroup(sh).isEmpty();
            Thread.sleep(5);
        }
        Evidence.print("cgroup", "removed", removed);
    }
}
