package io.github.pidfd4j;

import static io.github.pidfd4j.Proc.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** startPipeline with the JDK's semantics (OpenJDK's PipelineTest and PipelineLeaksFD). */
class PipelineTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void stagesAreConnected(ProcessProvider provider) throws Exception {
        List<Process> ps = provider.startPipeline(List.of(
                new ProcessBuilder("cat"),
                new ProcessBuilder("tr", "a-z", "A-Z"),
                new ProcessBuilder("sort"),
                new ProcessBuilder("uniq", "-c")));
        assertEquals(4, ps.size());
        try (var in = ps.get(0).getOutputStream()) {
            in.write("b\na\nb\nc\n".getBytes());
        }
        assertEquals("      1 A\n      2 B\n      1 C\n", read(ps.get(3).getInputStream()));
        for (Process p : ps) {
            assertEquals(0, p.waitFor());
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void intermediateStreamsAreNullStreams(ProcessProvider provider) throws Exception {
        List<Process> ps = provider.startPipeline(List.of(sh("echo one; echo err1 >&2"), sh("cat; echo err2 >&2"),
                new ProcessBuilder("cat")));
        // Not the first: stdin is the null output stream. Not the last: stdout is the null input stream.
        for (int i = 1; i < 3; i++) {
            int stage = i;
            IOException e = assertThrows(IOException.class, () -> ps.get(stage).getOutputStream().write(1));
            assertEquals("Stream closed", e.getMessage());
        }
        for (int i = 0; i < 2; i++) {
            assertEquals(-1, ps.get(i).getInputStream().read());
        }
        ps.get(0).getOutputStream().close();
        assertEquals("one\n", read(ps.get(2).getInputStream()));
        // Every stage keeps its own stderr.
        assertEquals("err1\n", read(ps.get(0).getErrorStream()));
        assertEquals("err2\n", read(ps.get(1).getErrorStream()));
        for (Process p : ps) {
            assertEquals(0, p.waitFor());
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void firstInputAndLastOutputKeepTheirRedirects(ProcessProvider provider) throws Exception {
        Path in = Files.writeString(tmp.resolve("in"), "zeta\nalpha\n");
        Path out = tmp.resolve("out");
        List<Process> ps = provider.startPipeline(List.of(
                new ProcessBuilder("cat").redirectInput(in.toFile()),
                new ProcessBuilder("sort").redirectOutput(out.toFile())));
        for (Process p : ps) {
            assertEquals(0, p.waitFor());
        }
        assertEquals("alpha\nzeta\n", Files.readString(out));
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void redirectsBetweenStagesMustBePipes(ProcessProvider provider) throws Exception {
        long before = countChildren();
        IllegalArgumentException in = assertThrows(IllegalArgumentException.class, () -> provider.startPipeline(List.of(
                new ProcessBuilder("sleep", "60"), new ProcessBuilder("cat").redirectInput(Redirect.INHERIT))));
        assertEquals("builder redirectInput() must be PIPE except for the first builder: INHERIT", in.getMessage());
        IllegalArgumentException out = assertThrows(IllegalArgumentException.class, () -> provider.startPipeline(List.of(
                new ProcessBuilder("sleep", "60").redirectOutput(Redirect.DISCARD), new ProcessBuilder("cat"))));
        assertEquals("builder redirectOutput() must be PIPE except for the last builder: WRITE", out.getMessage());
        assertTrue(Proc.eventually(5000, () -> countChildren() == before), "the started first stage was killed and reaped");
        assertThrows(NullPointerException.class, () -> provider.startPipeline(null));
        assertEquals(List.of(), provider.startPipeline(List.of()));
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void aFailingStageKillsAndReapsTheStartedOnes(ProcessProvider provider) throws Exception {
        List<Long> pids = new ArrayList<>();
        long fds = Proc.openFds();
        IOException e = assertThrows(IOException.class, () -> provider.startPipeline(List.of(
                new ProcessBuilder("sleep", "60"), new ProcessBuilder("sleep", "61"),
                new ProcessBuilder("pidfd4j-no-such-program"))));
        assertTrue(e.getMessage().startsWith("Cannot run program \"pidfd4j-no-such-program\": "), e.getMessage());
        ProcessHandle.current().children().forEach(h -> pids.add(h.pid()));
        for (long pid : pids) {
            String cmd = ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("");
            assertFalse(cmd.contains("sleep 60") || cmd.contains("sleep 61"), "stage left running: " + cmd);
        }
        assertEquals(0, Proc.zombies());
        if (provider != Contenders.JDK) {
            // The JDK leaks the read end linking the last started stage to the failed one (its
            // startPipeline never closes that RedirectPipeImpl); pidfd4j closes it.
            assertTrue(Proc.eventually(2000, () -> fds(fds)), "no pipe left open");
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void noPipeIsLeftOpenAfterAPipeline(ProcessProvider provider) throws Exception {
        long before = pipes();
        for (int i = 0; i < 5; i++) {
            List<Process> ps = provider.startPipeline(List.of(sh("echo x"), new ProcessBuilder("cat"), new ProcessBuilder("cat")));
            assertEquals("x\n", read(ps.get(2).getInputStream()));
            for (Process p : ps) {
                p.waitFor();
                p.getInputStream().close();
                p.getErrorStream().close();
                p.getOutputStream().close();
            }
        }
        assertTrue(Proc.eventually(2000, () -> pipes() <= before), "pipe: descriptors leaked");
    }

    private static boolean fds(long max) {
        try {
            return Proc.openFds() <= max;
        } catch (IOException e) {
            return false;
        }
    }

    private static long pipes() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(p -> {
                try {
                    return Files.readSymbolicLink(p).toString().startsWith("pipe:");
                } catch (IOException e) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long countChildren() {
        return ProcessHandle.current().children().count();
    }

    private static ProcessBuilder sh(String script) {
        return Proc.sh(script);
    }
}
