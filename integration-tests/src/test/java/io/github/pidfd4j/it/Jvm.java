package io.github.pidfd4j.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Starts a program in a JVM of its own, with or without the agent, and collects what it does. */
final class Jvm {

    static final Path AGENT = Path.of(required("it.agent.jar"));
    static final Path LIB = Path.of(required("it.lib.dir"));
    static final Path PROGRAMS = Path.of(required("it.programs"));
    static final Path WORK = Path.of(required("it.work.dir"));
    static final String EVIDENCE = "@evidence ";
    private static final String PROGRAM_PACKAGE = "io.github.pidfd4j.it.programs.";
    private static final long TIMEOUT_SECONDS = 120;

    private final Jdk jdk;
    private final List<String> wrapper = new ArrayList<>();
    private final List<String> options = new ArrayList<>();
    private final List<String> classpath = new ArrayList<>();
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private String main;
    private String jar;

    private Jvm(Jdk jdk) {
        this.jdk = jdk;
        classpath.add(PROGRAMS.toString());
    }

    static Jvm on(Jdk jdk) {
        jdk.assumePresent();
        return new Jvm(jdk);
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null) {
            throw new IllegalStateException("-D" + property + " is not set: run the integration tests through Maven (mvn verify)");
        }
        return v;
    }

    /** {@code -javaagent:<agent jar>[=<args>]}; null args for none. */
    Jvm agent(String agentArgs) {
        options.add("-javaagent:" + AGENT + (agentArgs == null ? "" : "=" + agentArgs));
        return this;
    }

    Jvm agent() {
        return agent(null);
    }

    /** Runs the JVM through a wrapper command, e.g. a seccomp filter. */
    Jvm wrapper(String... command) {
        wrapper.addAll(Arrays.asList(command));
        return this;
    }

    /** Sets a variable of the JVM's environment. */
    Jvm env(String name, String value) {
        env.put(name, value);
        return this;
    }

    Jvm option(String... opts) {
        options.addAll(Arrays.asList(opts));
        return this;
    }

    /** Adds jars from the programs' library folder (names without ".jar"). */
    Jvm libs(String... names) {
        for (String n : names) {
            Path jarFile = LIB.resolve(n + ".jar");
            assertTrue(Files.isRegularFile(jarFile), "missing " + jarFile);
            classpath.add(jarFile.toString());
        }
        return this;
    }

    Jvm main(String simpleName, String... programArgs) {
        this.main = PROGRAM_PACKAGE + simpleName;
        this.args.addAll(Arrays.asList(programArgs));
        return this;
    }

    /** {@code java -jar <jar>} instead of a class path and main class. */
    Jvm jar(Path jarFile) {
        this.jar = jarFile.toString();
        return this;
    }

    List<String> command() {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(jdk.java().toString());
        cmd.addAll(options);
        if (jar != null) {
            cmd.add("-jar");
            cmd.add(jar);
        } else {
            cmd.add("-cp");
            cmd.add(String.join(File.pathSeparator, classpath));
            cmd.add(main);
        }
        cmd.addAll(args);
        return cmd;
    }

    /** Starts the JVM; its output is collected in the background. */
    Running start() throws IOException {
        Files.createDirectories(WORK);
        ProcessBuilder pb = new ProcessBuilder(command()).directory(WORK.toFile());
        clean(pb.environment());
        pb.environment().putAll(env);
        return new Running(pb.start(), command());
    }

    /** Runs to completion, with nothing on stdin. */
    Result run() throws Exception {
        Running r = start();
        r.process.getOutputStream().close();
        return r.finish();
    }

    /** Variables that make a JVM print "Picked up ..." or change it behind the test's back. */
    static void clean(Map<String, String> env) {
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("JDK_JAVA_OPTIONS");
        env.remove("_JAVA_OPTIONS");
        env.remove("CLASSPATH");
    }

    /** A started JVM. */
    static final class Running {
        final Process process;
        final List<String> command;
        private final long started = System.nanoTime();
        private final Pump out;
        private final Pump err;

        Running(Process process, List<String> command) {
            this.process = process;
            this.command = command;
            this.out = new Pump(process.getInputStream());
            this.err = new Pump(process.getErrorStream());
        }

        /** Waits until a line of stdout equals {@code line}. */
        void awaitLine(String line) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (System.nanoTime() < deadline) {
                if (out.text().lines().anyMatch(line::equals)) {
                    return;
                }
                if (!process.isAlive() && !out.thread.isAlive()) {
                    break;
                }
                Thread.sleep(20);
            }
            fail("no line \"" + line + "\" from " + command + "\nstdout:\n" + out.text() + "\nstderr:\n" + err.text());
        }

        /** What the JVM printed so far, while it runs on (exit code -1). */
        Result sofar() {
            return new Result(command, -1, out.text(), err.text(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }

        void send(String line) throws IOException {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.close();
        }

        Result finish() throws Exception {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                fail("timed out after " + TIMEOUT_SECONDS + " s: " + command + "\nstdout:\n" + out.text()
                        + "\nstderr:\n" + err.text());
            }
            out.thread.join();
            err.thread.join();
            return new Result(command, process.exitValue(), out.text(), err.text(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
    }

    /** Drains a stream on a thread of its own. */
    private static final class Pump {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        final Thread thread;

        Pump(InputStream in) {
            thread = new Thread(() -> {
                byte[] b = new byte[8192];
                try (in) {
                    for (int n; (n = in.read(b)) > 0; ) {
                        synchronized (buffer) {
                            buffer.write(b, 0, n);
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        String text() {
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /** What a program did. */
    record Result(List<String> command, int exitCode, String stdout, String stderr, long millis) {

        /** stdout without the evidence lines: what must be the same with and without the agent. */
        String behaviour() {
            return stdout.lines().filter(l -> !l.startsWith(EVIDENCE)).collect(Collectors.joining("\n"));
        }

        /** All evidence lines with this label, as key-value maps. */
        List<Map<String, String>> evidence(String label) {
            List<Map<String, String>> found = new ArrayList<>();
            for (String line : stdout.lines().toList()) {
                if (line.startsWith(EVIDENCE + label + " ")) {
                    Map<String, String> kv = new LinkedHashMap<>();
                    for (String p : line.substring((EVIDENCE + label + " ").length()).split(" ")) {
                        int eq = p.indexOf('=');
                        if (eq > 0) {
                            kv.put(p.substring(0, eq), p.substring(eq + 1));
                        }
                    }
                    found.add(kv);
                }
            }
            return found;
        }

        /** The one evidence line with this label. */
        Map<String, String> evidenceOne(String label) {
            List<Map<String, String>> all = evidence(label);
            if (all.size() != 1) {
                fail("expected one \"" + EVIDENCE + label + "\" line, found " + all.size() + "\n" + this);
            }
            return all.get(0);
        }

        long number(String label, String key) {
            return Long.parseLong(evidenceOne(label).get(key));
        }

        @Override
        public String toString() {
            return "command: " + String.join(" ", command) + "\nexit code: " + exitCode + " (" + millis + " ms)"
                    + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }
}
