package io.github.pidfd4j.agent.isolated;

import io.github.pidfd4j.linux.AgentSupport;
import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The hooks the bridge calls, in place of the bodies of {@code ProcessImpl.start} and
 * {@code ProcessHandleImpl.completion}. They never let an unexpected failure reach the application
 * when the JDK can still do the work itself, and never start a program twice.
 */
final class Hooks {

    // Named classes, not method references: a JVM's first lambdas cost milliseconds of the first spawn.
    static final Function<Object[], Object> SPAWN = new Spawn();
    static final BiFunction<Long, Boolean, CompletableFuture<Integer>> EXIT = new Exit();
    static final Function<Object[], Boolean> HANDLE = new Handle();

    private static final Map<String, Boolean> LOGGED = new ConcurrentHashMap<>();

    private Hooks() {
    }

    /**
     * A Process, an IOException for the bridge to throw (the JDK's ProcessBuilder then adds its
     * "Cannot run program" wrapping), or null for the JDK's own body.
     *
     * <p>What falls back: a RuntimeException or a LinkageError. AgentSupport.start turns every failure
     * after the clone into an IOException (having killed and reaped the child), so these mean that no
     * child exists and the JDK may start it. Any other Error (OutOfMemoryError...) propagates, as it
     * would from the JDK's own spawn.
     */
    @SuppressWarnings("unchecked")
    private static Object spawn(Object[] a) {
        if (!Installer.ready()) {
            return null;
        }
        try {
            return AgentSupport.start((String[]) a[0], (Map<String, String>) a[1], (String) a[2],
                    (Redirect[]) a[3], (Boolean) a[4], (FileDescriptor[]) a[5]);
        } catch (IOException e) {
            return e;
        } catch (SecurityException e) {
            throw e;  // the application may not open a redirect file: thrown where the JDK throws it
        } catch (RuntimeException | LinkageError e) {
            logOnce("spawn:" + e.getClass().getName(), "pidfd4j agent: could not start a process through the pidfd"
                    + " provider; the JDK starts it instead (further " + e.getClass().getName() + "s not logged)", e);
            return null;
        }
    }

    private static CompletableFuture<Integer> exit(Long pid, Boolean shouldReap) {
        if (!Installer.ready()) {
            return null;
        }
        try {
            return AgentSupport.completion(pid, shouldReap);
        } catch (Throwable t) {
            logOnce("exit:" + t.getClass().getName(), "pidfd4j agent: could not watch the exit of pid " + pid
                    + " through a pidfd; the JDK watches it instead (further " + t.getClass().getName()
                    + "s not logged)", t);
            return null;
        }
    }

    /** {handle, pid, startTime, force or null for isAlive}: the answer, or null for the JDK's body. */
    private static Boolean handle(Object[] a) {
        if (!Installer.ready()) {
            return null;
        }
        try {
            return AgentSupport.handle((ProcessHandle) a[0], (Long) a[1], (Long) a[2], (Boolean) a[3]);
        } catch (Throwable t) {
            logOnce("handle:" + t.getClass().getName(), "pidfd4j agent: could not " + (a[3] == null ? "check" : "signal")
                    + " pid " + a[1] + " through a pidfd; the JDK does it instead (further " + t.getClass().getName()
                    + "s not logged)", t);
            return null;
        }
    }

    private static void logOnce(String key, String message, Throwable t) {
        if (LOGGED.putIfAbsent(key, Boolean.TRUE) == null) {
            System.getLogger("io.github.pidfd4j.agent").log(Level.WARNING, message, t);
        }
    }

    private static final class Spawn implements Function<Object[], Object> {
        @Override
        public Object apply(Object[] a) {
            return spawn(a);
        }
    }

    private static final class Exit implements BiFunction<Long, Boolean, CompletableFuture<Integer>> {
        @Override
        public CompletableFuture<Integer> apply(Long pid, Boolean shouldReap) {
            return exit(pid, shouldReap);
        }
    }

    private static final class Handle implements Function<Object[], Boolean> {
        @Override
        public Boolean apply(Object[] a) {
            return handle(a);
        }
    }
}
