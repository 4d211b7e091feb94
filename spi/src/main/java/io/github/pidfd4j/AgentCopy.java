package io.github.pidfd4j;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The agent's own copy of pidfd4j, asked by the public API about the processes the agent started. The
 * agent spawns through the classes of its isolated module layer, which this copy of the classes cannot
 * look into; the one package that layer exports ({@code io.github.pidfd4j.agent.isolated}) holds small
 * static entry points for exactly these questions (ExitInfoLookup, DescriptorLookup, ProcessTreeLookup).
 */
final class AgentCopy {

    /** The module of the agent's isolated layer. */
    private static final String MODULE = "io.github.pidfd4j.isolated";
    /** The package of its entry points, the only one that module exports. */
    private static final String ENTRY_POINTS = "io.github.pidfd4j.agent.isolated.";

    private AgentCopy() {
    }

    /** Whether the agent's copy of pidfd4j started {@code process}. */
    static boolean started(Process process) {
        return MODULE.equals(process.getClass().getModule().getName());
    }

    /**
     * The static method {@code lookup.name(types)} of the agent that started {@code process}; an
     * {@link IllegalStateException} naming it where that agent has none (an older agent).
     */
    static Method entryPoint(Process process, String lookup, String name, Class<?>... types) {
        try {
            return Class.forName(ENTRY_POINTS + lookup, true, process.getClass().getClassLoader()).getMethod(name, types);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this pidfd4j agent has no " + lookup + "." + name + " (an older agent?)", e);
        }
    }

    /** Calls an entry point; the agent's own unchecked exceptions and IOExceptions come through as they are. */
    static Object call(Method entryPoint, Object... args) throws IOException {
        try {
            return entryPoint.invoke(null, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;  // e.g. its IllegalArgumentException (not its process) or IllegalStateException (reaped)
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("the pidfd4j agent failed in " + entryPoint.getName(), e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("the pidfd4j agent's " + entryPoint.getName() + " is not accessible", e);
        }
    }
}
