package io.github.pidfd4j.linux;

import io.github.pidfd4j.SpawnOptions;
import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * Kill on parent death ({@link SpawnOptions#killOnParentDeath()}): the JVM-wide property, read once,
 * on the first spawn, and how a spawn asks for it. Public for the {@code "jdk"} provider only: not an
 * API, may change at any time.
 */
public final class ParentDeath {

    /** Turns the untested Linux 7.1 path on where the kernel has it; off by default. */
    static final String AUTOKILL_PROPERTY = "pidfd4j.autokill";

    /** -Dpidfd4j.killOnParentDeath: every pidfd spawn of this JVM, the agent's included. */
    private static final boolean FOR_ALL = booleanProperty(SpawnOptions.KILL_ON_PARENT_DEATH_PROPERTY);

    private static volatile boolean jdkSpawnsReported;

    private ParentDeath() {
    }

    /** Whether {@code -Dpidfd4j.killOnParentDeath=true} asks it for every spawn. */
    public static boolean forAll() {
        return FOR_ALL;
    }

    /**
     * The native spawn flags (LinuxNative.SPAWN_*) for a spawn through {@code path} that asks for kill
     * on parent death ({@code requested}), or that the property asks it for: 0 when neither does.
     * Linux 7.1+ with {@value #AUTOKILL_PROPERTY}{@code =true} on the clone3 path, where the kernel
     * takes the flags: CLONE_PIDFD_AUTOKILL (with CLONE_AUTOREAP, which it requires), and no
     * parent-death signal, which would tie the child to the calling thread again. Otherwise the
     * parent-death signal, whose spawns {@link PidfdLauncher} hands to the {@link ParentDeathSpawner}.
     */
    static int flags(boolean requested, int path) {
        if (!requested && !FOR_ALL) {
            return 0;
        }
        if (path == LinuxNative.PATH_CLONE3 && Autokill.REQUESTED && Pidfd.autokillSupported()) {
            return LinuxNative.SPAWN_AUTOKILL | LinuxNative.SPAWN_AUTOREAP;
        }
        return LinuxNative.SPAWN_KILL_ON_PARENT_DEATH;
    }

    /** -Dpidfd4j.autokill, read on the first spawn that asks for kill on parent death only. */
    private static final class Autokill {
        static final boolean REQUESTED = booleanProperty(AUTOKILL_PROPERTY);
    }

    /**
     * The JDK spawns where the property asks for what it cannot do: a warning, once per JVM, rather
     * than a failure of every spawn (which would break the program the property was meant to protect).
     */
    public static void jdkSpawns(String why) {
        if (FOR_ALL && !jdkSpawnsReported) {
            jdkSpawnsReported = true;  // a race may warn twice; never on every spawn
            Log.logger().log(Level.WARNING, "pidfd4j: -D{0}=true cannot be honoured: {1}; the children it starts"
                    + " will outlive this JVM", SpawnOptions.KILL_ON_PARENT_DEATH_PROPERTY, why);
        }
    }

    /** A system property, read as pidfd4j's own work (see {@link #booleanProperty}). */
    static String property(String name) {
        return Privileged.isSecurityManagerPresent()
                ? Privileged.get(() -> System.getProperty(name))  // not on the common path: no lambda linked there
                : System.getProperty(name);
    }

    /**
     * Reads a boolean property as {@code true} or {@code false} (case and surrounding blanks ignored);
     * anything else counts as unset, with a warning. Read where the JDK 17 SecurityManager may deny it
     * to the application's frames, so read as pidfd4j's own work.
     */
    static boolean booleanProperty(String name) {
        String value = property(name);
        if (value == null) {
            return false;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return true;
        }
        if (!v.equals("false")) {
            Log.logger().log(Level.WARNING, "pidfd4j: ignoring -D{0}={1}: expected true or false", name, value);
        }
        return false;
    }
}
