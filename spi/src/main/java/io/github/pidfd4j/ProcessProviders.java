package io.github.pidfd4j;

import io.github.pidfd4j.linux.Log;
import io.github.pidfd4j.linux.PidfdProcessProvider;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds the {@link ProcessProvider}s on the class path and selects one.
 *
 * <p>Selection, decided once: the provider named by the system property
 * {@value #PROVIDER_PROPERTY} ({@code pidfd} or {@code jdk}) if it is available; otherwise the best
 * available one ({@code pidfd}, then any third-party provider, then {@code jdk}, which is always
 * available). When the named provider is unknown or unavailable, the reason is logged once as a
 * warning through {@link System.Logger} and the best available one is used instead.
 */
public final class ProcessProviders {

    /** The system property that names the provider to use. */
    public static final String PROVIDER_PROPERTY = "pidfd4j.provider";

    private ProcessProviders() {
    }

    /** The selected provider. */
    public static ProcessProvider provider() {
        return Selected.PROVIDER;
    }

    /** Starts a process through the selected provider; see {@link ProcessProvider#start}. */
    public static Process start(ProcessBuilder pb) throws IOException {
        return provider().start(pb);
    }

    /** Starts a pipeline through the selected provider; see {@link ProcessProvider#startPipeline}. */
    public static List<Process> startPipeline(List<ProcessBuilder> builders) throws IOException {
        return provider().startPipeline(builders);
    }

    /**
     * Starts a process with spawn options through the selected provider; see
     * {@link ProcessProvider#start(ProcessBuilder, SpawnOptions)}. The selected provider may not honour
     * every option (the {@code "jdk"} provider, selected where pidfds are unavailable, honours none):
     * it then throws {@link UnsupportedOperationException} and starts nothing.
     */
    public static Process start(ProcessBuilder pb, SpawnOptions options) throws IOException {
        return provider().start(pb, options);
    }

    /**
     * Starts a pipeline with spawn options for every stage through the selected provider; see
     * {@link ProcessProvider#startPipeline(List, SpawnOptions)}.
     */
    public static List<Process> startPipeline(List<ProcessBuilder> builders, SpawnOptions options) throws IOException {
        return provider().startPipeline(builders, options);
    }

    /** Every provider found, best first, whether available or not. */
    public static List<ProcessProvider> all() {
        return Found.ALL;
    }

    /** The provider with this name, whether available or not. */
    public static Optional<ProcessProvider> byName(String name) {
        for (ProcessProvider p : Found.ALL) {
            if (p.name().equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static int rank(ProcessProvider p) {
        switch (p.name()) {
            case PidfdProcessProvider.NAME: return 0;
            case JdkProcessProvider.NAME: return 2;
            default: return 1;
        }
    }

    /** The built-in pidfd provider: the one ServiceLoader would find first (holds no state). */
    private static final class Builtin {
        static final PidfdProcessProvider PIDFD = new PidfdProcessProvider();
    }

    /** Initialisation-on-demand holder: every provider on the class path, loaded once, on first use. */
    private static final class Found {
        static final List<ProcessProvider> ALL = load();

        private static List<ProcessProvider> load() {
            List<List<ProcessProvider>> byRank = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            boolean hasJdk = false;
            for (ProcessProvider p : ServiceLoader.load(ProcessProvider.class, ProcessProviders.class.getClassLoader())) {
                if (p.getClass() == PidfdProcessProvider.class) {
                    p = Builtin.PIDFD;  // the same instance provider() may have returned already
                }
                byRank.get(rank(p)).add(p);
                hasJdk |= p instanceof JdkProcessProvider;
            }
            if (!hasJdk) {
                byRank.get(2).add(new JdkProcessProvider());  // e.g. when a shading tool dropped META-INF/services
            }
            List<ProcessProvider> found = new ArrayList<>();
            for (List<ProcessProvider> rank : byRank) {
                found.addAll(rank);  // stable: class-path order within a rank
            }
            return List.copyOf(found);
        }
    }

    /** Initialisation-on-demand holder: the selection, made once, on first use. */
    private static final class Selected {
        static final ProcessProvider PROVIDER = select(System.getProperty(PROVIDER_PROPERTY));

        private static ProcessProvider select(String requested) {
            String name = requested == null ? "" : requested.trim().toLowerCase(Locale.ROOT);
            if ((name.isEmpty() || name.equals(PidfdProcessProvider.NAME)) && Builtin.PIDFD.isAvailable()) {
                // pidfd ranks first, so the common case needs no scan of the class path (start-up cost).
                return Builtin.PIDFD;
            }
            ProcessProvider best = null;
            for (ProcessProvider p : Found.ALL) {
                if (p.isAvailable()) {
                    best = p;
                    break;
                }
            }
            if (best == null) {
                throw new IllegalStateException("no process provider is available");  // jdk always is
            }
            if (!name.isEmpty()) {
                Optional<ProcessProvider> named = byName(name);
                if (named.isEmpty()) {
                    List<String> known = new ArrayList<>();
                    for (ProcessProvider p : Found.ALL) {
                        known.add(p.name());
                    }
                    Log.logger().log(Level.WARNING, "pidfd4j: unknown process provider \"{0}\" in -D{1}; the known ones are {2}; using \"{3}\"",
                            requested, PROVIDER_PROPERTY, known, best.name());
                } else if (!named.get().isAvailable()) {
                    Throwable cause = named.get().unavailabilityCause();
                    Log.logger().log(Level.WARNING, "pidfd4j: process provider \"" + name + "\" was requested with -D" + PROVIDER_PROPERTY
                            + " but is unavailable (" + cause + "); using \"" + best.name() + "\"", cause);
                } else {
                    best = named.get();
                }
            } else {
                for (ProcessProvider p : Found.ALL) {
                    if (p == best) {
                        break;
                    }
                    Log.logger().log(Level.DEBUG, "pidfd4j: process provider \"" + p.name() + "\" is unavailable: " + p.unavailabilityCause());
                }
            }
            return best;
        }
    }
}
