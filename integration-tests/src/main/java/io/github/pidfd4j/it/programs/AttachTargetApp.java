package io.github.pidfd4j.it.programs;

import java.io.BufferedReader;
import java.io.InputStreamReader;

/** Starts a process, waits for a line on stdin (the test attaches the agent meanwhile), starts another. */
public final class AttachTargetApp {

    private AttachTargetApp() {
    }

    public static void main(String[] args) throws Exception {
        Process before = new ProcessBuilder("sh", "-c", "exit 1").start();
        System.out.println("before: exit " + before.waitFor());
        Evidence.process("before", before);
        System.out.println("ready");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        Process after = new ProcessBuilder("sh", "-c", "sleep 0.2; exit 2").start();
        Evidence.process("after", after);
        Evidence.snapshot("after-live");
        System.out.println("after: exit " + after.waitFor());
    }
}
