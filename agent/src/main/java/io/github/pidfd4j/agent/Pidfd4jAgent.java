package io.github.pidfd4j.agent;

import java.lang.System.Logger.Level;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Map;
import java.security.AccessController;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The pidfd4j javaagent: {@code -javaagent:pidfd4j-agent.jar}, dynamic attach, or
 * {@code Launcher-Agent-Class} in an application's own jar. See the module's README.
 *
 * <p>Whatever goes wrong, the JVM starts and the JDK's own process handling stays in use; the reason
 * is logged once through {@link System.Logger} {@code io.github.pidfd4j.agent}.
 */
public final class Pidfd4jAgent {

    static final String BRIDGE = "java.lang.Pidfd4jBridge";
    private static final String BRIDGE_RESOURCE = "META-INF/pidfd4j/bridge/java/lang/Pidfd4jBridge.class";

    private static boolean started;
    private static Instrumentation instrumentation;  // set once, before the transformer exists

    private Pidfd4jAgent() {
    }

    /** {@code -javaagent}. */
    public static void premain(String agentArgs, Instrumentation inst) {
        start(agentArgs, inst, false);
    }

    /** Dynamic attach, and {@code Launcher-Agent-Class}. */
    public static void agentmain(String agentArgs, Instrumentation inst) {
        start(agentArgs, inst, true);
    }

    /** @param late whether the JVM may have loaded the JDK's process classes already (not before premain) */
    private static synchronized void start(String agentArgs, Instrumentation inst, boolean late) {
        // A throwing premain aborts the JVM, a throwing agentmain aborts java -jar: catch everything.
        try {
            if (started || isBridgeDefined()) {
                AgentLog.once(Level.DEBUG, "twice", "pidfd4j agent: already installed in this JVM");
                return;
            }
            started = true;
            instrumentation = inst;
            install(agentArgs, inst, late);
        } catch (Throwable t) {
            AgentLog.once(Level.WARNING, "install", "pidfd4j agent: not installed (" + t
                    + "); the JDK's own process handling stays in use", t);
        }
    }

    private static void install(String agentArgs, Instrumentation inst, boolean late) throws Throwable {
        AgentConfig config = AgentConfig.parse(agentArgs, System.getProperties());
        if (!config.enabled || (!config.spawn && !config.onExit)) {
            // Not logged, not even at DEBUG: looking up a System.Logger bootstraps the JDK's logging
            // (tens of milliseconds), the whole cost of a disabled agent otherwise.
            return;
        }
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
            AgentLog.once(Level.WARNING, "os", "pidfd4j agent: inactive: pidfds exist on Linux only, not on " + os);
            return;
        }
        if (!inst.isRetransformClassesSupported()) {
            AgentLog.once(Level.WARNING, "retransform", "pidfd4j agent: inactive: the agent's manifest lacks"
                    + " \"Can-Retransform-Classes: true\" (with Launcher-Agent-Class it goes into the application"
                    + " jar's manifest)");
            return;
        }
        // Nothing more now: the rest waits until the JDK's process classes load (DeferredTransformer).
        Activation activation = new Activation(config);
        DeferredTransformer.install(inst, config.spawn, config.onExit, late, activation, activation);
    }

    /**
     * The agent's real installation, run once when {@code ProcessImpl} or {@code ProcessHandleImpl}
     * first loads; and the handler of classes that could not be patched. A named class, not lambdas:
     * the first lambda of a JVM costs milliseconds of start-up.
     */
    private static final class Activation implements DeferredTransformer.Activation, BiConsumer<String, Throwable> {
        private final AgentConfig config;
        private Method withdraw;

        Activation(AgentConfig config) {
            this.config = config;
        }

        @Override
        @SuppressWarnings("removal")  // AccessController: JDK 17's SecurityManager
        public boolean activate() {
            try {
                if (System.getSecurityManager() == null) {
                    return activate(instrumentation);
                }
                // Activation runs under whatever first loads a process class: the application's frames,
                // whose permissions are not the agent's. Under a SecurityManager the agent's jar must be
                // granted AllPermission, as every agent's (see the README).
                return AccessController.doPrivileged(new PrivilegedExceptionAction<Boolean>() {
                    @Override
                    public Boolean run() throws Exception {
                        try {
                            return activate(instrumentation);
                        } catch (Exception | Error e) {
                            throw e;
                        } catch (Throwable t) {
                            throw new IllegalStateException(t);
                        }
                    }
                });
            } catch (PrivilegedActionException e) {
                AgentLog.once(Level.WARNING, "install", "pidfd4j agent: not installed (" + e.getException()
                        + "); the JDK's own process handling stays in use", e.getException());
                return false;
            } catch (Throwable t) {
                AgentLog.once(Level.WARNING, "install", "pidfd4j agent: not installed (" + t
                        + "); the JDK's own process handling stays in use", t);
                return false;
            }
        }

        private boolean activate(Instrumentation inst) throws Throwable {
            IsolatedLayer.Source source = IsolatedLayer.source();
            byte[] bridge = source.readEntry(BRIDGE_RESOURCE);
            Module isolated = IsolatedLayer.create(source);
            // java.lang is opened to the agent's isolated module only, so that it can define the bridge;
            // the application's own modules get nothing.
            inst.redefineModule(Object.class.getModule(), Set.of(), Map.of(),
                    Map.of("java.lang", Set.of(isolated)), Set.of(), Map.of());
            Class<?> installer = Class.forName(IsolatedLayer.EXPORTED + ".Installer", true, isolated.getClassLoader());
            Object cause = invoke(installer.getMethod("install", byte[].class, boolean.class, boolean.class),
                    bridge, config.spawn, config.onExit);
            if (cause != null) {
                // An expected condition (old kernel, sandbox): the cause says it all, no stack trace.
                AgentLog.once(Level.WARNING, "unavailable", "pidfd4j agent: inactive: " + cause
                        + "; the JDK's own process handling stays in use");
                return false;
            }
            withdraw = installer.getMethod("withdraw", boolean.class, boolean.class);
            return true;
        }

        /** A class could not be patched: its hooks are withdrawn, the JDK's code runs. */
        @Override
        public void accept(String type, Throwable error) {
            AgentLog.once(Level.WARNING, "transform:" + type, "pidfd4j agent: could not instrument " + type
                    + "; the JDK's own code stays in use for it", error);
            if (withdraw == null) {
                return;
            }
            try {
                invoke(withdraw, Instrumenter.PROCESS_IMPL.equals(type), Instrumenter.PROCESS_HANDLE_IMPL.equals(type));
            } catch (Throwable t) {
                AgentLog.once(Level.WARNING, "withdraw", "pidfd4j agent: could not withdraw a hook", t);
            }
        }
    }

    private static Object invoke(Method m, Object... args) throws Throwable {
        try {
            return m.invoke(null, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Whether this JVM has the bridge already (another copy of the agent, or a second attach). */
    private static boolean isBridgeDefined() {
        try {
            Class.forName(BRIDGE, false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
