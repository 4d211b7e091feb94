package io.github.pidfd4j.linux;

import java.io.IOException;
import java.security.AccessController;
import java.security.PrivilegedAction;
import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;
import java.util.function.Supplier;

/**
 * pidfd4j's own work under a SecurityManager (JDK 17; gone since JDK 24): done with pidfd4j's own
 * permissions, as the JDK's {@code ProcessImpl} does its own (reading PATH, making pipes, wrapping
 * descriptors, starting its threads). What the application itself must be allowed to do, starting the
 * program and opening redirect files, is checked against the application's frames before (see
 * {@link PidfdLauncher#start}). Without a SecurityManager it simply runs the action.
 */
@SuppressWarnings("removal")  // AccessController and getSecurityManager, needed while JDK 17 is supported
final class Privileged {

    /** An action that may fail with an IOException. */
    interface Action<T> {
        T run() throws IOException;
    }

    private Privileged() {
    }

    static boolean isSecurityManagerPresent() {
        return System.getSecurityManager() != null;
    }

    /** The same for work that throws no checked exception. */
    static <T> T get(Supplier<T> action) {
        if (!isSecurityManagerPresent()) {
            return action.get();
        }
        return AccessController.doPrivileged(new PrivilegedAction<T>() {
            @Override
            public T run() {
                return action.get();
            }
        });
    }

    static <T> T run(Action<T> action) throws IOException {
        if (!isSecurityManagerPresent()) {
            return action.run();
        }
        try {
            return AccessController.doPrivileged(new PrivilegedExceptionAction<T>() {
                @Override
                public T run() throws IOException {
                    return action.run();
                }
            });
        } catch (PrivilegedActionException e) {
            throw (IOException) e.getException();  // the only checked exception an Action throws
        }
    }
}
