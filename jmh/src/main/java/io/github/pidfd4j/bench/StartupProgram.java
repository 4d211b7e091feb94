package io.github.pidfd4j.bench;

import io.github.pidfd4j.ProcessProviders;

/**
 * The {@code main} of the JVMs that the start-up benchmark ({@link Startup}) measures, each in a
 * fresh JVM: it does as little as a program that spawns one process (or none) can do, so that what
 * the operating system accounts to the JVM is the JVM's start-up, the agent's and the first spawn's.
 *
 * <p>Usage: {@code StartupProgram none} (returns at once), {@code StartupProgram jdk EXPECT} (starts
 * {@code /bin/true} with {@code ProcessBuilder.start()} and waits), {@code StartupProgram library
 * EXPECT} (the same through {@code ProcessProviders.start(pb)}). EXPECT is {@code jdk} or
 * {@code pidfd4j}: who must have started the process (the agent, or not); otherwise the exit status
 * is 3, so that a misconfigured run fails instead of reporting wrong numbers. Prints nothing.
 */
public final class StartupProgram {

    private StartupProgram() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("none")) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder("/bin/true");
        // The library's classes are only referenced from Library, so "jdk" never loads them.
        Process p = args[0].equals("library") ? Library.start(pb) : pb.start();
        int exit = p.waitFor();
        // By name, not by class: the agent's process classes live in its own layer.
        boolean pidfd4j = p.getClass().getName().startsWith("io.github.pidfd4j.");
        if (exit != 0 || pidfd4j != args[1].equals("pidfd4j")) {
            System.err.println("StartupProgram " + String.join(" ", args) + ": /bin/true exited with " + exit
                    + ", started by " + p.getClass().getName());
            System.exit(3);
        }
    }

    private static final class Library {
        static Process start(ProcessBuilder pb) throws java.io.IOException {
            return ProcessProviders.start(pb);
        }
    }
}
