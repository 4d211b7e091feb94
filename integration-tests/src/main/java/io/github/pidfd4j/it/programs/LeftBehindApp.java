package io.github.pidfd4j.it.programs;

import java.util.ArrayList;
import java.util.List;

/**
 * Starts three {@code sleep 100} children with {@link ProcessBuilder}, prints their pids and
 * {@code ready}, then waits to be killed. It knows nothing of pidfd4j: whether its children outlive it
 * is up to the JVM's options ({@code -Dpidfd4j.killOnParentDeath=true} under the agent).
 */
public final class LeftBehindApp {

    private LeftBehindApp() {
    }

    public static void main(String[] args) throws Exception {
        List<Process> children = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            children.add(new ProcessBuilder("sleep", "100").start());
        }
        for (Process p : children) {
            Evidence.process("child", p);
            Evidence.print("pid", "child", p.pid());
        }
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);  // the test kills this JVM with SIGKILL
    }
}
