package io.github.pidfd4j.agent;

import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's logging: {@link System.Logger} {@value #NAME}, each message at most once. The logger is
 * only looked up when there is something to say, so a healthy start does not initialise the
 * application's logging backend from {@code premain}.
 */
final class AgentLog {

    static final String NAME = "io.github.pidfd4j.agent";

    private static final Map<String, Boolean> LOGGED = new ConcurrentHashMap<>();

    private AgentLog() {
    }

    static void once(Level level, String key, String message, Throwable t) {
        if (LOGGED.putIfAbsent(key, Boolean.TRUE) == null) {
            System.Logger log = System.getLogger(NAME);
            if (t == null) {
                log.log(level, message);
            } else {
                log.log(level, message, t);
            }
        }
    }

    static void once(Level level, String key, String message) {
        once(level, key, message, null);
    }
}
