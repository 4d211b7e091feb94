package io.github.pidfd4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.github.pidfd4j.ProcessProviders;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the agent changes (AgentSupport.install) and what a library user does not pay for. */
class AgentPolicyTest {

    @Test
    void withoutTheAgentNoChildIsListedForItsHooks() throws Exception {
        Process p = ProcessProviders.start(new ProcessBuilder("sleep", "60"));
        try {
            // Listed, the agent's completion hook would hand out the child's own exit future. Unlisted, a
            // child of this JVM is left to the JDK's code: the registry costs a library user nothing.
            assertNull(AgentSupport.completion(p.pid(), false), "a library user's child is in the agent's registry");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void theAgentsPolicyListsChildrenAndGivesTheirNullStreams() throws Exception {
        InputStream nullInput = InputStream.nullInputStream();
        OutputStream nullOutput = OutputStream.nullOutputStream();
        AgentSupport.install(nullInput, nullOutput, false);
        try {
            Process p = ProcessProviders.start(new ProcessBuilder("sleep", "60")
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD));
            CompletableFuture<Integer> exited = AgentSupport.completion(p.pid(), false);
            assertSame(nullOutput, p.getOutputStream());
            assertSame(nullInput, p.getInputStream());
            assertSame(nullInput, p.getErrorStream());
            assertNotNull(exited, "a live child of the agent is listed");
            assertEquals(137, p.destroyForcibly().waitFor());
            assertEquals(137, exited.get(20, TimeUnit.SECONDS));
            assertNull(LiveChildren.get(p.pid()), "still listed after the reap");
        } finally {
            AgentPolicy.install(AgentPolicy.LIBRARY);
        }
    }

    @Test
    void withdrawingTheHandleHooksStopsListingChildren() throws Exception {
        AgentSupport.install(ProcessStreams.NULL_INPUT, ProcessStreams.NULL_OUTPUT, true);
        AgentSupport.withdrawHandleHooks();
        try {
            Process p = ProcessProviders.start(new ProcessBuilder("sleep", "60"));
            try {
                assertNull(LiveChildren.get(p.pid()));
                assertSame(PidfdProcessHandle.class, p.toHandle().getClass(), "toHandle() is pidfd4j's own again");
            } finally {
                p.destroyForcibly().waitFor();
            }
        } finally {
            AgentPolicy.install(AgentPolicy.LIBRARY);
        }
    }
}
