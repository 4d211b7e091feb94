package io.github.pidfd4j.bench;

import io.github.pidfd4j.ProcessProvider;
import io.github.pidfd4j.ProcessProviders;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Who starts the processes. Each contender runs in its own forked JVM with the same flags, except
 * what it needs: the JDK launch mechanism property or {@code -javaagent}. The C reference is run by
 * {@link CReference}, not in a JVM.
 */
public enum Contender {
    /** {@code ProcessBuilder.start()}, the JDK default launch mechanism (POSIX_SPAWN + jspawnhelper). */
    JDK("jdk", "JDK default (POSIX_SPAWN)", "POSIX_SPAWN"),
    /** {@code ProcessBuilder.start()} with {@code -Djdk.lang.Process.launchMechanism=VFORK}. */
    JDK_VFORK("jdk-vfork", "JDK VFORK", "VFORK"),
    /** {@code ProcessBuilder.start()} with {@code -Djdk.lang.Process.launchMechanism=FORK}. */
    JDK_FORK("jdk-fork", "JDK FORK", "FORK"),
    /** {@code ProcessProviders.byName("pidfd").start(pb)}: pidfd4j used as a library. */
    PIDFD("pidfd", "pidfd4j library", null),
    /** {@code ProcessBuilder.start()} in a JVM started with the pidfd4j javaagent. */
    AGENT("agent", "pidfd4j agent", null),
    /** The C program cref: clone(CLONE_VM|CLONE_VFORK|CLONE_PIDFD) + poll + waitid. */
    C_REFERENCE("c-reference", "C reference", null);

    /** The system property the JDK reads for its launch mechanism. */
    public static final String LAUNCH_MECHANISM = "jdk.lang.Process.launchMechanism";

    private final String id;
    private final String label;
    private final String launchMechanism;

    Contender(String id, String label, String launchMechanism) {
        this.id = id;
        this.label = label;
        this.launchMechanism = launchMechanism;
    }

    /** The name used in {@code @Param("contender")}, the JSON and the table. */
    public String id() {
        return id;
    }

    /** A human name for the chart legend. */
    public String label() {
        return label;
    }

    /** Whether this contender is run in a JVM (all but the C reference). */
    public boolean isJvm() {
        return this != C_REFERENCE;
    }

    /** The JVM flags this contender needs on top of the common ones. */
    public List<String> jvmArgs(String agentJar) {
        switch (this) {
            case JDK_VFORK:
            case JDK_FORK:
                return List.of("-D" + LAUNCH_MECHANISM + "=" + launchMechanism);
            case AGENT:
                return List.of("-javaagent:" + agentJar);
            default:
                return List.of();
        }
    }

    public static Contender of(String id) {
        for (Contender c : values()) {
            if (c.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown contender \"" + id + "\"; known: " + List.of(values()));
    }

    /** Starts {@code pb} the way this contender does. */
    public Process start(ProcessBuilder pb) throws IOException {
        if (this == PIDFD) {
            return Pidfd.PROVIDER.start(pb);
        }
        if (this == C_REFERENCE) {
            throw new UnsupportedOperationException("the C reference does not run in a JVM");
        }
        return pb.start();
    }

    /**
     * Fails unless this JVM really is set up as this contender claims: the launch mechanism, whether
     * the agent took over {@code ProcessBuilder.start()}, whether the pidfd provider is available.
     * Benchmarks call it once per trial, so that a misconfigured run cannot report wrong numbers.
     */
    public void verify() throws IOException, InterruptedException {
        if (this == C_REFERENCE) {
            throw new IllegalStateException("the C reference does not run in a JVM");
        }
        String mechanism = System.getProperty(LAUNCH_MECHANISM);
        String expected = launchMechanism == null ? "POSIX_SPAWN" : launchMechanism;
        if (mechanism != null && !mechanism.equalsIgnoreCase(expected)) {
            throw new IllegalStateException(id + ": -D" + LAUNCH_MECHANISM + "=" + mechanism + ", expected " + expected);
        }
        if (launchMechanism != null && !launchMechanism.equals("POSIX_SPAWN") && mechanism == null) {
            throw new IllegalStateException(id + ": needs -D" + LAUNCH_MECHANISM + "=" + launchMechanism);
        }
        boolean agentActive = isPidfd4j(Spawns.startAndWait(new ProcessBuilder("/bin/true"), JDK));
        if (this == AGENT && !agentActive) {
            throw new IllegalStateException("agent: ProcessBuilder.start() is not served by pidfd4j;"
                    + " is the JVM started with -javaagent:<pidfd4j agent jar>?");
        }
        if (this != AGENT && agentActive) {
            throw new IllegalStateException(id + ": the pidfd4j agent is active in this JVM; it must not be");
        }
        if (this == PIDFD && !isPidfd4j(Spawns.startAndWait(new ProcessBuilder("/bin/true"), PIDFD))) {
            throw new IllegalStateException("pidfd: the provider did not return a pidfd4j process");
        }
    }

    /** Whether the process object comes from pidfd4j rather than the JDK. */
    static boolean isPidfd4j(Process p) {
        return p.getClass().getName().startsWith("io.github.pidfd4j.");
    }

    @Override
    public String toString() {
        return id;
    }

    /** Looked up on first use only, so that JDK contenders never load the provider. */
    private static final class Pidfd {
        static final ProcessProvider PROVIDER = load();

        private static ProcessProvider load() {
            ProcessProvider p = ProcessProviders.byName("pidfd")
                    .orElseThrow(() -> new IllegalStateException("the pidfd provider is not on the class path"));
            if (!p.isAvailable()) {
                throw new IllegalStateException("the pidfd provider is unavailable here", p.unavailabilityCause());
            }
            return p;
        }
    }
}
