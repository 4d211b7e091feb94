package io.github.pidfd4j;

import java.io.IOException;
import java.util.List;

/** The {@code "jdk"} provider: the JDK's own {@link ProcessBuilder}. Always available. */
public final class JdkProcessProvider implements ProcessProvider {

    /** This provider's name. */
    public static final String NAME = "jdk";

    /** Creates the provider (used by {@link java.util.ServiceLoader}). */
    public JdkProcessProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Throwable unavailabilityCause() {
        return null;
    }

    @Override
    public SpawnPath spawnPath() {
        return SpawnPath.JDK;
    }

    @Override
    public Process start(ProcessBuilder pb) throws IOException {
        return pb.start();
    }

    @Override
    public List<Process> startPipeline(List<ProcessBuilder> builders) throws IOException {
        return ProcessBuilder.startPipeline(builders);
    }

    @Override
    public String toString() {
        return "ProcessProvider[jdk]";
    }
}
