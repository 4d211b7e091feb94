package io.github.pidfd4j;

import static io.github.pidfd4j.Proc.read;
import static io.github.pidfd4j.Proc.run;
import static io.github.pidfd4j.Proc.sh;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Redirects and streams, as the JDK has them. */
class StreamsTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void pipesAreBufferedStreams(ProcessProvider provider) throws Exception {
        Process p = provider.start(new ProcessBuilder("cat"));
        assertInstanceOf(BufferedOutputStream.class, p.getOutputStream());
        assertInstanceOf(BufferedInputStream.class, p.getInputStream());
        assertInstanceOf(BufferedInputStream.class, p.getErrorStream());
        p.getOutputStream().close();
        assertEquals(0, p.waitFor());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void stdinRoundTrip(ProcessProvider provider) throws Exception {
        Process p = provider.start(new ProcessBuilder("cat"));
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + (i >> 11));
        }
        CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        try (OutputStream in = p.getOutputStream()) {
            in.write(data);
        }
        assertArrayEquals(data, back.get(60, TimeUnit.SECONDS));
        assertEquals(0, p.waitFor());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void megabytesOnStdoutAndStderrAtOnceDoNotDeadlock(ProcessProvider provider) throws Exception {
        // 8 MiB on each stream, interleaved: a reader that drains only one would deadlock the child.
        Proc.Result r = run(provider, sh("head -c 8388608 /dev/zero | tr '\\0' o & head -c 8388608 /dev/zero | tr '\\0' e >&2; wait"));
        assertEquals(0, r.exit());
        assertEquals(8 * 1024 * 1024, r.out().length());
        assertEquals(8 * 1024 * 1024, r.err().length());
        assertTrue(r.out().chars().allMatch(c -> c == 'o'));
        assertTrue(r.err().chars().allMatch(c -> c == 'e'));
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void redirectErrorStreamMergesIntoStdout(ProcessProvider provider) throws Exception {
        Process p = provider.start(sh("echo out; echo err >&2; echo out2").redirectErrorStream(true));
        assertEquals("out\nerr\nout2\n", read(p.getInputStream()));
        assertEquals(-1, p.getErrorStream().read(), "the error stream is at EOF");
        assertEquals(0, p.getErrorStream().available());
        assertEquals(0, p.waitFor());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void fileRedirects(ProcessProvider provider) throws Exception {
        File in = tmp.resolve("in.txt").toFile();
        File out = tmp.resolve("out.txt").toFile();
        File err = tmp.resolve("err.txt").toFile();
        Files.writeString(in.toPath(), "line one\nline two\n");
        Files.writeString(out.toPath(), "old content that must go\n");
        Process p = provider.start(sh("cat; echo to-err >&2")
                .redirectInput(in).redirectOutput(out).redirectError(Redirect.appendTo(err)));
        // Redirected streams are the null streams.
        assertEquals(-1, p.getInputStream().read());
        assertEquals(0, p.getInputStream().available());
        assertEquals(-1, p.getErrorStream().read());
        IOException closed = assertThrows(IOException.class, () -> p.getOutputStream().write('x'));
        assertEquals("Stream closed", closed.getMessage());
        assertEquals(0, p.waitFor());
        assertEquals("line one\nline two\n", Files.readString(out.toPath()));
        assertEquals("to-err\n", Files.readString(err.toPath()));
        // Append appends; write truncates.
        assertEquals(0, provider.start(sh("echo again >&2").redirectError(Redirect.appendTo(err))).waitFor());
        assertEquals("to-err\nagain\n", Files.readString(err.toPath()));
        assertEquals(0, provider.start(sh("echo new").redirectOutput(Redirect.to(out))).waitFor());
        assertEquals("new\n", Files.readString(out.toPath()));
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void errorFileIsCreatedEvenWhenMergedIntoStdout(ProcessProvider provider) throws Exception {
        File err = tmp.resolve("err.txt").toFile();
        Files.writeString(err.toPath(), "stale");
        Process p = provider.start(sh("echo both; echo both2 >&2").redirectErrorStream(true).redirectError(err));
        assertEquals("both\nboth2\n", read(p.getInputStream()));
        assertEquals(0, p.waitFor());
        assertEquals("", Files.readString(err.toPath()), "truncated, and nothing written to it");
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void discardThrowsOutputAway(ProcessProvider provider) throws Exception {
        Process p = provider.start(sh("echo gone; echo gone2 >&2; echo kept >&2")
                .redirectOutput(Redirect.DISCARD));
        assertEquals(-1, p.getInputStream().read());
        assertEquals("gone2\nkept\n", read(p.getErrorStream()));
        assertEquals(0, p.waitFor());
        assertEquals("WRITE", Redirect.DISCARD.toString());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void inheritSharesTheParentsOpenFiles(ProcessProvider provider) throws Exception {
        // The child's fd 0 and 2 must be the very files of this JVM's fd 0 and 2.
        Proc.Result r = run(provider, sh("readlink /proc/self/fd/0; readlink /proc/self/fd/2")
                .redirectInput(Redirect.INHERIT).redirectError(Redirect.INHERIT));
        String expected = Files.readSymbolicLink(Path.of("/proc/self/fd/0")) + "\n"
                + Files.readSymbolicLink(Path.of("/proc/self/fd/2")) + "\n";
        assertEquals(expected, r.out());
        assertEquals(0, r.exit());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void missingRedirectFileFailsTheStartWithTheJdkMessage(ProcessProvider provider) throws Exception {
        File missing = tmp.resolve("no/such/dir/in.txt").toFile();
        IOException e = assertThrows(IOException.class,
                () -> provider.start(new ProcessBuilder("cat").redirectInput(missing)));
        assertEquals("Cannot run program \"cat\": " + missing + " (No such file or directory)", e.getMessage());
        assertInstanceOf(java.io.FileNotFoundException.class, e.getCause());
        IOException d = assertThrows(IOException.class,
                () -> provider.start(new ProcessBuilder("true").redirectOutput(tmp.toFile())));
        assertEquals("Cannot run program \"true\": " + tmp + " (Is a directory)", d.getMessage());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void bytesInThePipeSurviveTheExit(ProcessProvider provider) throws Exception {
        // The JDK drains the pipe at exit, closes it, and keeps the bytes (ProcessBuilder/Basic).
        Process p = provider.start(sh("head -c 4095 /dev/zero"));
        assertEquals(0, p.waitFor());
        InputStream in = p.getInputStream();
        assertTrue(Proc.eventually(5000, () -> available(in) == 4095), "available() is 4095 after the exit");
        assertEquals(4095, in.readAllBytes().length);
        assertEquals(-1, in.read());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void waitForReturnsWhileTheCallerHoldsTheStreamsMonitors(ProcessProvider provider) throws Exception {
        // Legal code: the JDK's streams are synchronized, and its exit handling takes no monitor before
        // it records the exit. Before pidfd4j's fix, waitFor timed out here (and waitFor() hung).
        Process p = provider.start(sh("echo out; echo err >&2; sleep 0.2"));
        InputStream out = p.getInputStream();
        InputStream err = p.getErrorStream();
        OutputStream in = p.getOutputStream();
        synchronized (out) {
            synchronized (err) {
                synchronized (in) {
                    assertTrue(p.waitFor(20, TimeUnit.SECONDS), "waitFor returns while the monitors are held");
                    assertFalse(p.isAlive());
                    assertEquals(0, p.exitValue());
                }
            }
        }
        // The bytes written before the exit stay readable, as with the JDK.
        assertEquals("out\n", read(out));
        assertEquals("err\n", read(err));
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void anotherChildsExitIsSeenWhileOneStreamsMonitorIsHeld(ProcessProvider provider) throws Exception {
        // The held child exits while its stdout's monitor is held; a second child exits after it.
        Process held = provider.start(sh("sleep 0.1; echo held"));
        InputStream heldOut = held.getInputStream();
        synchronized (heldOut) {
            Process other = provider.start(sh("sleep 0.3"));
            other.onExit().get(20, TimeUnit.SECONDS);
            assertFalse(other.isAlive());
            assertTrue(held.waitFor(20, TimeUnit.SECONDS));
        }
        assertEquals("held\n", read(heldOut));
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void writingAfterTheExitSaysStreamClosed(ProcessProvider provider) throws Exception {
        Process p = provider.start(new ProcessBuilder("true"));
        p.onExit().get(30, TimeUnit.SECONDS);
        OutputStream stdin = p.getOutputStream();
        // The stdin pipe is swapped for the null stream shortly after the exit, off the exit thread.
        assertTrue(Proc.eventually(5000, () -> {
            try {
                stdin.write('x');
                stdin.flush();
                return false;
            } catch (IOException e) {
                return "Stream closed".equals(e.getMessage());
            }
        }), "write and flush fail with Stream closed");
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void closedStreamsSayStreamClosed(ProcessProvider provider) throws Exception {
        Process p = provider.start(new ProcessBuilder("sleep", "60"));  // stays alive: no exit-time swap
        try {
            p.getInputStream().close();
            IOException e = assertThrows(IOException.class, () -> p.getInputStream().read());
            assertEquals("Stream closed", e.getMessage());
            p.getOutputStream().close();
            IOException w = assertThrows(IOException.class, () -> {
                p.getOutputStream().write(1);  // buffered: the check comes with the flush
                p.getOutputStream().flush();
            });
            assertEquals("Stream Closed", w.getMessage(), "FileOutputStream's own words, as with the JDK");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void destroyClosesTheStreamsUnderABlockedReader(ProcessProvider provider) throws Exception {
        Process p = provider.start(sh("echo started; exec sleep 60"));
        InputStream out = p.getInputStream();
        assertEquals('s', out.read());
        CompletableFuture<String> reader = new CompletableFuture<>();
        Thread readerThread = new Thread(() -> {
            try {
                byte[] b = new byte[100];
                while (out.read(b) >= 0) {
                    // keep reading until the end
                }
                reader.complete("EOF");
            } catch (IOException e) {
                reader.complete(e.getMessage());
            }
        }, "blocked reader");
        readerThread.setDaemon(true);
        readerThread.start();
        // Destroy only once the reader is blocked in read(), holding the stream's monitor: "tarted\n"
        // is all the child writes before it sleeps, so a native read now waits for more.
        assertTrue(Proc.eventually(30_000, () -> Proc.inNativeRead(readerThread)), "the reader blocked in read()");
        p.destroy();
        // The blocked read ends (at EOF, as the JDK's does) instead of hanging; the stream is closed.
        assertEquals("EOF", reader.get(30, TimeUnit.SECONDS));
        IOException e = assertThrows(IOException.class, out::read);
        assertEquals("Stream closed", e.getMessage());
        assertEquals(143, p.waitFor());
    }

    /**
     * The JDK's stdin is an 8 KiB BufferedOutputStream: a short write waits for flush(), a write of the
     * buffer's size or more goes straight through, single bytes go out when the 8,193rd arrives.
     * pidfd4j's allocates its buffer at the first write; what the child sees must be the same.
     */
    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void stdinIsBufferedAsTheJdks(ProcessProvider provider) throws Exception {
        Process p = provider.start(new ProcessBuilder("cat"));
        OutputStream stdin = p.getOutputStream();
        InputStream echo = p.getInputStream();
        stdin.write(new byte[100]);
        assertNothingArrives(echo, "100 bytes, not flushed");
        stdin.flush();
        assertEquals(100, readWithin(echo, 100).length);

        byte[] big = new byte[8192];
        Arrays.fill(big, (byte) 'b');
        stdin.write(big);  // as large as the buffer: not buffered
        assertArrayEquals(big, readWithin(echo, 8192));

        for (int i = 0; i < 8192; i++) {
            stdin.write('s');
        }
        assertNothingArrives(echo, "8,192 single bytes fill the buffer, not flushed");
        stdin.write('t');  // no room: the full buffer goes out first
        byte[] singles = new byte[8192];
        Arrays.fill(singles, (byte) 's');
        assertArrayEquals(singles, readWithin(echo, 8192));
        stdin.close();  // flushes the last byte
        assertEquals("t", read(echo));
        assertEquals(0, p.waitFor());
    }

    /** mark() before the first read, and a mark past the 8 KiB buffer, as BufferedInputStream has them. */
    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void markAndResetAsTheJdks(ProcessProvider provider) throws Exception {
        Process p = provider.start(sh("seq 1 5000"));  // 23,893 bytes
        InputStream out = p.getInputStream();
        assertTrue(out.markSupported());
        out.mark(20_000);
        byte[] first = out.readNBytes(12_000);
        out.reset();
        assertArrayEquals(first, out.readNBytes(12_000));
        String all = new String(first, StandardCharsets.US_ASCII) + read(out);
        assertTrue(all.startsWith("1\n2\n3\n") && all.endsWith("\n4999\n5000\n") && all.length() == 23_893, all.length() + " bytes");
        assertEquals(0, p.waitFor());
    }

    private static void assertNothingArrives(InputStream in, String what) throws Exception {
        Thread.sleep(300);  // long enough for cat to echo what reached it
        assertEquals(0, in.available(), what + ": nothing reaches the child");
    }

    private static byte[] readWithin(InputStream in, int n) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return in.readNBytes(n);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).get(30, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void skipReadsFromThePipe(ProcessProvider provider) throws Exception {
        Process p = provider.start(sh("head -c 10000 /dev/zero; echo tail"));
        InputStream in = p.getInputStream();
        long skipped = 0;
        while (skipped < 10000) {
            long n = in.skip(10000 - skipped);
            assertTrue(n > 0, "skip makes progress on a pipe");
            skipped += n;
        }
        assertEquals("tail\n", read(in));
        assertEquals(0, p.waitFor());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void readersAndWritersUseTheGivenCharset(ProcessProvider provider) throws Exception {
        Process p = provider.start(new ProcessBuilder("cat"));
        String text = "grüße, 日本, ½ €\n";
        try (var w = p.outputWriter(StandardCharsets.UTF_8)) {
            w.write(text);
        }
        assertEquals(text.strip(), p.inputReader(StandardCharsets.UTF_8).readLine());
        assertEquals(0, p.waitFor());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void workingDirectoryAppliesBeforeExec(ProcessProvider provider) throws Exception {
        Path script = tmp.resolve("here.sh");
        Files.writeString(script, "#!/bin/sh\necho \"$(pwd) $1\"\n");
        assertTrue(script.toFile().setExecutable(true));
        Proc.Result r = run(provider, new ProcessBuilder("./here.sh", "arg one").directory(tmp.toFile()));
        assertEquals(tmp.toRealPath() + " arg one\n", r.out());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void argumentsArePassedByteForByte(ProcessProvider provider) throws Exception {
        String[] args = {"", " spaced  out ", "quote\"s", "back\\slash", "$HOME", "*", "ünïcödé", "new\nline"};
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", "for a in \"$@\"; do printf '[%s]' \"$a\"; done", "sh");
        pb.command().addAll(java.util.List.of(args));
        StringBuilder expected = new StringBuilder();
        for (String a : args) {
            expected.append('[').append(a).append(']');
        }
        assertEquals(expected.toString(), run(provider, pb).out());
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void environmentChangesReachTheChild(ProcessProvider provider) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("env");
        pb.environment().put("PIDFD4J_ADDED", "a value with spaces=and equals");
        pb.environment().remove("HOME");
        String env = run(provider, pb).out();
        assertTrue(env.contains("PIDFD4J_ADDED=a value with spaces=and equals\n"), env);
        assertTrue(!env.contains("\nHOME=") && !env.startsWith("HOME="), "HOME removed");
        assertEquals(sorted(run(Contenders.JDK, pb).out()), sorted(env), "the same environment as the JDK gives");

        ProcessBuilder cleared = new ProcessBuilder("/usr/bin/env");
        cleared.environment().clear();
        cleared.environment().put("ONLY", "this");
        assertEquals("ONLY=this\n", run(provider, cleared).out());

        ProcessBuilder untouched = new ProcessBuilder("env");
        assertEquals(sorted(run(Contenders.JDK, untouched).out()), sorted(run(provider, untouched).out()));
    }

    @ParameterizedTest
    @MethodSource("io.github.pidfd4j.Contenders#all")
    void theChildKeepsOnlyItsThreeStandardDescriptors(ProcessProvider provider) throws Exception {
        // ls opens one descriptor of its own (3) to read the directory; nothing of the JVM's survives.
        assertEquals("0\n1\n2\n3\n", run(provider, new ProcessBuilder("ls", "/proc/self/fd")).out());
    }

    private static String sorted(String lines) {
        return String.join("\n", lines.lines().sorted().toList());
    }

    private static int available(InputStream in) {
        try {
            return in.available();
        } catch (IOException e) {
            return -1;
        }
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
