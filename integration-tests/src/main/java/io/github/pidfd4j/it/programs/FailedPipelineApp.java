package io.github.pidfd4j.it.programs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Pipelines whose second stage cannot start: what the JVM's descriptor table holds afterwards.
 * Argument: how many. Evidence "failed-pipelines": open descriptors before and after.
 */
public final class FailedPipelineApp {

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        // Some pipelines first, so that whatever is opened once (the watcher, class files, the JDK's
        // lazily opened jars) is open already.
        String failure = null;
        for (int i = 0; i < 10; i++) {
            failure = failOnce();
        }
        long before = openFds();
        for (int i = 0; i < n; i++) {
            failOnce();
        }
        long after = openFds();
        System.out.println("failure: " + failure);
        Evidence.print("failed-pipelines", "pipelines", n, "fdsBefore", before, "fdsAfter", after);
    }

    private static String failOnce() throws InterruptedException {
        try {
            ProcessBuilder.startPipeline(List.of(new ProcessBuilder("echo", "x"),
                    new ProcessBuilder("/nonexistent/pidfd4j-no-such-program")));
            return "started?";
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    private static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
