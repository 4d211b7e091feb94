package io.github.pidfd4j.linux;

/**
 * pidfd4j's {@link System.Logger}, {@value #NAME}. Looked up at each use, which is rare (a refusal,
 * a fallback, an error), and never on the way of a healthy spawn: the first System.getLogger
 * bootstraps the JDK's logging, about 30 ms that a JVM which has nothing to report must not pay.
 */
public final class Log {

    static final String NAME = "io.github.pidfd4j";

    private Log() {
    }

    public static System.Logger logger() {
        return System.getLogger(NAME);
    }
}
