package io.github.pidfd4j.it.programs;

import java.io.FileOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Waits with {@code ProcessHandle.of(pid).get().onExit()} for a process that is not its child: the
 * test starts a {@code cat} reading a FIFO and passes its pid and the FIFO; this program ends that
 * process by closing the FIFO's write end, at a time it knows, and measures when onExit completes.
 */
public final class NonChildExitApp {

    private NonChildExitApp() {
    }

    public static void main(String[] args) throws Exception {
        long pid = Long.parseLong(args[0]);
        String fifo = args[1];
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        System.out.println("is a child: " + ProcessHandle.current().children().anyMatch(handle::equals));
        FileOutputStream writer = new FileOutputStream(fifo);  // the reader runs, and waits for EOF
        long called = System.nanoTime();
        CompletableFuture<ProcessHandle> exited = handle.onExit();
        Thread.sleep(100);
        System.out.println("done while alive: " + exited.isDone());
        long closed = System.nanoTime();
        writer.close();  // cat sees EOF and exits now
        ProcessHandle h = exited.get(20, TimeUnit.SECONDS);
        long completed = System.nanoTime();
        System.out.println("completed with the same handle: " + (h == handle));
        System.out.println("alive after: " + handle.isAlive());
        Evidence.print("nonchild", "afterExitMs", (completed - closed) / 1_000_000,
                "sinceCallMs", (completed - called) / 1_000_000);
    }
}
