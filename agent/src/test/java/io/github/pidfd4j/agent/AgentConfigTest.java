package io.github.pidfd4j.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class AgentConfigTest {

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void defaultsHookBoth() {
        AgentConfig c = AgentConfig.parse(null, props());
        assertTrue(c.enabled);
        assertTrue(c.spawn);
        assertTrue(c.onExit);
    }

    @Test
    void agentArgumentsWinOverProperties() {
        AgentConfig c = AgentConfig.parse("spawn=on;onExit=off", props("pidfd4j.agent.spawn", "false", "pidfd4j.agent.onExit", "true"));
        assertTrue(c.spawn);
        assertFalse(c.onExit);
    }

    @Test
    void booleansAndBareNames() {
        assertFalse(AgentConfig.parse("enabled=no", props()).enabled);
        assertFalse(AgentConfig.parse("spawn=0", props()).spawn);
        assertTrue(AgentConfig.parse("spawn", props("pidfd4j.agent.spawn", "off")).spawn);
        assertTrue(AgentConfig.parse("ONEXIT=Yes", props()).onExit);
        assertTrue(AgentConfig.parse("spawn=maybe", props()).spawn);  // logged, default kept
    }

    @Test
    void providerJdkTurnsTheSpawnHookOffAndIsPassedThrough() {
        Properties p = props();
        AgentConfig c = AgentConfig.parse("provider=jdk,spawnPath=clone-then-pidfd-open", p);
        assertFalse(c.spawn);
        assertTrue(c.onExit);
        assertEquals("jdk", p.getProperty("pidfd4j.provider"));
        assertEquals("clone-then-pidfd-open", p.getProperty("pidfd4j.spawnPath"));
        assertFalse(AgentConfig.parse(null, props("pidfd4j.provider", "JDK")).spawn);
        assertTrue(AgentConfig.parse(null, props("pidfd4j.provider", "pidfd")).spawn);
    }

    @Test
    void switchesAreNotWrittenAsProperties() {
        Properties p = props();
        AgentConfig.parse("spawn=off,bogus=1", p);
        assertNull(p.getProperty("pidfd4j.agent.spawn"));
        assertTrue(p.isEmpty());
    }
}
