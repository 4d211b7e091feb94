package io.github.pidfd4j.it.programs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecuteResultHandler;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteException;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.PumpStreamHandler;

/** An ordinary Apache Commons Exec program: stream pumping, exit values, a watchdog, async execution. */
public final class CommonsExecApp {

    private CommonsExecApp() {
    }

    public static void main(String[] args) throws Exception {
        // Output pumping and exit value.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        DefaultExecutor executor = DefaultExecutor.builder().get();
        executor.setStreamHandler(new PumpStreamHandler(out, err));
        int exit = executor.execute(new CommandLine("sh").addArgument("-c")
                .addArgument("echo hello; echo oops >&2", false));
        say("exit", exit);
        say("out", text(out));
        say("err", text(err));

        // A non-zero exit value is a failure unless it is expected.
        executor = DefaultExecutor.builder().get();
        executor.setStreamHandler(new PumpStreamHandler(new ByteArrayOutputStream()));
        CommandLine exit3 = new CommandLine("sh").addArgument("-c").addArgument("exit 3", false);
        try {
            executor.execute(exit3);
            say("exit 3", "no exception");
        } catch (ExecuteException e) {
            say("exit 3", "ExecuteException exitValue=" + e.getExitValue() + " message=" + e.getMessage());
        }
        executor.setExitValues(new int[] {0, 3});
        say("exit 3 expected", executor.execute(exit3));

        // Standard input from a stream, environment and working directory.
        out.reset();
        executor = DefaultExecutor.builder().get();
        executor.setStreamHandler(new PumpStreamHandler(out, err, new ByteArrayInputStream(
                "line one\nline two\n".getBytes(StandardCharsets.UTF_8))));
        say("cat exit", executor.execute(new CommandLine("cat")));
        say("cat out", text(out));
        out.reset();
        executor = DefaultExecutor.builder().get();
        executor.setStreamHandler(new PumpStreamHandler(out));
        executor.setWorkingDirectory(new File("/"));
        executor.execute(new CommandLine("sh").addArgument("-c").addArgument("echo \"$IT_VAR\" \"$(pwd)\"", false),
                Map.of("IT_VAR", "from-commons-exec", "PATH", System.getenv("PATH")));
        say("env and dir", text(out));

        // A watchdog kills a process that runs too long.
        executor = DefaultExecutor.builder().get();
        executor.setStreamHandler(new PumpStreamHandler(new ByteArrayOutputStream()));
        ExecuteWatchdog watchdog = ExecuteWatchdog.builder().setTimeout(Duration.ofMillis(400)).get();
        executor.setWatchdog(watchdog);
        long t0 = System.nanoTime();
        try {
            executor.execute(new CommandLine("sleep").addArgument("10"));
            say("watchdog", "not killed");
        } catch (ExecuteException e) {
            say("watchdog", "killed=" + watchdog.killedProcess() + " exitValue=" + e.getExitValue());
        }
        say("watchdog within 5 s", System.nanoTime() - t0 < 5_000_000_000L);

        // Asynchronous execution with a result handler.
        executor = DefaultExecutor.builder().get();
        out.reset();
        executor.setStreamHandler(new PumpStreamHandler(out));
        DefaultExecuteResultHandler handler = new DefaultExecuteResultHandler();
        executor.execute(new CommandLine("sh").addArgument("-c").addArgument("sleep 0.3; echo async; exit 5", false),
                handler);
        Thread.sleep(100);
        Evidence.snapshot("commons-exec async");
        handler.waitFor();
        say("async exit", handler.getExitValue());
        say("async exception", handler.getException() == null ? null : handler.getException().getMessage());
        say("async out", text(out));

        // A program that cannot be started.
        executor = DefaultExecutor.builder().get();
        try {
            executor.execute(new CommandLine("pidfd4j-it-no-such-program"));
        } catch (Exception e) {
            say("missing program", e.getClass().getName() + ": " + e.getMessage());
        }
    }

    private static String text(ByteArrayOutputStream b) {
        return b.toString(StandardCharsets.UTF_8).trim().replace('\n', '|');
    }

    private static void say(String what, Object value) {
        System.out.println(what + ": " + value);
    }
}
