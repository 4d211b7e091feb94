package io.github.pidfd4j.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The three ways to use the agent besides -javaagent's defaults: dynamic attach, Launcher-Agent-Class, settings. */
class DeliveryIT {

    static List<Jdk> jdks() {
        return Jdk.all();
    }

    /**
     * Dynamic attach to a running program: processes it starts afterwards take the pidfd path. JDK 21+
     * warns about dynamically loaded agents unless -XX:+EnableDynamicAgentLoading (also accepted by 17).
     * JDK 17 attaches with {@code java -jar pidfd4j-agent.jar <pid>}, JDK 25 with {@code jcmd}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void dynamicAttach(Jdk jdk) throws Exception {
        Jvm.Running target = Jvm.on(jdk).option("-XX:+EnableDynamicAgentLoading").main("AttachTargetApp").start();
        target.awaitLine("ready");
        List<String> attach = jdk.feature() == 17
                ? List.of(jdk.java().toString(), "-jar", Jvm.AGENT.toString(), Long.toString(target.process.pid()))
                : List.of(jdk.tool("jcmd").toString(), Long.toString(target.process.pid()), "JVMTI.agent_load",
                        Jvm.AGENT.toString());
        ProcessBuilder pb = new ProcessBuilder(attach).redirectErrorStream(true);
        Jvm.clean(pb.environment());
        Process attacher = pb.start();
        String attachOutput = new String(attacher.getInputStream().readAllBytes());
        int attachExit = attacher.waitFor();
        target.send("go");
        Jvm.Result result = target.finish();
        System.out.printf("[pidfd4j-it] %s dynamic attach with %s: %s%n", jdk, attach.get(0), attachOutput.trim());
        assertAll(
                () -> assertEquals(0, attachExit, attachOutput),
                () -> assertEquals(0, result.exitCode(), result::toString),
                () -> assertEquals("", result.stderr(), result::toString),
                () -> assertTrue(result.behaviour().contains("before: exit 1"), result::toString),
                () -> assertTrue(result.behaviour().contains("after: exit 2"), result::toString),
                // Children started before the attach and running across it: their own codes, and onExit.
                () -> assertTrue(result.behaviour().contains("running: exit 3, onExit before 3, after 3"), result::toString),
                () -> assertTrue(result.behaviour().contains("sleeping: exit 4, handle onExit before 4, after true, alive false false"), result::toString),
                () -> assertEquals(ProgramsIT.JDK_PROCESS, result.evidenceOne("before").get("class"), result::toString),
                () -> assertEquals(ProgramsIT.PIDFD_PROCESS, result.evidenceOne("after").get("class"), result::toString),
                () -> assertEquals("true", result.evidenceOne("after-live").get("watcher"), result::toString));
    }

    /**
     * An application's own executable jar with the agent inside and {@code Launcher-Agent-Class} in its
     * manifest: {@code java -jar app.jar}, no flag at all, runs on the pidfd path.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void launcherAgentClassInTheApplicationJar(Jdk jdk) throws Exception {
        Path appJar = launcherJar();
        Jvm.Result plain = Jvm.on(jdk).main("PlainApp").run();
        Jvm.Result launched = Jvm.on(jdk).jar(appJar).run();
        System.out.printf("[pidfd4j-it] %s java -jar with Launcher-Agent-Class: %d ms (%d ms with -cp, no agent)%n",
                jdk, launched.millis(), plain.millis());
        assertAll(
                () -> assertEquals(0, launched.exitCode(), launched::toString),
                () -> assertEquals("", launched.stderr(), launched::toString),
                () -> assertEquals(plain.behaviour(), launched.behaviour(), launched::toString),
                () -> launched.evidence("sh").forEach(e -> assertEquals(ProgramsIT.PIDFD_PROCESS, e.get("class"))),
                () -> assertEquals("true", launched.evidenceOne("sleeping").get("watcher"), launched::toString));
    }

    /**
     * The JDK does not verify its own classes by default; forced to, it accepts the patched
     * ProcessImpl and ProcessHandleImpl (their stack map frames included).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void patchedJdkClassesPassTheBytecodeVerifier(Jdk jdk) throws Exception {
        Jvm.Result r = Jvm.on(jdk).option("-XX:+UnlockDiagnosticVMOptions", "-XX:+BytecodeVerificationLocal",
                "-Xlog:verification=info:file=" + Jvm.WORK.resolve("verification-" + jdk.feature() + ".log"))
                .agent().main("ConfigProbeApp").run();
        String log = java.nio.file.Files.readString(Jvm.WORK.resolve("verification-" + jdk.feature() + ".log"));
        assertAll(
                () -> assertEquals(0, r.exitCode(), r::toString),
                () -> assertEquals("", r.stderr(), r::toString),
                () -> assertEquals(ProgramsIT.PIDFD_PROCESS, r.evidenceOne("probe").get("class"), r::toString),
                // The patched isAlive() and destroyProcess() ran, and answered as the JDK would.
                () -> assertTrue(r.behaviour().contains("handle after the exit: alive=false destroyed=false"), r::toString),
                () -> assertTrue(log.contains("Verifying class java.lang.ProcessImpl with new format"), "not verified"),
                () -> assertTrue(log.contains("Verifying class java.lang.ProcessHandleImpl with new format"), "not verified"));
    }

    /**
     * Where pidfds are refused (a seccomp filter, as a sandbox or an old kernel would), the agent stays
     * out of the way: the JDK starts the processes, the program works, and the reason is logged once.
     * Where only clone(CLONE_PIDFD) is refused (Docker's default profile), pidfd4j still works.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void withoutPidfdsTheJdkTakesOver(Jdk jdk) throws Exception {
        String seccompRun = System.getProperty("it.seccomp.run");
        Jvm.Result none = Jvm.on(jdk).wrapper(seccompRun, "no-pidfd").agent().main("ConfigProbeApp").run();
        Jvm.Result noClone = Jvm.on(jdk).wrapper(seccompRun, "no-clone-pidfd").agent().main("ConfigProbeApp").run();
        assertAll(
                () -> assertEquals(0, none.exitCode(), none::toString),
                () -> assertTrue(none.behaviour().contains("handle onExit: true\nexit: 0"), none::toString),
                () -> assertEquals(ProgramsIT.JDK_PROCESS, none.evidenceOne("probe").get("class"), none::toString),
                () -> assertEquals(1, none.stderr().split("pidfd4j agent: inactive", -1).length - 1, none::toString),
                () -> assertTrue(none.stderr().contains("WARNING"), none::toString),
                () -> assertEquals(0, noClone.exitCode(), noClone::toString),
                () -> assertEquals("", noClone.stderr(), noClone::toString),
                () -> assertEquals(ProgramsIT.PIDFD_PROCESS, noClone.evidenceOne("probe").get("class"), noClone::toString));
    }

    static Stream<Arguments> settings() {
        String pidfd = ProgramsIT.PIDFD_PROCESS;
        String jdk = ProgramsIT.JDK_PROCESS;
        return Stream.of(
                Arguments.of(List.of(), null, pidfd, ""),
                Arguments.of(List.of(), "spawn=off", jdk, ""),
                Arguments.of(List.of(), "provider=jdk", jdk, ""),
                Arguments.of(List.of("-Dpidfd4j.provider=jdk"), null, jdk, ""),
                Arguments.of(List.of("-Dpidfd4j.agent.enabled=false"), null, jdk, ""),
                Arguments.of(List.of("-Dpidfd4j.agent.spawn=false"), "spawn=true", pidfd, ""),
                Arguments.of(List.of(), "spawnPath=clone-then-pidfd-open,onExit=off", pidfd, ""),
                Arguments.of(List.of(), "bogus=1", pidfd, "ignoring unknown agent argument \"bogus\""));
    }

    /** Agent arguments and system properties; an agent argument wins over its property. */
    @ParameterizedTest(name = "{0} -javaagent:...={1}")
    @MethodSource("settings")
    void settings(List<String> options, String agentArgs, String processClass, String stderr) throws Exception {
        Jdk jdk = Jdk.of(17).isPresent() ? Jdk.of(17) : Jdk.of(25);
        Jvm.Result r = Jvm.on(jdk).option(options.toArray(new String[0])).agent(agentArgs).main("ConfigProbeApp").run();
        assertAll(
                () -> assertEquals(0, r.exitCode(), r::toString),
                () -> assertEquals(processClass, r.evidenceOne("probe").get("class"), r::toString),
                () -> assertTrue(stderr.isEmpty() ? r.stderr().isEmpty() : r.stderr().contains(stderr), r::toString));
        if (agentArgs != null && agentArgs.contains("spawnPath=")) {
            assertEquals("clone-then-pidfd-open", r.evidenceOne("properties").get("spawnPath"), "passed through: " + r);
        }
        if (agentArgs != null && agentArgs.contains("provider=")) {
            assertEquals("jdk", r.evidenceOne("properties").get("provider"), "passed through: " + r);
        }
    }

