package io.github.pidfd4j.agent.isolated;

import io.github.pidfd4j.linux.AgentSupport;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs inside the agent's isolated module layer, together with pidfd4j-spi. The agent calls
 * {@link #install} once, after it has opened {@code java.lang} to this module (and to no other).
 *
 * <p>Order matters: the bridge is defined first, native access is enabled for this module, then
 * pidfd4j is initialised completely (the native library, the kernel probe, the watcher thread),
 * and only then are the hooks published. Should anything in that initialisation start a process, the
 * hooks are still unset and the JDK starts it.
 */
public final class Installer {

    private static final String BRIDGE = "java.lang.Pidfd4jBridge";

    private static MethodHandles.Lookup javaLang;
    private static Class<?> bridge;

    private Installer() {
    }

    /**
     * Defines the bridge, initialises pidfd4j and publishes the hooks that are asked for.
     *
     * @return null when installed; otherwise why pidfds cannot be used here (nothing is hooked then)
     * @throws Throwable on an unexpected failure (nothing is hooked then either)
     */
    public static synchronized Throwable install(byte[] bridgeBytes, boolean spawn, boolean onExit) throws Throwable {
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(ProcessBuilder.class, MethodHandles.lookup());
        Class<?> b = lookup.defineClass(bridgeBytes);
        if (!b.getName().equals(BRIDGE)) {
            throw new IllegalStateException("unexpected bridge class " + b.getName());
        }
        javaLang = lookup;
        bridge = b;
        enableNativeAccess(lookup);

        Throwable cause = AgentSupport.initialize();
        if (cause != null) {
            return cause;
        }
        Object[] nulls = (Object[]) lookup.findStatic(b, "nullStreams", MethodType.methodType(Object[].class)).invoke();
        AgentSupport.useNullStreams((InputStream) nulls[0], (OutputStream) nulls[1]);
        useJdkEnvironmentBlocks(lookup, b);
        // With the onExit hook, the JDK's own handles are pidfd-driven too; they then equal the handles
        // of children() and descendants() both ways.
        AgentSupport.useJdkHandles(onExit);
        if (spawn) {
            lookup.findStaticVarHandle(b, "spawnHook", Function.class).setVolatile(Hooks.SPAWN);
        }
        if (onExit) {
            lookup.findStaticVarHandle(b, "exitHook", BiFunction.class).setVolatile(Hooks.EXIT);
        }
        // Always: a handle's destroy() and isAlive() through pidfds (see AgentSupport.handle).
        lookup.findStaticVarHandle(b, "handleHook", Function.class).setVolatile(Hooks.HANDLE);
        return null;
    }

    /** Children's environments encoded by the JDK itself, through the bridge: the raw bytes it keeps. */
    private static void useJdkEnvironmentBlocks(MethodHandles.Lookup lookup, Class<?> b) throws Throwable {
        MethodHandle block = lookup.findStatic(b, "environmentBlock", MethodType.methodType(byte[].class, Map.class));
        AgentSupport.useJdkEnvironmentBlocks(environment -> {
            try {
                return (byte[]) block.invokeExact(environment);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);  // it declares none
            }
        });
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
            javaLang.findStaticVarHandle(bridge, "spawnHook", Function.class).setVolatile((Function<?, ?>) null);
        }
        if (onExit) {
            javaLang.findStaticVarHandle(bridge, "exitHook", BiFunction.class).setVolatile((BiFunction<?, ?, ?>) null);
            javaLang.findStaticVarHandle(bridge, "handleHook", Function.class).setVolatile((Function<?, ?>) null);
            AgentSupport.useJdkHandles(false);
        }
    }

    /**
     * JEP 472 (JDK 24+): System.load of pidfd4j's JNI library is a restricted method. This
     * module, and only this one, gets native access, as {@code --enable-native-access} would give it:
     * the application's own unnamed modules are left as they are. Before JDK 22 there is nothing to do.
     */
    private static void enableNativeAccess(MethodHandles.Lookup javaLang) throws Throwable {
        MethodHandle enable;
        try {
            enable = javaLang.findVirtual(Module.class, "implAddEnableNativeAccess", MethodType.methodType(Module.class));
        } catch (NoSuchMethodException e) {
            return;
        }
        enable.invoke(Installer.class.getModule());
    }

}
