package io.github.pidfd4j.it.programs;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.zeroturnaround.exec.InvalidExitValueException;
import org.zeroturnaround.exec.ProcessExecutor;
import org.zeroturnaround.exec.ProcessResult;
import org.zeroturnaround.exec.StartedProcess;
import org.zeroturnaround.exec.stream.LogOutputStream;

/** An ordinary zt-exec program: output reading, exit-value checks, timeouts, started processes. */
public final class ZtExecApp {

    private ZtExecApp() {
    }

    public static void main(String[] args) throws Exception {
        ProcessResult result = new ProcessExecutor().command("sh", "-c", "echo hello; echo world")
                .readOutput(true).exitValueNormal().execute();
        say("output", result.outputUTF8().trim().replace('\n', '|'));
        say("exit", result.getExitValue());

        try {
            new ProcessExecutor().command("sh", "-c", "echo bad; exit 3").readOutput(true).exitValues(0).execute();
            say("exit 3", "no exception");
        } catch (InvalidExitValueException e) {
            say("exit 3", "InvalidExitValueException exitValue=" + e.getExitValue()
                    + " output=" + e.getResult().outputUTF8().trim());
        }
        say("exit 3 any", new ProcessExecutor().command("sh", "-c", "exit 3").exitValueAny().execute().getExitValue());

        long t0 = System.nanoTime();
        try {
            new ProcessExecutor().command("sleep", "10").timeout(400, TimeUnit.MILLISECONDS).execute();
            say("timeout", "none");
        } catch (TimeoutException e) {
            say("timeout", "TimeoutException");
        }
        say("timeout within 5 s", System.nanoTime() - t0 < 5_000_000_000L);

        say("stdin", new ProcessExecutor().command("tr", "a-z", "A-Z")
                .redirectInput(new ByteArrayInputStream("piped in".getBytes(StandardCharsets.UTF_8)))
                .readOutput(true).execute().outputUTF8().trim());

        List<String> lines = new ArrayList<>();
        new ProcessExecutor().command("sh", "-c", "echo \"$IT_VAR\"; pwd")
                .environment("IT_VAR", "from-zt-exec").directory(new File("/"))
                .redirectOutput(new LogOutputStream() {
                    @Override
                    protected void processLine(String line) {
                        lines.add(line);
                    }
                }).execute();
        say("lines", lines);

        StartedProcess started = new ProcessExecutor().command("sh", "-c", "sleep 0.3; echo later; exit 4")
                .readOutput(true).exitValueAny().start();
        Evidence.process("zt-exec process", started.getProcess());
        Thread.sleep(100);
        Evidence.snapshot("zt-exec started");
        ProcessResult later = started.getFuture().get(10, TimeUnit.SECONDS);
        say("started", later.getExitValue() + " " + later.outputUTF8().trim());

        try {
            new ProcessExecutor().command("pidfd4j-it-no-such-program").execute();
        } catch (Exception e) {
            say("missing program", e.getClass().getName() + ": " + e.getMessage());
        }
    }

    private static void say(String what, Object value) {
        System.out.println(what + ": " + value);
    }
}
