package io.github.pidfd4j.linux;

import java.lang.System.Logger.Level;
import jdk.jfr.FlightRecorder;

/**
 * The Flight Recorder events of pidfd4j's children ({@link ProcessSpawnEvent}, {@link ProcessExitEvent}),
 * at no cost while no recording has ever run in this JVM: the spawn path then only reads two
 * booleans, and loads one class of jdk.jfr ({@link FlightRecorder}) on the first spawn; the event
 * classes are loaded by {@link JfrEvents} once a recorder exists. Nothing here ever throws: a
 * failure is logged once and the events stop.
 */
final class ProcessEvents {

    /**
     * Whether this code may use jdk.jfr at all: the module is in the boot layer (a jlink image may
     * lack it) and this module reads it (the agent's isolated module reads it through a static
     * requirement, so only when the boot layer has it). Otherwise no jdk.jfr class is ever touched.
     */
    private static final boolean READABLE = readable();

    /** Set once the events failed: they stay off. */
    private static volatile boolean failed;

    private ProcessEvents() {
    }

    private static boolean readable() {
        Module jfr = ModuleLayer.boot().findModule("jdk.jfr").orElse(null);
        return jfr != null && ProcessEvents.class.getModule().canRead(jfr);
    }

    /**
     * Before a spawn: null while no Flight Recorder exists in this JVM (the usual case, and the
     * cheap one); otherwise a token for {@link #afterSpawn}, which records the exit in any case and
     * the spawn when its event is enabled now.
     */
    static Object beforeSpawn() {
        if (!READABLE || failed) {
            return null;
        }
        try {
            // Initialised once a recording has been started (-XX:StartFlightRecording, jcmd, the
            // API), and from then on for the life of the JVM; a plain static read.
            return FlightRecorder.isInitialized() ? JfrEvents.beforeSpawn() : null;
        } catch (Throwable t) {
            failed(t);
            return null;
        }
    }

    /** After a spawn that returned {@code process}; {@code token} is what {@link #beforeSpawn} returned. */
    static void afterSpawn(Object token, Process process, int path, String[] cmdarray, String dir) {
        try {
            JfrEvents.afterSpawn(token, process, path, cmdarray, dir);
        } catch (Throwable t) {  // the child runs and is the caller's: nothing may fail its start now
            failed(t);
        }
    }

    /** Turns the events off and says why, once. */
    static void failed(Throwable t) {
        if (!failed) {
            failed = true;
            Log.logger().log(Level.WARNING, "pidfd4j: Flight Recorder events turned off after a failure", t);
        }
    }
}
