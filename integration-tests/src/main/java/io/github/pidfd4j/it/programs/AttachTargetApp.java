package io.github.pidfd4j.it.programs;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts a process, waits for a line on stdin (the test attaches the agent meanwhile), starts another.
 * Children started before the attach and still running across it (one waited for with onExit() from
 * before, one from after) must still tell their own exit codes.
 */
public final class AttachTargetApp {

    private AttachTargetApp() {
    }

    public static void main(String[] args) throws Exception {
        Process before = new ProcessBuilder("sh", "-c", "exit 1").start();
        System.out.println("before: exit " + before.waitFor());
        Evidence.process("before", before);
        Process running = new ProcessBuilder("sh", "-c", "read line; exit 3").start();
        Process sleeping = new ProcessBuilder("sh", "-c", "read line; sleep 0.3; exit 4").start();
        CompletableFuture<Process> onExitBefore = running.onExit();
        CompletableFuture<Process> handleOnExitBefore = sleeping.toHandle().onExit().thenApply(h -> sleeping);
        System.out.println("ready");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        Process after = new ProcessBuilder("sh", "-c", "sleep 0.2; exit 2").start();
        Evidence.process("after", after);
        Evidence.snapshot("after-live");
        System.out.println("after: exit " + after.waitFor());
        // Attached now: onExit() asked after the attach, the children released only now.
        CompletableFuture<Process> onExitAfter = running.onExit();
        CompletableFuture<ProcessHandle> handleOnExitAfter = sleeping.toHandle().onExit();
        for (Process p : new Process[] {running, sleeping}) {
            p.getOutputStream().write("go\n".getBytes());
            p.getOutputStream().close();
        }
        System.out.println("running: exit " + running.waitFor() + ", onExit before " + onExitBefore.get(30, TimeUnit.SECONDS).exitValue()
                + ", after " + onExitAfter.get(30, TimeUnit.SECONDS).exitValue());
        System.out.println("sleeping: exit " + sleeping.waitFor() + ", handle onExit before " + handleOnExitBefore.get(30, TimeUnit.SECONDS).exitValue()
                + ", after " + (handleOnExitAfter.get(30, TimeUnit.SECONDS).pid() == sleeping.pid()) + ", alive " + sleeping.isAlive()
                + " " + sleeping.toHandle().isAlive());
    }
}
