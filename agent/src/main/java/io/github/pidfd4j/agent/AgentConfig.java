package io.github.pidfd4j.agent;

import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's settings, from the agent argument ({@code -javaagent:pidfd4j-agent.jar=key=value,...})
 * and from system properties; an agent argument wins over the property of the same setting.
 *
 * <table>
 * <caption>Settings</caption>
 * <tr><th>agent argument</th><th>system property</th><th>default</th><th>meaning</th></tr>
 * <tr><td>enabled</td><td>pidfd4j.agent.enabled</td><td>true</td><td>false: the agent does nothing</td></tr>
 * <tr><td>spawn</td><td>pidfd4j.agent.spawn</td><td>true</td><td>hook ProcessImpl.start</td></tr>
 * <tr><td>onExit</td><td>pidfd4j.agent.onExit</td><td>true</td><td>hook ProcessHandleImpl.completion</td></tr>
 * <tr><td>provider</td><td>pidfd4j.provider</td><td>pidfd</td><td>jdk: no spawn hook</td></tr>
 * <tr><td>spawnPath</td><td>pidfd4j.spawnPath</td><td>(probed)</td><td>clone3-pidfd, clone-pidfd or clone-then-pidfd-open</td></tr>
 * </table>
 *
 * <p>{@code provider} and {@code spawnPath} are pidfd4j-spi's own properties: given as agent
 * arguments they are set as system properties, so that pidfd4j-spi (the agent's copy and any the
 * application has) sees them too.
 */
final class AgentConfig {

    static final String ENABLED = "pidfd4j.agent.enabled";
    static final String SPAWN = "pidfd4j.agent.spawn";
    static final String ON_EXIT = "pidfd4j.agent.onExit";
    static final String PROVIDER = "pidfd4j.provider";
    static final String SPAWN_PATH = "pidfd4j.spawnPath";

    /** Agent argument name → system property. */
    private static final Map<String, String> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("enabled", ENABLED);
        KEYS.put("spawn", SPAWN);
        KEYS.put("onexit", ON_EXIT);
        KEYS.put("provider", PROVIDER);
        KEYS.put("spawnpath", SPAWN_PATH);
    }

    final boolean enabled;
    final boolean spawn;
    final boolean onExit;

    private AgentConfig(boolean enabled, boolean spawn, boolean onExit) {
        this.enabled = enabled;
        this.spawn = spawn;
        this.onExit = onExit;
    }

    /** Reads the settings; the pass-through ones given as agent arguments are set in {@code props}. */
    static AgentConfig parse(String agentArgs, Properties props) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : KEYS.values()) {
            String v = props.getProperty(key);
            if (v != null) {
                values.put(key, v.trim());
            }
        }
        if (agentArgs != null) {
            for (String item : agentArgs.split("[,;]")) {
                if (item.isBlank()) {
                    continue;
                }
                int eq = item.indexOf('=');
                String name = (eq < 0 ? item : item.substring(0, eq)).trim();
                String value = eq < 0 ? "true" : item.substring(eq + 1).trim();
                String key = KEYS.get(name.toLowerCase(Locale.ROOT));
                if (key == null) {
                    AgentLog.once(Level.WARNING, "arg:" + name, "pidfd4j agent: ignoring unknown agent argument \""
                            + name + "\"; the known ones are " + String.join(", ", "enabled", "spawn", "onExit",
                            "provider", "spawnPath"));
                    continue;
                }
                values.put(key, value);
                if (key.equals(PROVIDER) || key.equals(SPAWN_PATH)) {
                    props.setProperty(key, value);
                }
            }
        }
        boolean enabled = bool(values, ENABLED);
        boolean spawn = bool(values, SPAWN);
        boolean onExit = bool(values, ON_EXIT);
        String provider = values.getOrDefault(PROVIDER, "").toLowerCase(Locale.ROOT);
        if (provider.equals("jdk")) {
            spawn = false;  // the JDK's provider: the JDK spawns; exit watching still helps
        } else if (!provider.isEmpty() && !provider.equals("pidfd")) {
            AgentLog.once(Level.WARNING, "provider", "pidfd4j agent: unknown process provider \"" + provider
                    + "\" in " + PROVIDER + "; the agent knows \"pidfd\" and \"jdk\" and uses \"pidfd\"");
        }
        return new AgentConfig(enabled, spawn, onExit);
    }

    private static boolean bool(Map<String, String> values, String key) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            return true;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true": case "on": case "yes": case "1":
                return true;
            case "false": case "off": case "no": case "0":
                return false;
            default:
                AgentLog.once(Level.WARNING, "bool:" + key, "pidfd4j agent: ignoring " + key + "=" + v
                        + ": expected true or false; using true");
                return true;
        }
    }

    @Override
    public String toString() {
        return "enabled=" + enabled + ", spawn=" + spawn + ", onExit=" + onExit;
    }
}
