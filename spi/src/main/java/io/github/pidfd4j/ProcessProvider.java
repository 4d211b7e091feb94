package io.github.pidfd4j;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * A way to start operating-system processes with {@link ProcessBuilder} semantics.
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader}; {@link ProcessProviders} picks
 * one. Two ship with pidfd4j: {@code "pidfd"} (Linux process file descriptors, one watcher thread
 * for all children) and {@code "jdk"} (the JDK's own {@link ProcessBuilder#start()}).
 *
 * <p>Whatever the provider, the returned {@link Process} objects behave like the JDK's: the same exit
 * values, streams, exceptions and messages.
 */
public interface ProcessProvider {

    /** The provider's name, as used by the {@value ProcessProviders#PROVIDER_PROPERTY} property. */
    String name();

    /** Whether this provider can start processes in this JVM, decided once. */
    boolean isAvailable();

    /**
     * Why {@link #isAvailable()} is false (like Netty's {@code Epoll.unavailabilityCause()}), or
     * {@code null} when the provider is available.
     */
    Throwable unavailabilityCause();

    /** How this provider creates processes in this JVM; decided once, like availability. */
    SpawnPath spawnPath();

    /**
     * Starts a process as {@link ProcessBuilder#start() pb.start()} would: the same checks, the same
     * redirects, the same exceptions and messages.
     *
     * @throws IOException as {@code pb.start()} does, e.g. {@code Cannot run program "x": ...}
     * @throws IllegalStateException if this provider is not available
     */
    Process start(ProcessBuilder pb) throws IOException;

    /**
     * Starts a pipeline as {@link ProcessBuilder#startPipeline(List)} would: each stage's standard
     * output feeds the next stage's standard input; if a stage fails to start, the stages already
     * started are destroyed forcibly and waited for before the exception is rethrown.
     *
     * @throws IllegalStateException if this provider is not available
     */
    List<Process> startPipeline(List<ProcessBuilder> builders) throws IOException;

    /**
     * Starts a process as {@link #start(ProcessBuilder)} does, with the given options. A provider
     * honours every option it is given or rejects the spawn; it never ignores one. This default
     * accepts {@link SpawnOptions#defaults()} only, so a provider that knows nothing of options stays
     * correct; pidfd4j's {@code "pidfd"} provider honours them all.
     *
     * @throws UnsupportedOperationException if an option is set that this provider cannot honour
     *         (the message names it); nothing is started then
     * @throws NullPointerException if {@code pb} or {@code options} is null
     */
    default Process start(ProcessBuilder pb, SpawnOptions options) throws IOException {
        Objects.requireNonNull(pb, "pb");
        if (!options.isDefault()) {
            throw options.unsupportedBy(this, "");
        }
        return start(pb);
    }

    /**
     * Starts a pipeline as {@link #startPipeline(List)} does, each stage with the given options. The
     * default accepts {@link SpawnOptions#defaults()} only, as {@link #start(ProcessBuilder, SpawnOptions)}.
     *
     * @throws UnsupportedOperationException if an option is set that this provider cannot honour;
     *         nothing is started then
     * @throws NullPointerException if {@code builders} or {@code options} is null
     */
    default List<Process> startPipeline(List<ProcessBuilder> builders, SpawnOptions options) throws IOException {
        Objects.requireNonNull(builders, "builders");
        if (!options.isDefault()) {
            throw options.unsupportedBy(this, "");
        }
        return startPipeline(builders);
    }
}
