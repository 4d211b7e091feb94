package java.lang;

import java.io.FileDescriptor;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * pidfd4j's only class inside {@code java.base}: the link between the advice inlined into
 * {@code ProcessImpl.start} and {@code ProcessHandleImpl.completion} and the agent's hooks, which live
 * in a module layer of their own. The agent defines it with a private lookup in {@code java.lang} and
 * sets the hooks through that lookup; it is package-private, so no application code can reach it.
 *
 * <p>It may use only {@code java.base}. A hook that is not set, or a call made while the same thread is
 * already inside a hook (pidfd4j's own work), means "let the JDK do it".
 */
final class Pidfd4jBridge {

    /**
     * Replaces the body of {@code ProcessImpl.start}. Argument: {cmdarray, environment, dir, redirects,
     * redirectErrorStream, links (FileDescriptor[2] or null)}. Result: a Process, an IOException to
     * throw, or null for the JDK's own body.
     */
    static volatile Function<Object[], Object> spawnHook;

    /** Replaces the body of {@code ProcessHandleImpl.completion}; null means the JDK's own body. */
    static volatile BiFunction<Long, Boolean, CompletableFuture<Integer>> exitHook;

    /**
     * Answers {@code ProcessHandleImpl.destroyProcess(force)} and {@code isAlive()}. Argument: {handle,
     * pid, startTime, force (a Boolean; null for isAlive)}. Result: the Boolean answer, or null for the
     * JDK's own body.
     */
    static volatile Function<Object[], Boolean> handleHook;

    /** Set while this thread runs a hook: whatever pidfd4j itself does then goes to the JDK. */
    private static final ThreadLocal<Boolean> BUSY = new ThreadLocal<>();

    private Pidfd4jBridge() {
    }

    /** Called by the advice at the start of {@code ProcessImpl.start}; null runs the JDK's body. */
    static Process start(String[] cmdarray, Map<String, String> environment, String dir,
                         ProcessBuilder.Redirect[] redirects, boolean redirectErrorStream) throws IOException {
        Function<Object[], Object> hook = spawnHook;
        if (hook == null || BUSY.get() != null) {
            return null;
        }
        // startPipeline's placeholders: the previous stage's read end (stdin) and the slot for ours (stdout).
        FileDescriptor[] links = null;
        if (redirects != null) {
            for (int i = 0; i < redirects.length; i++) {
                if (redirects[i] instanceof ProcessBuilder.RedirectPipeImpl) {
                    if (i > 1) {
                        return null;  // the JDK never does this; leave it to its own code
                    }
                    if (links == null) {
                        links = new FileDescriptor[2];
                    }
                    links[i] = ((ProcessBuilder.RedirectPipeImpl) redirects[i]).getFd();
                }
            }
        }
        Object result;
        BUSY.set(Boolean.TRUE);
        try {
            result = hook.apply(new Object[] {cmdarray, environment, dir, redirects, redirectErrorStream, links});
        } finally {
            BUSY.remove();
        }
        if (result instanceof IOException) {
            throw (IOException) result;
        }
        return (Process) result;
    }

    /** Called by the advice at the start of {@code ProcessHandleImpl.completion}; null runs the JDK's body. */
    static CompletableFuture<Integer> completion(long pid, boolean shouldReap) {
        BiFunction<Long, Boolean, CompletableFuture<Integer>> hook = exitHook;
        if (hook == null || BUSY.get() != null) {
            return null;
        }
        BUSY.set(Boolean.TRUE);
        try {
            return hook.apply(pid, shouldReap);
        } catch (Throwable t) {
            return null;  // the hook logs its own failures; the JDK must still get its completion
        } finally {
            BUSY.remove();
        }
    }

    /**
     * The child's environment exactly as the JDK passes it: {@code ProcessEnvironment}'s block, in which
     * every variable the program did not change keeps the raw bytes the JVM started with.
     */
    static byte[] environmentBlock(Map<String, String> environment) {
        return ProcessEnvironment.toEnvironmentBlock(environment, new int[1]);
    }

    /**
     * Called by the prologue of {@code ProcessHandleImpl.destroyProcess(force)}, with the handle's own
     * pid and start time: 1 or 0 for true or false, negative for the JDK's body (which also throws
     * for the current process).
     */
    static int destroyProcess(ProcessHandle handle, long pid, long startTime, boolean force) {
        Function<Object[], Boolean> hook = handleHook;
        return hook == null ? -1 : handle(hook, new Object[] {handle, pid, startTime, force});
    }

    /** Called by the prologue of {@code ProcessHandleImpl.isAlive()}; as {@link #destroyProcess}. */
    static int isAlive(ProcessHandle handle, long pid, long startTime) {
        Function<Object[], Boolean> hook = handleHook;
        return hook == null ? -1 : handle(hook, new Object[] {handle, pid, startTime, null});
    }

    private static int handle(Function<Object[], Boolean> hook, Object[] args) {
        if (BUSY.get() != null) {
            return -1;  // inside a hook, pidfd4j asks the JDK's own check of the start time
        }
        BUSY.set(Boolean.TRUE);
        try {
            Boolean answer = hook.apply(args);
            return answer == null ? -1 : answer ? 1 : 0;
        } catch (Throwable t) {
            return -1;  // the hook logs its own failures; the JDK answers instead
        } finally {
            BUSY.remove();
        }
    }

    /** The JDK's null streams, {@code ProcessBuilder.NullInputStream/NullOutputStream.INSTANCE}. */
    static Object[] nullStreams() {
        return new Object[] {ProcessBuilder.NullInputStream.INSTANCE, ProcessBuilder.NullOutputStream.INSTANCE};
    }
}
