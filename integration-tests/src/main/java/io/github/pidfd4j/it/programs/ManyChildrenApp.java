package io.github.pidfd4j.it.programs;

import java.lang.ProcessBuilder.Redirect;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Keeps N children alive at once (default 500), then kills them all. */
public final class ManyChildrenApp {

    private ManyChildrenApp() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        // Warm up: one child started and gone, so that whatever a first spawn starts is running.
        new ProcessBuilder("true").start().waitFor();
        Thread.sleep(200);
        int threadsBefore = Evidence.threads();
        int pidfdsBefore = Evidence.pidfds();
        List<Process> children = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                children.add(new ProcessBuilder("sleep", "30").redirectInput(Redirect.INHERIT)
                        .redirectOutput(Redirect.DISCARD).redirectError(Redirect.INHERIT).start());
            }
            Thread.sleep(300);  // let the JDK's reaper threads, if any, all start
            long alive = children.stream().filter(Process::isAlive).count();
            System.out.println("alive children: " + alive);
            Evidence.print("many", "children", ProcessHandle.current().children().count(), "pidfds", Evidence.pidfds(),
                    "threadsBefore", threadsBefore, "threadsWith", Evidence.threads(),
                    "watcher", Evidence.watcherThread(), "class", children.get(0).getClass().getName());
        } finally {
            children.forEach(Process::destroyForcibly);
            TreeSet<Integer> codes = new TreeSet<>();
            for (Process p : children) {
                codes.add(p.waitFor());
            }
            System.out.println("killed children: " + children.size() + ", exit values " + codes);
        }
        // A pidfd is closed just after its waiters are woken: wait for that (bounded, for a leak to show).
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Evidence.pidfds() > pidfdsBefore && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Evidence.print("many-after", "pidfdsBefore", pidfdsBefore, "pidfds", Evidence.pidfds());
    }
}
