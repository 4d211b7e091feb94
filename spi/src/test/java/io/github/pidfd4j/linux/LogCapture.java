package io.github.pidfd4j.linux;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * What pidfd4j logs at WARNING and above while open (its System.Logger goes to java.util.logging in
 * the tests). A race pidfd4j handles must not be reported: the agent sits in every JVM, and what it
 * logs lands on the program's stderr.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger = Logger.getLogger(Log.NAME);  // held: java.util.logging keeps loggers weakly
    private final List<String> said = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        private final SimpleFormatter format = new SimpleFormatter();

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                said.add(r.getLevel() + " " + format.formatMessage(r));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private LogCapture() {
        logger.addHandler(handler);
    }

    public static LogCapture warnings() {
        return new LogCapture();
    }

    /** The warnings and errors so far, formatted. */
    public List<String> said() {
        return List.copyOf(said);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
