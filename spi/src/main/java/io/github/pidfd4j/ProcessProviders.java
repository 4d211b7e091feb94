package io.github.pidfd4j;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
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

    private static final System.Logger LOG = System.getLogger("io.github.pidfd4j");

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

    /** Every provider found, best first, whether available or not. */
    public static List<ProcessProvider> all() {
        return Selected.ALL;
    }

    /** The provider with this name, whether available or not. */
    public static Optional<ProcessProvider> byName(String name) {
        return Selected.ALL.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    private static int rank(ProcessProvider p) {
        switch (p.name()) {
            case "pidfd": return 0;
            case JdkProcessProvider.NAME: return 2;
            default: return 1;
        }
    }

    /** Initialisation-on-demand holder: the providers are loaded and probed once, on first use. */
    private static final class Selected {
        static final List<ProcessProvider> ALL = load();
        static final ProcessProvider PROVIDER = select(System.getProperty(PROVIDER_PROPERTY));

        private static List<ProcessProvider> load() {
            List<ProcessProvider> found = new ArrayList<>();
            boolean hasJdk = false;
            for (ProcessProvider p : ServiceLoader.load(ProcessProvider.class, ProcessProviders.class.getClassLoader())) {
                found.add(p);
                hasJdk |= p instanceof JdkProcessProvider;
            }
            if (!hasJdk) {
                found.add(new JdkProcessProvider());  // e.g. when a shading tool dropped META-INF/services
            }
            found.sort(Comparator.comparingInt(ProcessProviders::rank));
            return List.copyOf(found);
        }

        private static ProcessProvider select(String requested) {
            ProcessProvider best = ALL.stream().filter(ProcessProvider::isAvailable).findFirst().orElseThrow();
            if (requested != null && !requested.isBlank()) {
                String name = requested.trim().toLowerCase(Locale.ROOT);
                Optional<ProcessProvider> named = byName(name);
                if (named.isEmpty()) {
                    LOG.log(Level.WARNING, "pidfd4j: unknown process provider \"{0}\" in -D{1}; the known ones are {2}; using \"{3}\"",
                            requested, PROVIDER_PROPERTY, ALL.stream().map(ProcessProvider::name).toList(), best.name());
                } else if (!named.get().isAvailable()) {
                    Throwable cause = named.get().unavailabilityCause();
                    LOG.log(Level.WARNING, "pidfd4j: process provider \"" + name + "\" was requested with -D" + PROVIDER_PROPERTY
                            + " but is unavailable (" + cause + "); using \"" + best.name() + "\"", cause);
                } else {
                    best = named.get();
                }
            } else {
                for (ProcessProvider p : ALL) {
                    if (p == best) {
                        break;
                    }
                    LOG.log(Level.DEBUG, "pidfd4j: process provider \"" + p.name() + "\" is unavailable: " + p.unavailabilityCause());
                }
            }
            LOG.log(Level.DEBUG, "pidfd4j: using process provider \"{0}\" (spawn path {1})", best.name(), best.spawnPath());
            return best;
        }
    }
}
