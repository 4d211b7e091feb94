package io.github.pidfd4j.agent.isolated;

import io.github.pidfd4j.linux.AgentSupport;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs inside the agent's isolated module layer, together with pidfd4j-spi. The agent calls
 * {@link #install} once, after it has opened {@code java.lang} to this module (and to no other).
 *
 * <p>{@link #install} runs when the JDK first loads {@code ProcessImpl} or {@code ProcessHandleImpl}:
 * it defines the bridge, enables native access for this module and publishes the hooks. pidfd4j
 * itself (the native library, the kernel probe, the watcher thread) is initialised by the first hook
 * call, {@link #ready}; that call runs inside the bridge's re-entrancy guard, so should anything in
 * the initialisation start a process, the JDK starts it.
 */
public final class Installer {

    private static final String BRIDGE = "java.lang.Pidfd4jBridge";

    private static Class<?> bridge;

    private Installer() {
    }

    /**
     * Defines the bridge, initialises pidfd4j and publishes the hooks that are asked for.
     *
     * @return null when installed (whether pidfds work here is found out by the first hook call)
     * @throws Throwable on an unexpected failure (nothing is hooked then either)
     */
    public static synchronized Throwable install(byte[] bridgeBytes, boolean spawn, boolean onExit) throws Throwable {
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(ProcessBuilder.class, MethodHandles.lookup());
        Class<?> b = lookup.defineClass(bridgeBytes);
        if (!b.getName().equals(BRIDGE)) {
            throw new IllegalStateException("unexpected bridge class " + b.getName());
        }
        bridge = b;
        exitHooked = onExit;
        enableNativeAccess();
        // The hooks go live now, but pidfd4j itself (native library, probe, watcher) is initialised by
        // the first hook call (ready()): this runs while the JDK loads ProcessImpl or ProcessHandleImpl,
        // and pidfd4j's initialisation uses ProcessHandle, which would be a class circularity here.
        if (spawn) {
            setHook("spawnHook", Hooks.SPAWN);
        }
        if (onExit) {
            setHook("exitHook", Hooks.EXIT);
        }
        // Always: a handle's destroy() and isAlive() through pidfds (see AgentSupport.handle).
        setHook("handleHook", Hooks.HANDLE);
        return null;
    }

    private static volatile boolean ready;
    private static boolean failed;  // guarded by Installer.class
    private static boolean exitHooked;  // guarded by Installer.class: the onExit hook is published

    /**
     * Whether the hooks may act: initialises pidfd4j on the first call. When pidfds cannot be used
     * here (old kernel, seccomp), says why once and withdraws every hook, so the JDK's own code runs
     * from then on. A hook call that races with this one waits for it.
     */
    static boolean ready() {
        return ready || initialize();
    }

    @SuppressWarnings("removal")  // AccessController: JDK 17's SecurityManager
    private static synchronized boolean initialize() {
        if (ready || failed) {
            return ready;
        }
        // The first hook call has the application's frames below it: pidfd4j's set-up is the agent's
        // own work, done with this module's permissions (all of them, see IsolatedLayer).
        return System.getSecurityManager() == null ? initializeNow()
                : AccessController.doPrivileged(new PrivilegedAction<Boolean>() {
                    @Override
                    public Boolean run() {
                        return initializeNow();
                    }
                });
    }

    private static boolean initializeNow() {
        try {
            Throwable cause = AgentSupport.initialize();
            if (cause != null) {
                // An expected condition (old kernel, sandbox): the cause says it all, no stack trace.
                System.getLogger("io.github.pidfd4j.agent").log(Level.WARNING, "pidfd4j agent: inactive: " + cause
                        + "; the JDK's own process handling stays in use");
                failed = true;
                withdraw(true, true);
                return false;
            }
            Object[] nulls = (Object[]) bridgeMethod("nullStreams").invoke(null);
            AgentSupport.useJdkEnvironmentBlocks(new JdkEnvironmentBlock(bridgeMethod("environmentBlock", Map.class)));
            // With the onExit hook, the JDK's own handles are pidfd-driven too; they then equal the handles
            // of children() and descendants() both ways.
            AgentSupport.install((InputStream) nulls[0], (OutputStream) nulls[1], exitHooked);
            ready = true;
        } catch (Throwable t) {
            System.getLogger("io.github.pidfd4j.agent").log(Level.WARNING, "pidfd4j agent: not installed (" + t
                    + "); the JDK's own process handling stays in use", t);
            failed = true;
            try {
                withdraw(true, true);
            } catch (Throwable w) {
                t.addSuppressed(w);
            }
        } finally {
            loadProcessHandleImpl();  // on every outcome, see there
        }
        return ready;
    }

    /**
     * Loads the JDK's ProcessHandleImpl, without initialising it (a no-op when it is loaded already, as
     * when the first hook call came from it): so the agent's transformer patches it now, outside any
     * transformer (a class loaded inside one is not transformed), and then has seen every target and
     * removes itself, whether pidfd4j could start or not (withdrawn hooks leave the prologue inert).
     * Not initialised: its static initialiser creates the JDK's reaper thread pool and spins two
     * lambdas, work for programs that use ProcessHandle, which then initialise it themselves.
     */
    private static void loadProcessHandleImpl() {
        try {
            Class.forName("java.lang.ProcessHandleImpl", false, null);
        } catch (ClassNotFoundException | LinkageError e) {
            // cannot happen in a JDK that has ProcessImpl; the transformer then waits for it, as before
        }
    }

    /** Children's environments encoded by the JDK itself, through the bridge: the raw bytes it keeps. */
    private static final class JdkEnvironmentBlock implements Function<Map<String, String>, byte[]> {
        private final Method block;

        JdkEnvironmentBlock(Method block) {
            this.block = block;
        }

        @Override
        public byte[] apply(Map<String, String> environment) {
            try {
                return (byte[]) block.invoke(null, environment);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException) {
                    throw (RuntimeException) e.getCause();
                }
                if (e.getCause() instanceof Error) {
                    throw (Error) e.getCause();
                }
                throw new IllegalStateException(e.getCause());  // it declares none
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    // The bridge through core reflection, not method or variable handles: on JDK 17 reflection's first
    // calls spin no classes, while the first method handle invocations cost milliseconds of the first spawn.

    /** Sets one of the bridge's hook fields; they are volatile, and Field.set writes them as such. */
    private static void setHook(String name, Object hook) throws ReflectiveOperationException {
        Field f = bridge.getDeclaredField(name);
        f.setAccessible(true);  // java.lang is open to this module (and to no other)
        f.set(null, hook);
    }

    private static Method bridgeMethod(String name, Class<?>... parameters) throws ReflectiveOperationException {
        Method m = bridge.getDeclaredMethod(name, parameters);
        m.setAccessible(true);
        return m;
    }

    /**
     * Takes a hook back, for instance when its advice could not be applied. Only what was published
     * by {@link #install} can be withdrawn; the JDK's own code then runs.
     */
    public static synchronized void withdraw(boolean spawn, boolean onExit) throws Throwable {
        if (bridge == null) {
            return;
        }
        if (spawn) {
            setHook("spawnHook", null);
        }
        if (onExit) {
            setHook("exitHook", null);
            setHook("handleHook", null);
            exitHooked = false;  // a later first hook call must not install the JDK's handles after all
            if (ready) {
                AgentSupport.withdrawHandleHooks();
            }
        }
    }

    /**
     * JEP 472 (JDK 24+): System.load of pidfd4j's JNI library is a restricted method. This
     * module, and only this one, gets native access, as {@code --enable-native-access} would give it:
     * the application's own unnamed modules are left as they are. Before JDK 22 there is nothing to do.
     */
    private static void enableNativeAccess() throws ReflectiveOperationException {
        Method enable;
        try {
            enable = Module.class.getDeclaredMethod("implAddEnableNativeAccess");
        } catch (NoSuchMethodException e) {
            return;
        }
        enable.setAccessible(true);  // java.lang is open to this module
        enable.invoke(Installer.class.getModule());
    }

}
