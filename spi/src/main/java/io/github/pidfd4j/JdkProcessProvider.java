package io.github.pidfd4j;

import io.github.pidfd4j.linux.ParentDeath;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * The {@code "jdk"} provider: the JDK's own {@link ProcessBuilder}. Always available.
 *
 * <p>It honours no {@link SpawnOptions} but the defaults: any other option is rejected with an
 * {@link UnsupportedOperationException} naming it, and nothing is started. The JVM-wide
 * {@value SpawnOptions#KILL_ON_PARENT_DEATH_PROPERTY} property cannot be honoured either; it is
 * reported once, as a warning, and the processes are started without it.
 */
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
        ParentDeath.jdkSpawns("the \"jdk\" process provider starts the processes");
        return pb.start();
    }

    @Override
    public List<Process> startPipeline(List<ProcessBuilder> builders) throws IOException {
        ParentDeath.jdkSpawns("the \"jdk\" process provider starts the processes");
        return ProcessBuilder.startPipeline(builders);
    }

    /** Starts as {@link #start(ProcessBuilder)} with {@link SpawnOptions#defaults()}; rejects any other option. */
    @Override
    public Process start(ProcessBuilder pb, SpawnOptions options) throws IOException {
        Objects.requireNonNull(pb, "pb");
        checkOptions(options);
        return start(pb);
    }

    /** Starts as {@link #startPipeline(List)} with {@link SpawnOptions#defaults()}; rejects any other option. */
    @Override
    public List<Process> startPipeline(List<ProcessBuilder> builders, SpawnOptions options) throws IOException {
        Objects.requireNonNull(builders, "builders");
        checkOptions(options);
        return startPipeline(builders);
    }

    private void checkOptions(SpawnOptions options) {
        if (!options.isDefault()) {
            throw options.unsupportedBy(this, ": the JDK cannot do it; use the \"pidfd\" provider"
                    + " (ProcessProviders.byName(\"pidfd\"), Linux only)");
        }
    }

    @Override
    public String toString() {
        return "ProcessProvider[jdk]";
    }
}
