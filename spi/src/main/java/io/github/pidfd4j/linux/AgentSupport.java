package io.github.pidfd4j.linux;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.lang.invoke.MethodHandles;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What the javaagent calls from its hooks in the JDK (ProcessImpl.start and
 * ProcessHandleImpl.completion). Public for the agent only: not an API, may change at any time.
 */
public final class AgentSupport {

    private AgentSupport() {
    }

    /** Whether the pidfd path can be used in this JVM. */
    public static boolean isAvailable() {
        return Pidfd.isAvailable();
    }

    /** Why not, or null. */
    public static Throwable unavailabilityCause() {
        return Pidfd.unavailabilityCause();
    }

    /**
     * For the agent, before it publishes its hooks: initialises, in the calling thread, everything a
     * hook call may need (the native library, the kernel probe, the watcher thread, and the classes
     * of the spawn and exit paths), so that no hook call initialises any of it. Returns why pidfds are
     * unusable here, or null when ready.
     */
    public static Throwable initialize() {
        // Privileged: the first hook call, with the application's frames below it, runs this.
        return Privileged.get(AgentSupport::initializePrivileged);
    }

    private static Throwable initializePrivileged() {
        if (!Pidfd.isAvailable()) {
            ParentDeath.jdkSpawns("pidfds are unavailable here (" + Pidfd.unavailabilityCause() + "), so the JDK starts the processes");
            return Pidfd.unavailabilityCause();
        }
        PidfdWatcher.get();
        if (ParentDeath.forAll()) {
            ParentDeathSpawner.ensureStarted();  // every spawn will need it: not in a hook call
        }
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        for (Class<?> c : new Class<?>[] {PidfdLauncher.class, PathSearch.class, ProcessStreams.class,
                PidfdProcess.class, ChildReaper.class, ExitRecord.class, PipesAtExit.class, LiveChildren.class,
                AgentPolicy.class, PidfdProcessHandle.class, PidfdHandle.class, ExitInfo.class,
                SpawnFailure.class, ForeignExit.class, JdkEnvironment.class, JdkHandles.class, ParentDeath.class,
                ProcessEvents.class}) {
            try {
                lookup.ensureInitialized(c);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);  // same package: cannot happen
            }
        }
        return null;
    }

    /**
     * In place of {@code ProcessImpl.start}: same arguments, same contract (an IOException with the
     * native detail only). {@code links}: see {@link PidfdLauncher#start}. Any other throwable means
     * that no child was created, so the JDK's own code may still run: once a child exists, every
     * failure kills and reaps it and is an IOException.
     */
    public static Process start(String[] cmdarray, Map<String, String> environment, String dir,
                                Redirect[] redirects, boolean redirectErrorStream, FileDescriptor[] links)
            throws IOException {
        try {
            return PidfdLauncher.start(cmdarray, environment, dir, redirects, redirectErrorStream, links);
        } catch (IOException e) {
            closePipelineLink(links);
            throw e;
        }
    }

    /**
     * A pipeline stage failed to start: the JDK's startPipeline then throws without closing the read end
     * of the previous stage's output (links[0]), which no one else holds; the library's own
     * startPipeline closes it, and so does the agent. The descriptor object is marked closed (-1), so
     * nothing can close the number again once it has been reused.
     */
    private static void closePipelineLink(FileDescriptor[] links) {
        if (links != null && links[0] != null) {
            int fd = LinuxNative.fdGet(links[0]);
            if (fd >= 0) {
                LinuxNative.fdSet(links[0], -1);
                LinuxNative.pidfd4j_close(fd);
            }
        }
    }

    /**
     * The agent's policy for the children pidfd4j starts from now on, set once it is ready: the JDK's
     * own null streams ({@code ProcessBuilder.NullInputStream/NullOutputStream.INSTANCE}); live
     * children listed by pid for its hooks in ProcessHandleImpl; and, with {@code jdkHandles} (its
     * onExit hook is in place), {@link Process#toHandle()} is the JDK's own handle, which the agent
     * makes pidfd-driven, so that it equals the handles from {@code children()} both ways.
     */
    public static void install(InputStream nullInput, OutputStream nullOutput, boolean jdkHandles) {
        AgentPolicy.install(new AgentPolicy(nullInput, nullOutput, jdkHandles, true));
    }

    /** The agent withdrew its hooks in ProcessHandleImpl: the JDK's handles are the JDK's alone again. */
    public static void withdrawHandleHooks() {
        AgentPolicy.install(AgentPolicy.current().withoutHandleHooks());
    }

    /**
     * Encode a child's environment with the JDK's own {@code ProcessEnvironment.toEnvironmentBlock}
     * (reached through the agent's bridge): every variable the program did not change keeps its raw
     * bytes, and the order is the JDK's. The function returns the block, each entry ending in NUL.
     */
    public static void useJdkEnvironmentBlocks(Function<Map<String, String>, byte[]> toEnvironmentBlock) {
        JdkEnvironment.jdkBlock = toEnvironmentBlock;
    }

    /**
     * In place of {@code ProcessHandleImpl.destroyProcess(force)} ({@code force} non-null) or
     * {@code isAlive()} (null) of the JDK's handle {@code handle}, whose pid and start time are given:
     * the answer, or null when the JDK's own code should answer. Called with the agent's re-entrancy
     * guard set, so {@code handle.isAlive()} here is the JDK's own start-time check.
     */
    public static Boolean handle(ProcessHandle handle, long pid, long startTime, Boolean force) {
        if (Privileged.isSecurityManagerPresent()) {  // it reads /proc: pidfd4j's own work, as the JDK's natives do
            return Privileged.get(() -> JdkHandles.answer(handle, pid, startTime, force));
        }
        return JdkHandles.answer(handle, pid, startTime, force);
    }

    /**
     * In place of {@code ProcessHandleImpl.completion(pid, shouldReap)}: a future of the exit value
     * (0 for a process that is not a pidfd4j child, as with the JDK), or null when the JDK's own code
     * should handle it (a child of this JVM that pidfd4j did not spawn, or a pid pidfds cannot watch).
     *
     * <p>The future completes on the watcher thread. That is safe because its only callers, the
     * JDK's {@code ProcessHandleImpl.onExit()} and {@code ProcessImpl.onExit()}, attach nothing but
     * {@code handleAsync} to it, which moves the user's code to the common pool; an extra async stage
     * here would cost a second thread hand-off (130 to 180 us measured on a small VM).
     */
    public static CompletableFuture<Integer> completion(long pid, boolean shouldReap) {
        if (Privileged.isSecurityManagerPresent()) {  // it reads /proc: pidfd4j's own work, as the JDK's natives do
            return Privileged.get(() -> completionPrivileged(pid, shouldReap));
        }
        return completionPrivileged(pid, shouldReap);
    }

    private static CompletableFuture<Integer> completionPrivileged(long pid, boolean shouldReap) {
        PidfdProcess child = LiveChildren.get(pid);
        if (child != null) {
            return child.reaper().exit().exitValueFuture();
        }
        // A child of this JVM that pidfd4j did not spawn (spawn=off, a fallback, native code): the JDK's
        // own code hands out the future of its reaper, which completes once its Process says not alive.
        // A pidfd would complete at the exit, before that reaper has reaped and recorded it.
        if (shouldReap || ForeignExit.isChildOfThisJvm(pid)) {
            return null;
        }
        return ForeignExit.onExit(pid);
    }
}
