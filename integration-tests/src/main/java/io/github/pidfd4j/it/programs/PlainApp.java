package io.github.pidfd4j.it.programs;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.lang.invoke.MethodHandles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * An ordinary program that starts processes with {@link ProcessBuilder}, {@link Runtime#exec} and
 * {@link ProcessBuilder#startPipeline}, and prints what it sees. It knows nothing of pidfd4j.
 */
public final class PlainApp {

    private PlainApp() {
    }

    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("pidfd4j-it");
        try {
            run(tmp);
        } finally {
            try (var files = Files.list(tmp)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.delete(f);
                }
            }
            Files.delete(tmp);
        }
    }

    private static void run(Path tmp) throws Exception {
        // Output, error output and exit codes.
        Process p = new ProcessBuilder("sh", "-c", "echo out; echo err >&2; exit 3").start();
        Evidence.process("sh", p);
        say("stdout", text(p.getInputStream()));
        say("stderr", text(p.getErrorStream()));
        say("exit", p.waitFor());
        say("toString", p.toString().replace("pid=" + p.pid(), "pid=PID"));
        // What any code holding a Process may do with its class: no deep access into its package. The
        // JDK's is java.lang; the agent's classes live in a module that opens nothing (an open one would
        // let this program define a class next to them, with the access to java.lang the agent has).
        say("private lookup into the process class", privateLookup(p.getClass()));

        // Standard input, and large transfers both ways.
        p = new ProcessBuilder("cat").start();
        byte[] data = new byte[300_000];
        Arrays.fill(data, (byte) 'x');
        Process cat = p;
        Thread writer = new Thread(() -> {
            try (OutputStream out = cat.getOutputStream()) {
                out.write(data);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        say("cat bytes", cat.getInputStream().readAllBytes().length);
        writer.join();
        say("cat exit", cat.waitFor());
        p = new ProcessBuilder("head", "-c", "1000000", "/dev/zero").start();
        say("head bytes", p.getInputStream().readAllBytes().length);
        say("head exit", p.waitFor());

        // redirectErrorStream, environment, working directory.
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "echo one; echo two >&2; echo \"$IT_VAR\" \"$(pwd)\"");
        pb.redirectErrorStream(true);
        pb.environment().put("IT_VAR", "value");
        pb.directory(tmp.toFile());
        p = pb.start();
        say("merged", text(p.getInputStream()).replace(tmp.toRealPath().toString(), "TMP"));
        say("merged err stream read", p.getErrorStream().read());
        say("merged exit", p.waitFor());

        // Runtime.exec, both forms.
        say("exec string", text(Runtime.getRuntime().exec("echo a  b").getInputStream()));
        Process r = Runtime.getRuntime().exec(new String[] {"sh", "-c", "exit 7"});
        say("exec array exit", r.waitFor());

        // File redirects and DISCARD.
        File outFile = tmp.resolve("out.txt").toFile();
        new ProcessBuilder("echo", "first").redirectOutput(outFile).start().waitFor();
        new ProcessBuilder("echo", "second").redirectOutput(Redirect.appendTo(outFile)).start().waitFor();
        say("file", Files.readString(outFile.toPath()).trim().replace('\n', '|'));
        p = new ProcessBuilder("tr", "a-z", "A-Z").redirectInput(outFile).start();
        say("from file", text(p.getInputStream()));
        say("from file stdin write", writeFails(p.getOutputStream()));
        p.waitFor();
        p = new ProcessBuilder("echo", "gone").redirectOutput(Redirect.DISCARD).start();
        say("discard read", p.getInputStream().read());
        say("discard exit", p.waitFor());
        System.out.flush();
        p = new ProcessBuilder("echo", "inherited").inheritIO().start();
        say("inherit exit", p.waitFor());

        // Pipelines.
        List<Process> stages = ProcessBuilder.startPipeline(List.of(
                new ProcessBuilder("printf", "b\\na\\nc\\n"),
                new ProcessBuilder("sort"),
                new ProcessBuilder("tr", "a-z", "A-Z")));
        for (Process s : stages) {
            Evidence.process("stage", s);
        }
        say("pipeline", text(stages.get(2).getInputStream()));
        say("pipeline first stdout read", stages.get(0).getInputStream().read());
        say("pipeline last stdin write", writeFails(stages.get(2).getOutputStream()));
        List<Integer> codes = new ArrayList<>();
        for (Process s : stages) {
            codes.add(s.waitFor());
        }
        say("pipeline exits", codes);
        try {
            ProcessBuilder.startPipeline(List.of(new ProcessBuilder("true").redirectOutput(Redirect.DISCARD),
                    new ProcessBuilder("true")));
        } catch (IllegalArgumentException e) {
            say("pipeline misuse", e.getMessage());
        }

        // Failures: the JDK's own wording, whatever does the spawning.
        failure("missing program", new ProcessBuilder("pidfd4j-it-no-such-program"), tmp);
        failure("not executable", new ProcessBuilder(outFile.getPath()), tmp);
        failure("missing directory", new ProcessBuilder("true").directory(new File("/pidfd4j-it-no-such-dir")), tmp);
        failure("missing input file", new ProcessBuilder("true").redirectInput(new File("/pidfd4j-it-no-such-file")), tmp);
        failure("empty command", new ProcessBuilder(new ArrayList<>()), tmp);
        failure("NUL in argument", new ProcessBuilder("echo", "a\u0000b"), tmp);

        // Process methods.
        p = new ProcessBuilder("sleep", "10").start();
        Evidence.snapshot("sleeping");
        Process sleeper = p;
        say("alive", p.isAlive());
        say("in children()", ProcessHandle.current().children().anyMatch(h -> h.equals(sleeper.toHandle())));
        say("handle equals of(pid)", p.toHandle().equals(ProcessHandle.of(p.pid()).orElseThrow()));
        say("info command present", p.toHandle().info().command().isPresent());
        say("supportsNormalTermination", p.supportsNormalTermination());
        try {
            p.exitValue();
        } catch (IllegalThreadStateException e) {
            say("exitValue while running", e.getMessage());
        }
        say("waitFor(50ms)", p.waitFor(50, TimeUnit.MILLISECONDS));
        var onExit = p.onExit();
        var handleOnExit = p.toHandle().onExit();
        p.destroy();
        say("after destroy exit", p.waitFor());
        say("onExit is the process", onExit.get(10, TimeUnit.SECONDS) == p);
        say("handle onExit pid", handleOnExit.get(10, TimeUnit.SECONDS).pid() == p.pid());
        say("of(pid) after exit", ProcessHandle.of(p.pid()).isPresent());
        try {
            p.getInputStream().read();
            say("read after destroy", "no exception");
        } catch (IOException e) {
            say("read after destroy", e.getMessage());
        }
        p = new ProcessBuilder("sleep", "10").start();
        say("destroyForcibly returns itself", p.destroyForcibly() == p);
        say("after destroyForcibly exit", p.waitFor());
        say("exitValue", p.exitValue());
        p = new ProcessBuilder("sleep", "0.2").start();
        say("waitFor(10s)", p.waitFor(10, TimeUnit.SECONDS) + " " + p.exitValue());
        say("handle onExit of exited", ProcessHandle.of(p.pid()).isPresent());

        // The JDK's JFR event, which comes from ProcessBuilder after the spawn.
        say("jfr", jfrProcessStart(tmp));

        // What the agent must not leak into the application.
        for (String name : new String[] {"com.sun.jna.Native", "net.bytebuddy.ByteBuddy",
                "io.github.pidfd4j.linux.AgentSupport", "io.github.pidfd4j.ProcessProviders"}) {
            say("class " + name, visible(name));
        }
        say("resource com/sun/jna/Native.class", PlainApp.class.getClassLoader().getResource("com/sun/jna/Native.class"));
        say("property jna.loaded", System.getProperty("jna.loaded"));
        say("property jnidispatch.path", System.getProperty("jnidispatch.path"));
    }

    private static String jfrProcessStart(Path tmp) throws Exception {
        Path file = tmp.resolve("recording.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ProcessStart");
            recording.start();
            new ProcessBuilder("echo", "jfr").redirectOutput(Redirect.DISCARD).start().waitFor();
            recording.stop();
            recording.dump(file);
        }
        List<String> seen = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (!e.getEventType().getName().startsWith("jdk.")) {
                continue;  // the agent's own io.github.pidfd4j events, enabled by default as every library's are
            }
            seen.add(e.getEventType().getName() + " " + e.getString("command") + " pid>0=" + (e.getLong("pid") > 0));
        }
        return seen.toString();
    }

    private static void failure(String what, ProcessBuilder pb, Path tmp) {
        try {
            Process p = pb.start();
            say(what, "started, exit " + p.waitFor());
        } catch (Exception e) {
            say(what, (e.getClass().getName() + ": " + e.getMessage()).replace(tmp.toString(), "TMP"));
        }
    }

    private static String visible(String className) {
        try {
            Class.forName(className);
            return "visible";
        } catch (ClassNotFoundException e) {
            return "not visible";
        }
    }

    private static String writeFails(OutputStream out) {
        try {
            out.write('x');
            out.flush();
            return "written";
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    private static String text(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        in.transferTo(b);
        return b.toString(StandardCharsets.UTF_8).trim().replace('\n', '|');
    }

    private static String privateLookup(Class<?> c) {
        try {
            MethodHandles.privateLookupIn(c, MethodHandles.lookup());
            return "granted";
        } catch (IllegalAccessException e) {
            return "denied";
        }
    }

    private static void say(String what, Object value) {
        System.out.println(what + ": " + value);
    }
}
