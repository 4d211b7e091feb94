package io.github.pidfd4j;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.pidfd4j.linux.TestProviders;
import java.util.List;
import java.util.stream.Stream;

/**
 * The providers every behaviour test runs against: the JDK (the oracle) and the pidfd provider on
 * each of its spawn paths. Expected results are the JDK's.
 *
 * <p>A spawn path this machine refuses (clone3 or clone(CLONE_PIDFD) under a seccomp filter, as in
 * Docker) is skipped with its reason ({@link SkipWhereRefused}); the fallback paths still run every test.
 */
public final class Contenders {

    public static final ProcessProvider JDK = new JdkProcessProvider();
    public static final ProcessProvider PIDFD_CLONE3 = TestProviders.pidfd(SpawnPath.CLONE3_PIDFD);
    public static final ProcessProvider PIDFD = TestProviders.pidfd(SpawnPath.CLONE_PIDFD);
    public static final ProcessProvider PIDFD_OPEN = TestProviders.pidfd(SpawnPath.CLONE_THEN_PIDFD_OPEN);

    private Contenders() {
    }

    /** For {@code @MethodSource("io.github.pidfd4j.Contenders#all")}. */
    public static Stream<ProcessProvider> all() {
        return Stream.of(JDK, PIDFD_CLONE3, PIDFD, PIDFD_OPEN);
    }

    /** The pidfd contenders only, for tests of what the JDK does differently on purpose. */
    public static Stream<ProcessProvider> pidfd() {
        return Stream.of(PIDFD_CLONE3, PIDFD, PIDFD_OPEN);
    }

    /**
     * The contenders this machine runs, for the probes in child JVMs (which inherit the test JVM's
     * sandbox, so both sides agree on the list) and for the tests that count their answers.
     */
    public static List<ProcessProvider> list() {
        return all().filter(ProcessProvider::isAvailable).toList();
    }

    /** A pidfd contender this machine runs: the first of the probe chain that works; skips the test if none. */
    public static ProcessProvider anyPidfd() {
        ProcessProvider p = PIDFD_CLONE3.isAvailable() ? PIDFD_CLONE3 : PIDFD.isAvailable() ? PIDFD : PIDFD_OPEN;
        assumeTrue(p.isAvailable(), () -> refusedHere(p));
        return p;
    }

    /** Why a test of this contender skips here. */
    static String refusedHere(ProcessProvider provider) {
        return "SKIPPED: " + provider.name() + " is refused here (a seccomp filter or an old kernel): "
                + provider.unavailabilityCause() + "; the tests still run on every spawn path that works here";
    }
}
