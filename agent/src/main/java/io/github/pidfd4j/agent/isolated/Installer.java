package io.github.pidfd4j.agent.isolated;

import io.github.pidfd4j.linux.AgentSupport;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs inside the agent's isolated module layer, together with pidfd4j-spi and JNA. The agent calls
 * {@link #install} once, after it has opened {@code java.lang} to this module (and to no other).
 *
 * <p>Order matters: the bridge is defined first, native access is enabled for this module, then
 * pidfd4j is initialised completely (JNA, the native library, the kernel probe, the watcher thread),
 * and only then are the hooks published. Should anything in that initialisation start a process, the
 * hooks are still unset and the JDK starts it.
 */
public final class Installer {

    private static final String BRIDGE = "java.lang.Pidfd4jBridge";
    private static final String JNA_PLATFORM_PATH = "jna.platform.library.path";

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

        Throwable cause = initializePidfd4j();
        if (cause != null) {
            return cause;
        }
        Object[] nulls = (Object[]) lookup.findStatic(b, "nullStreams", MethodType.methodType(Object[].class)).invoke();
        AgentSupport.useNullStreams((InputStream) nulls[0], (OutputStream) nulls[1]);
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
     * JEP 472 (JDK 24+): JNA's System.load and native method binding are restricted methods. This
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

    /**
     * Initialises pidfd4j. JNA records itself in system properties (jna.loaded, jnidispatch.path);
     * those are put back as they were, so that the application sees no trace of the agent's JNA.
     */
    private static Throwable initializePidfd4j() {
        Map<String, String> before = jnaProperties();
        try {
            // pidfd4j loads its libraries by absolute path and never searches the system's library path,
            // which JNA would otherwise build by running "ldconfig -p" in every JVM the agent starts in.
            // Read once, by this (the agent's own) copy of JNA, and put back below.
            if (!before.containsKey(JNA_PLATFORM_PATH)) {
                System.setProperty(JNA_PLATFORM_PATH, "");
            }
            return AgentSupport.initialize();
        } finally {
            Map<String, String> after = jnaProperties();
            for (String key : after.keySet()) {
                String old = before.get(key);
                if (old == null) {
                    System.clearProperty(key);
                } else if (!old.equals(after.get(key))) {
                    System.setProperty(key, old);
                }
            }
        }
    }

    private static Map<String, String> jnaProperties() {
        Map<String, String> result = new HashMap<>();
        Properties props = System.getProperties();
        for (String key : props.stringPropertyNames()) {
            if (key.startsWith("jna.") || key.startsWith("jnidispatch.")) {
                result.put(key, props.getProperty(key));
            }
        }
        return result;
    }
}