    /**
     * How an application builds such a jar, done by hand here: its classes, the agent jar's entries
     * (all but its manifest), and a manifest with Main-Class, Launcher-Agent-Class and
     * Can-Retransform-Classes.
     */
    private static Path launcherJar;

    private static synchronized Path launcherJar() throws IOException {
        if (launcherJar != null) {
            return launcherJar;
        }
        Path jar = Jvm.WORK.resolve("launcher-app.jar");
        Files.createDirectories(Jvm.WORK);
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, "io.github.pidfd4j.it.programs.PlainApp");
        main.putValue("Launcher-Agent-Class", "io.github.pidfd4j.agent.Pidfd4jAgent");
        main.putValue("Can-Retransform-Classes", "true");
        Path tmp = Files.createTempFile(Jvm.WORK, "launcher-app", ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(tmp), manifest)) {
            List<String> seen = new ArrayList<>();
            Files.walkFileTree(Jvm.PROGRAMS, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String name = Jvm.PROGRAMS.relativize(file).toString().replace('\\', '/');
                    out.putNextEntry(new JarEntry(name));
                    Files.copy(file, out);
                    out.closeEntry();
                    seen.add(name);
                    return FileVisitResult.CONTINUE;
                }
            });
            try (JarFile agent = new JarFile(Jvm.AGENT.toFile())) {
                for (JarEntry e : agent.stream().toList()) {
                    if (e.getName().equals(JarFile.MANIFEST_NAME) || e.getName().equals("META-INF/") || seen.contains(e.getName())) {
                        continue;
                    }
                    out.putNextEntry(new JarEntry(e.getName()));
                    try (InputStream in = agent.getInputStream(e)) {
                        in.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
        Files.move(tmp, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        launcherJar = jar;
        return jar;
    }
}
