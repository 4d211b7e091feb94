package io.github.pidfd4j.linux;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * What the javaagent changes in how pidfd4j's children look, as one immutable value. Only the agent
 * sets one, through {@link AgentSupport#install}; a library user always has {@link #LIBRARY}, and
 * pays for nothing of the agent's (no registry of live children, no JDK handles).
 *
 * @param nullInput the stream of a redirected or exited stdout/stderr (the agent: the JDK's own
 *        ProcessBuilder.NullInputStream.INSTANCE, which programs may compare against)
 * @param nullOutput the stream of a redirected or exited stdin (the agent: NullOutputStream.INSTANCE)
 * @param jdkHandles whether {@code toHandle()} gives out the JDK's own handle (the agent makes its
 *        onExit(), destroy() and isAlive() pidfd-driven), so that it equals the handles of
 *        {@code children()} both ways
 * @param liveChildren whether live children are listed by pid ({@link LiveChildren}), for the
 *        agent's hooks in the JDK's ProcessHandleImpl
 */
record AgentPolicy(InputStream nullInput, OutputStream nullOutput, boolean jdkHandles, boolean liveChildren) {

    /** Without the agent: pidfd4j's own null streams and handles, no registry. */
    static final AgentPolicy LIBRARY =
            new AgentPolicy(ProcessStreams.NULL_INPUT, ProcessStreams.NULL_OUTPUT, false, false);

    /** Replaced as a whole, by the agent only: at its installation, and when it withdraws its hooks. */
    private static volatile AgentPolicy current = LIBRARY;

    static AgentPolicy current() {
        return current;
    }

    /** For {@link AgentSupport} only. */
    static void install(AgentPolicy policy) {
        current = policy;
    }

    /** The same without the handle hooks: the JDK's handles are the JDK's again, nothing to list. */
    AgentPolicy withoutHandleHooks() {
        return new AgentPolicy(nullInput, nullOutput, false, false);
    }
}
