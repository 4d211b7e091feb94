package io.github.pidfd4j.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Benchmark 4: exit notification of a process that is not a child of this JVM, through
 * {@code ProcessHandle.of(pid).get().onExit()}. The sleepers are started by a helper
 * ({@code cref nonchild-server}), so they are its children, not ours; it lets the kernel reap them.
 * Before each operation (not timed) the helper starts one, we call {@code onExit()} on its
 * handle and wait 10 ms; the timed operation is {@code destroyForcibly()} (t0) up to the completion of that future
 * (t1). Without the agent the JDK learns of the exit by polling {@code /proc} every 300 ms or more;
 * the agent replaces that with {@code pidfd_open} + epoll. The library alone cannot change
 * {@code ProcessHandle}, so the {@code pidfd} contender shows the JDK's behaviour here.
 */
@State(Scope.Thread)
public class NonChildExitBenchmark {

    /** Time between {@code onExit()} and the kill, not measured. */
    static final int SETTLE_MILLIS = 10;

    @Param({"jdk", "pidfd"})
    public String contender;

    private Process server;
    private OutputStream toServer;
    private BufferedReader fromServer;
    private ProcessHandle sleeper;
    private CompletableFuture<ProcessHandle> exited;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        Contender c = Contender.of(contender);
        c.verify();
        server = c.start(new ProcessBuilder(NativeTools.cref(), "nonchild-server", NativeTools.tinyPause())
                .redirectError(Redirect.INHERIT));
        toServer = server.getOutputStream();
        fromServer = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.US_ASCII));
    }

    @Setup(Level.Invocation)
    public void startSleeper() throws Exception {
        toServer.write('s');
        toServer.flush();
        String line = fromServer.readLine();
        if (line == null) {
            throw new IllegalStateException("cref nonchild-server ended");
        }
        long pid = Long.parseLong(line.trim());
        sleeper = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
        if (sleeper.parent().map(ProcessHandle::pid).orElse(-1L) == ProcessHandle.current().pid()) {
            throw new IllegalStateException("the sleeper is our own child");
        }
        exited = sleeper.onExit();
        // Let whoever watches start watching: the JDK's poller thread takes its first look at once
        // and then sleeps 300 ms. Killing sooner could let that first look find the process gone
        // and measure a race instead of the JDK's steady behaviour. The agent registers its pidfd
        // before onExit() returns, so this makes no difference to it.
        Thread.sleep(SETTLE_MILLIS);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public ProcessHandle nonChildOnExit() {
        sleeper.destroyForcibly();
        return exited.join();
    }

    @TearDown(Level.Invocation)
    public void killSleeper() {
        if (sleeper != null) {
            sleeper.destroyForcibly();  // only matters if the operation failed
            sleeper = null;
        }
    }

    @TearDown(Level.Trial)
    public void stopServer() throws Exception {
        if (server != null) {
            toServer.close();  // the helper exits at EOF; its sleepers die with it (PR_SET_PDEATHSIG)
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
            Spawns.closeStreams(server);
        }
    }
}
